"""Pictures for the INR page: safe loading of uploads, Sobel/Laplacian ground truth, PSNR/SSIM, the Poisson ceiling.

Coordinates are isotropic: the long side spans [-1, 1], x points right (columns) and y points
down (rows), so a derivative "in x" is along the width. Derivatives are per coordinate unit.
"""
from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import fft, ndimage

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # same as server.maxUploadSize in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # declared size above this is refused before decoding (decompression bombs)
MIN_SIDE = 8  # smaller pictures have nothing to fit
MAX_ASPECT = 4.0  # longer strips are centre-cropped to this ratio


class ImageError(ValueError):
    """A picture that cannot be used; `key` is the catalogue key of the message for the user."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class LoadedImage:
    """A picture as floats in [0, 1], (H, W) or (H, W, 3), plus notes (catalogue keys) on what was done to it."""

    pixels: np.ndarray
    notes: tuple[str, ...] = field(default=())


def load_image(data: bytes, long_side: int, gray: bool = False) -> LoadedImage:
    """Decode an upload safely and resize it so its long side is `long_side` pixels."""
    if not data:
        raise ImageError("inr.err_empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError("inr.err_too_big_file", mb=MAX_UPLOAD_BYTES // 2**20)
    notes = []
    try:
        picture = Image.open(io.BytesIO(data))  # reads the header only: the size is known before decoding
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise ImageError("inr.err_bomb", width=width, height=height, pixels=width * height, limit=MAX_PIXELS)
        if getattr(picture, "n_frames", 1) > 1:
            notes.append("inr.note_first_frame")  # Pillow opens at frame 0
        picture.load()
        picture = ImageOps.exif_transpose(picture)
    except ImageError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, met while reading the header
        width, height = declared_size(data)
        raise ImageError("inr.err_bomb", width=width, height=height, pixels=width * height, limit=MAX_PIXELS) from None
    except UnidentifiedImageError:
        raise ImageError("inr.err_not_image") from None
    except (OSError, SyntaxError, ValueError, EOFError):  # what Pillow raises on truncated or corrupt files
        raise ImageError("inr.err_corrupt") from None
    pixels = _to_float(picture, notes)
    return LoadedImage(_shape(pixels, long_side, gray, notes), tuple(notes))


def declared_size(data: bytes) -> tuple[int, int]:
    """The width and height a file's header declares, read by Pillow's format plugins without its decompression-bomb
    check (Image.open raises before telling the size); nothing is decoded."""
    Image.init()
    prefix = data[:16]
    for name in Image.ID:
        factory, accept = Image.OPEN[name]
        accepted = accept is None or accept(prefix)
        if not accepted or isinstance(accepted, str):  # a string is Pillow's reason this format does not fit
            continue
        try:
            return factory(io.BytesIO(data), "").size
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, Image.DecompressionBombError):
            continue
    raise ImageError("inr.err_corrupt")


def _to_float(picture: Image.Image, notes: list[str]) -> np.ndarray:
    """Any Pillow mode to floats in [0, 1]: 16-bit kept at full precision, alpha composited on white."""
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(picture, dtype=np.float64)
        top = 65535.0 if values.max(initial=0) > 255 or picture.mode.startswith("I;16") else 255.0
        notes.append("inr.note_16bit")
        return np.clip(values / top, 0, 1).astype(np.float32)
    if picture.mode == "F":
        values = np.asarray(picture, dtype=np.float32)
        low, high = float(values.min()), float(values.max())
        return (values - low) / (high - low) if high > low else np.zeros_like(values)
    if picture.mode == "CMYK":
        notes.append("inr.note_cmyk")
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info)
    if has_alpha:
        notes.append("inr.note_alpha")
        rgba = picture.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(white, rgba)
    if picture.mode in ("L", "1"):
        return np.asarray(picture.convert("L"), dtype=np.float32) / 255
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float32) / 255
    if np.allclose(rgb[..., 0], rgb[..., 1]) and np.allclose(rgb[..., 1], rgb[..., 2]):
        return rgb[..., 0].copy()  # a gray picture stored as RGB: fit one channel, three times faster
    return rgb


def _shape(pixels: np.ndarray, long_side: int, gray: bool, notes: list[str]) -> np.ndarray:
    """Crop extreme strips, refuse tiny pictures, convert to gray if asked, and resize (area filter)."""
    height, width = pixels.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise ImageError("inr.err_too_small", width=width, height=height, min=MIN_SIDE)
    if max(height, width) > MAX_ASPECT * min(height, width):
        notes.append("inr.note_cropped")
        if width > height:
            keep = int(MAX_ASPECT * height)
            pixels = pixels[:, (width - keep) // 2:(width - keep) // 2 + keep]
        else:
            keep = int(MAX_ASPECT * width)
            pixels = pixels[(height - keep) // 2:(height - keep) // 2 + keep]
    if gray and pixels.ndim == 3:
        pixels = luminance(pixels)
    height, width = pixels.shape[:2]
    scale = long_side / max(height, width)
    return resize(pixels, max(1, round(height * scale)), max(1, round(width * scale)))


def resize(pixels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a float picture per channel: area averaging when shrinking, bicubic when enlarging."""
    shrink = height < pixels.shape[0]
    channels = [pixels] if pixels.ndim == 2 else [pixels[..., c] for c in range(pixels.shape[2])]
    resized = [np.asarray(Image.fromarray(c.astype(np.float32)).resize((width, height), Image.BOX if shrink else Image.BICUBIC))
               for c in channels]
    out = resized[0] if pixels.ndim == 2 else np.stack(resized, -1)
    return np.clip(out, 0, 1).astype(np.float32)


LUMA = (0.299, 0.587, 0.114)  # Rec. 601 weights of R, G, B


def luminance(pixels: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of an RGB array; a gray array is returned as is."""
    return pixels if pixels.ndim == 2 else pixels @ np.array(LUMA, dtype=pixels.dtype)


def pixel_spacing(height: int, width: int) -> float:
    """Distance between neighbouring pixel centres in coordinate units (the long side spans 2)."""
    return 2.0 / max(height, width)


def sobel(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel derivatives (d/dx along columns, d/dy along rows), per coordinate unit, same shape as `pixels`."""
    h = pixel_spacing(*pixels.shape[:2])
    values = pixels.astype(np.float64)

    def derivative(axis: int, across: int) -> np.ndarray:
        # [-1, 0, 1] / 2 along `axis`, [1, 2, 1] / 4 across it (never along the channel axis).
        smooth = ndimage.correlate1d(values, [0.25, 0.5, 0.25], axis=across, mode="nearest")
        return ndimage.correlate1d(smooth, [-0.5, 0.0, 0.5], axis=axis, mode="nearest") / h

    return derivative(1, 0).astype(np.float32), derivative(0, 1).astype(np.float32)


def laplacian(pixels: np.ndarray) -> np.ndarray:
    """Five-point Laplacian per squared coordinate unit (per channel)."""
    h = pixel_spacing(*pixels.shape[:2])
    out = sum(ndimage.correlate1d(pixels.astype(np.float64), [1.0, -2.0, 1.0], axis=a, mode="nearest") for a in (0, 1))
    return (out / h**2).astype(np.float32)


def integrate_gradients(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """The smooth (band-limited) picture whose exact derivatives best match (gx, gy): a spectral Poisson solve.

    A cosine series (DCT-II) differentiates into a sine series (DST-II) with factor -pi k / N, so each
    frequency is solved by least squares on its own. The mean is free and returned as zero.
    """
    h = pixel_spacing(*gx.shape[:2])
    rows, cols = gx.shape[:2]
    dx = fft.dct(fft.dst(gx * h, type=2, norm="ortho", axis=1), type=2, norm="ortho", axis=0)
    dy = fft.dct(fft.dst(gy * h, type=2, norm="ortho", axis=0), type=2, norm="ortho", axis=1)
    a = -np.pi * np.arange(cols) / cols  # d/dx of cosine k along a row, per pixel step
    b = -np.pi * np.arange(rows) / rows
    extra = (1,) * (gx.ndim - 2)  # broadcast over colour channels
    a, b = a.reshape(1, cols, *extra), b.reshape(rows, 1, *extra)
    numerator = np.zeros(dx.shape)
    numerator[:, 1:] += a[:, 1:] * dx[:, :-1]  # sine k is stored at index k - 1
    numerator[1:] += b[1:] * dy[:-1]
    denominator = a**2 + b**2
    denominator[0, 0] = 1.0
    spectrum = numerator / denominator
    spectrum[0, 0] = 0.0
    return fft.idct(fft.idct(spectrum, type=2, norm="ortho", axis=0), type=2, norm="ortho", axis=1)


def integrate_laplacian(lap: np.ndarray) -> np.ndarray:
    """The smooth (band-limited) picture whose exact Laplacian best matches `lap`: a spectral Poisson solve.

    A cosine series (DCT-II) is an eigenbasis of the Laplacian with eigenvalue -(pi k / N)^2 - (pi l / M)^2
    per squared pixel step; the mean is free and returned as zero.
    """
    h = pixel_spacing(*lap.shape[:2])
    rows, cols = lap.shape[:2]
    spectrum = fft.dct(fft.dct(lap * h**2, type=2, norm="ortho", axis=0), type=2, norm="ortho", axis=1)
    extra = (1,) * (lap.ndim - 2)
    a = (np.pi * np.arange(cols) / cols).reshape(1, cols, *extra)
    b = (np.pi * np.arange(rows) / rows).reshape(rows, 1, *extra)
    eigen = -(a**2 + b**2)
    eigen[0, 0] = 1.0
    spectrum = spectrum / eigen
    spectrum[0, 0] = 0.0
    return fft.idct(fft.idct(spectrum, type=2, norm="ortho", axis=0), type=2, norm="ortho", axis=1)


def align_plane(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Add to each channel of `prediction` the plane a + b x + c y that best matches `target` (least squares)."""
    rows, cols = target.shape[:2]
    h = pixel_spacing(rows, cols)
    ys, xs = np.mgrid[0:rows, 0:cols].astype(np.float64)
    basis = np.c_[np.ones(rows * cols), ((xs - (cols - 1) / 2) * h).ravel(), ((ys - (rows - 1) / 2) * h).ravel()]
    residual = (target - prediction).reshape(rows * cols, -1).astype(np.float64)
    plane = basis @ np.linalg.lstsq(basis, residual, rcond=None)[0]
    return prediction + plane.reshape(prediction.shape)


def align_constant(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Shift each channel of `prediction` by the constant that best matches `target` (least squares)."""
    return prediction + (target - prediction).mean(axis=(0, 1), keepdims=True)


def psnr(prediction: np.ndarray, target: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for pictures in [0, 1] (the prediction is clipped to [0, 1])."""
    mse = float(np.mean((np.clip(prediction, 0, 1).astype(np.float64) - target.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1.0 / mse)


def gradient_ceiling(pixels: np.ndarray) -> float:
    """PSNR that a perfect fit to the Sobel gradients reaches: the spectral Poisson solve, aligned by a constant."""
    gx, gy = sobel(pixels)
    return psnr(align_constant(integrate_gradients(gx, gy), pixels), pixels)


def laplacian_ceiling(pixels: np.ndarray) -> float:
    """PSNR that a perfect fit to the five-point Laplacian reaches: the spectral Poisson solve, aligned by a plane."""
    return psnr(align_plane(integrate_laplacian(laplacian(pixels)), pixels), pixels)


def ssim(prediction: np.ndarray, target: np.ndarray, sigma: float = 1.5) -> float:
    """Mean structural similarity (Wang et al. 2004) with a Gaussian window, averaged over channels."""
    a = np.clip(prediction, 0, 1).astype(np.float64)
    b = target.astype(np.float64)
    blur = lambda v: ndimage.gaussian_filter(v, sigma=(sigma, sigma) + (0,) * (v.ndim - 2), truncate=3.5)  # noqa: E731
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))
    return float(index.mean())


def signed_to_rgb(values: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Map signed values to a blue-white-red picture in [0, 1]; `scale` is the value shown fully saturated."""
    values = values if values.ndim == 2 else values.mean(axis=-1)
    scale = scale or float(np.percentile(np.abs(values), 99)) or 1.0
    v = np.clip(values / scale, -1, 1)[..., None]
    red, blue, white = np.array([0.8, 0.1, 0.1]), np.array([0.1, 0.3, 0.8]), np.ones(3)
    return np.where(v >= 0, white + v * (red - white), white - v * (blue - white)).astype(np.float32)


def to_png(pixels: np.ndarray) -> bytes:
    """Encode a [0, 1] float picture as 8-bit PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray((np.clip(pixels, 0, 1) * 255 + 0.5).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
