"""Make the bundled photographs (public domain / CC0, see assets/LICENSE.md) from the wheels they ship in.

The files are taken from scikit-image's wheel (skimage/data/), not from the installed package (it is
no dependency), shrunk to at most 512 pixels on the long side and re-encoded:

    .venv/bin/pip download --no-deps scikit-image==0.25.2 -d /tmp/wheels
    .venv/bin/python bench/make_assets.py /tmp/wheels/scikit_image-0.25.2-*.whl
"""
from __future__ import annotations

import io
import pathlib
import sys
import zipfile

from PIL import Image

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
LONG_SIDE = 512
JPEG_QUALITY = 92  # a photograph's own noise is larger than what this quality loses
PHOTOS = {  # file in the wheel -> bundled file (page samples first, then the benchmark's two extra photos)
    "skimage/data/astronaut.png": "astronaut.jpg",
    "skimage/data/coffee.png": "coffee.jpg",
    "skimage/data/camera.png": "camera.png",  # gray: PNG keeps its 8 bits exactly
    "skimage/data/chelsea.png": "chelsea.jpg",
    "skimage/data/rocket.jpg": "rocket.jpg",
}


def shrunk(picture: Image.Image) -> Image.Image:
    """The picture with its long side at most LONG_SIDE pixels (Lanczos), in RGB or L."""
    picture = picture.convert("L" if picture.mode in ("L", "I;16") else "RGB")
    scale = LONG_SIDE / max(picture.size)
    if scale >= 1:
        return picture
    return picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.LANCZOS)


def main(wheel: str) -> None:
    """Extract, shrink and save every photograph of PHOTOS into assets/."""
    with zipfile.ZipFile(wheel) as archive:
        for member, name in PHOTOS.items():
            picture = shrunk(Image.open(io.BytesIO(archive.read(member))))
            target = ASSETS / name
            if name.endswith(".jpg"):
                picture.save(target, quality=JPEG_QUALITY, optimize=True)
            else:
                picture.save(target, optimize=True)
            print(name, picture.size, picture.mode, target.stat().st_size // 1024, "kB")


if __name__ == "__main__":
    main(sys.argv[1])
