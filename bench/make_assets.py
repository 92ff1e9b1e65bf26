"""Draw the bundled sample pictures (CC0, made by this project): run `python bench/make_assets.py`.

Nothing can be downloaded, so the "camera-style" test image is procedural: a sky with smooth
shading, buildings with sharp edges, a photographer with a tripod, a shaded ball and textured grass.
"""
from __future__ import annotations

import pathlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
SIZE = 512
SUPERSAMPLE = 2  # draw big, then shrink: anti-aliased edges like a real lens


def noise(shape: tuple[int, int], rng: np.random.Generator, octaves: int, base: int) -> np.ndarray:
    """Fractal value noise in [-1, 1]: random grids upsampled bicubically, halving amplitude per octave."""
    total = np.zeros(shape, np.float32)
    amplitude, weight = 1.0, 0.0
    for octave in range(octaves):
        cells = base * 2**octave
        grid = Image.fromarray(rng.uniform(-1, 1, (cells, cells)).astype(np.float32))
        total += amplitude * np.asarray(grid.resize(shape[::-1], Image.BICUBIC))
        weight += amplitude
        amplitude *= 0.55
    return np.clip(total / weight, -1, 1)


def camera(rng: np.random.Generator) -> Image.Image:
    """A grayscale scene in the spirit of the classic 'cameraman' test picture."""
    n = SIZE * SUPERSAMPLE
    y, x = np.mgrid[0:n, 0:n].astype(np.float32) / n
    sky = 0.78 - 0.25 * y + 0.06 * noise((n, n), rng, 3, 3)
    canvas = Image.fromarray((np.clip(sky, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    s = SUPERSAMPLE
    for left, width, height, shade in [(20, 70, 120, 150), (95, 50, 170, 120), (150, 90, 95, 175), (400, 80, 140, 135)]:
        top = 330 - height
        draw.rectangle([left * s, top * s, (left + width) * s, 330 * s], fill=shade)
        for wy in range(top + 10, 320, 18):  # window grids: many small sharp edges
            for wx in range(left + 8, left + width - 8, 16):
                draw.rectangle([wx * s, wy * s, (wx + 7) * s, (wy + 9) * s], fill=shade - 60)
    pixels = np.asarray(canvas, np.float32) / 255
    grass = 0.42 + 0.08 * noise((n, n), rng, 4, 16) + 0.06 * noise((n, n), rng, 3, 96) - 0.12 * (y - 0.64)
    pixels = np.where(y > 330 / SIZE, grass, pixels)
    ball = ((x - 0.78) ** 2 + (y - 0.78) ** 2) < 0.07**2  # a Lambert-shaded ball
    nz = np.sqrt(np.clip(1 - ((x - 0.78) ** 2 + (y - 0.78) ** 2) / 0.07**2, 0, 1))
    light = np.clip(0.55 * nz - 0.45 * (x - 0.78) / 0.07 - 0.35 * (y - 0.78) / 0.07, 0, 1)
    pixels = np.where(ball, 0.15 + 0.8 * light, pixels)
    canvas = Image.fromarray((np.clip(pixels, 0, 1) * 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    # The photographer: coat, head, arm, camera and tripod legs.
    draw.polygon([(p * s, q * s) for p, q in [(190, 175), (250, 175), (275, 390), (165, 390)]], fill=30)
    draw.ellipse([200 * s, 118 * s, 240 * s, 168 * s], fill=45)
    draw.rectangle([182 * s, 112 * s, 258 * s, 124 * s], fill=20)  # hat brim
    draw.rectangle([206 * s, 92 * s, 236 * s, 116 * s], fill=25)
    draw.polygon([(p * s, q * s) for p, q in [(245, 190), (300, 180), (302, 196), (250, 212)]], fill=40)
    draw.rectangle([292 * s, 168 * s, 330 * s, 196 * s], fill=15)
    draw.ellipse([318 * s, 174 * s, 336 * s, 190 * s], fill=90)  # lens glint
    for foot in (250, 315, 360):
        draw.line([(310 * s, 198 * s), (foot * s, 470 * s)], fill=10, width=3 * s)
    for foot in (150, 195, 280):
        draw.line([(foot * s, 470 * s), (foot * s + 10 * s, 390 * s)], fill=25, width=9 * s)  # legs
    coat = np.asarray(canvas, np.float32) / 255
    shading = 0.10 * np.clip((x - 0.33) / 0.2, -1, 1)  # soft light from the left on dark areas
    coat = np.where(coat < 0.2, coat + np.clip(shading, 0, None), coat)
    canvas = Image.fromarray((np.clip(coat, 0, 1) * 255).astype(np.uint8))
    return canvas.filter(ImageFilter.GaussianBlur(0.6 * s)).resize((SIZE, SIZE), Image.LANCZOS)


def still_life(rng: np.random.Generator) -> Image.Image:
    """A colour still life: shaded fruit on a checked cloth before a wood-grain wall."""
    w, h = SIZE * SUPERSAMPLE, SIZE * 3 // 4 * SUPERSAMPLE
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    x, y = x / w, y / h
    grain = np.sin(40 * x + 6 * noise((h, w), rng, 3, 4)) * 0.5 + 0.5
    wall = np.stack([0.55 + 0.15 * grain, 0.38 + 0.10 * grain, 0.22 + 0.06 * grain], -1)
    checks = ((np.floor(x * 12 + y * 2) + np.floor(y * 8)) % 2)[..., None]
    cloth = np.where(checks > 0, [0.85, 0.85, 0.9], [0.7, 0.1, 0.12]) * (1.1 - 0.4 * y[..., None])
    image = np.where((y > 0.55)[..., None], cloth, wall)
    for cx, cy, r, colour in [(0.3, 0.55, 0.13, (0.9, 0.2, 0.1)), (0.52, 0.6, 0.1, (0.95, 0.75, 0.1)),
                              (0.7, 0.52, 0.12, (0.3, 0.65, 0.15))]:
        d2 = ((x - cx) / r) ** 2 + ((y - cy) / (r * w / h)) ** 2
        nz = np.sqrt(np.clip(1 - d2, 0, 1))
        light = np.clip(0.6 * nz - 0.4 * (x - cx) / r - 0.3 * (y - cy) / (r * w / h), 0.05, 1)[..., None]
        highlight = np.clip(light - 0.85, 0, None) * 4  # specular spot
        fruit = np.asarray(colour) * light + highlight
        image = np.where((d2 < 1)[..., None], fruit, image)
    canvas = Image.fromarray((np.clip(image, 0, 1) * 255).astype(np.uint8))
    return canvas.filter(ImageFilter.GaussianBlur(0.6 * SUPERSAMPLE)).resize((SIZE, SIZE * 3 // 4), Image.LANCZOS)


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    for name, picture in [("camera.png", camera(rng)), ("still_life.png", still_life(rng))]:
        picture.save(ASSETS / name, optimize=True)
        print(name, picture.size, picture.mode, (ASSETS / name).stat().st_size // 1024, "kB")
