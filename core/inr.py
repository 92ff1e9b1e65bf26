"""Implicit neural representations: a coordinate network (x, y) -> pixel trained on pixels, gradients or the Laplacian.

The derivative supervisions take the network's own derivative with
`torch.autograd.grad(..., create_graph=True)`, so the loss on a derivative can itself be
differentiated with respect to the weights (double backprop).

The default network is a multi-resolution cubic B-spline grid (`SplineGrid`): on photographs at one CPU thread it
fits pixels and gradients far faster than SIREN (bench/bench_inr.py), and unlike a bilinear grid its derivatives are
continuous, so ∂φ/∂x, ∂φ/∂y and the Laplacian are meaningful everywhere.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from core.checks import Check, PitfallOutcome, compare, run_pitfall
from core.devices import resolve, synchronize
from core.graph import DotGraph, graph_nodes, to_dot
from core.images import (LUMA, gradient_ceiling, laplacian, luminance, pixel_spacing, psnr, resize, signed_to_rgb,
                         sobel, ssim, to_png)
from core.training import History, MemoryNeed, Snapshot, snapshot_of, state_arrays

MODELS = ("spline", "siren", "relu_pe", "relu", "grid")
SUPERVISIONS = ("pixels", "gradients", "laplacian")
LEARNING_RATE = {  # Adam, per supervision and model; derivative losses want smaller steps
    "pixels": {"spline": 1e-2, "siren": 1e-3, "relu_pe": 1e-3, "relu": 1e-3, "grid": 1e-2},
    "gradients": {"spline": 1e-2, "siren": 3e-4, "relu_pe": 3e-4, "relu": 3e-4, "grid": 1e-2},
    "laplacian": {"spline": 1e-2, "siren": 1e-4, "relu_pe": 1e-4, "relu": 1e-4, "grid": 1e-3},
}
OMEGA_0 = 30.0  # SIREN's frequency factor (Sitzmann et al. 2020)
PE_FREQUENCIES = 8  # positional encoding sin/cos(2^k pi p), k < 8
GRID_LEVELS, GRID_FEATURES, GRID_MIN_RES, GRID_HEAD = 8, 2, 8, 64
SPLINE_MIN_RES = 8  # the spline grid's coarsest level (cells per long side); each next level doubles, the finest is the picture's side
MAX_SIDE = {"cpu": 256, "cuda": 512, "mps": 512}  # working resolution limits per device type
MEMORY_BUDGET = 1024**3  # bytes of training tensors one session may use (a shared host has ~2.7 GB in all)
CHUNK = 16384  # pixels per forward pass when rendering whole pictures
GRAPH_PIXELS = 4  # the loss graph is the same for any batch: drawn for a few pixels
CHECK_PIXELS = 64  # pixels the derivative check compares


class SettingsError(ValueError):
    """Settings the page must refuse; `key` is the catalogue key of the message."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class FitConfig:
    """The page's settings; the defaults are its fast CPU default (the spline grid on random pixel batches)."""

    model: str = "spline"
    width: int = 128  # hidden units per layer of the MLPs (the grids ignore it)
    depth: int = 3  # hidden layers of the MLPs
    lr: float = 1e-2
    supervision: str = "pixels"
    steps: int = 2000
    batch_pixels: int = 4096  # random pixels per step; the whole picture when larger
    device: str = "cpu"
    seed: int = 0
    target_psnr: float = 40.0  # stop early once the reconstruction reaches this
    eval_seconds: float = 0.5  # training seconds between whole-picture evaluations (PSNR, the target check)

    def net(self, channels: int, side: int) -> NetConfig:
        """The network these settings build for a picture of `channels` and long side `side`."""
        return NetConfig(self.model, self.width, self.depth, channels, side)


@dataclass(frozen=True)
class NetConfig:
    """A network's architecture, all its loss graph and its pitfall depend on (the training fields are not here)."""

    model: str
    width: int
    depth: int
    channels: int  # output channels: 1 (gray) or 3
    side: int  # the picture's long side: the grid's finest resolution


def recommended(model: str, supervision: str) -> tuple[float, int]:
    """(learning rate, pixels per step) that fit fastest as measured by bench/bench_inr.py.

    The MLPs' derivative losses want smaller steps on bigger batches; the spline grid's loss is quadratic
    in its table, so one step size and small batches (more steps a second) serve all three supervisions.
    """
    batch = 4096 if supervision == "pixels" or model == "spline" else 16384
    return LEARNING_RATE[supervision][model], batch


def uniform_(tensor: torch.Tensor, bound: float, generator: torch.Generator) -> None:
    """Fill in place from U(-bound, bound) with a private generator (sessions never share the global RNG)."""
    with torch.no_grad():
        tensor.uniform_(-bound, bound, generator=generator)


class Siren(nn.Module):
    """Sine layers with the paper's initialisation: sin(omega_0 (W x + b)), then a linear read-out."""

    def __init__(self, inputs: int, width: int, depth: int, outputs: int, generator: torch.Generator):
        super().__init__()
        sizes = [inputs] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.out = nn.Linear(width, outputs)
        for index, layer in enumerate([*self.hidden, self.out]):
            fan_in = layer.in_features
            # First layer U(-1/n, 1/n); later layers U(-sqrt(6/n)/omega_0, ...) keep pre-activations ~ U(-1, 1).
            uniform_(layer.weight, 1 / fan_in if index == 0 else math.sqrt(6 / fan_in) / OMEGA_0, generator)
            uniform_(layer.bias, 1 / math.sqrt(fan_in), generator)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        h = coords
        for layer in self.hidden:
            h = torch.sin(OMEGA_0 * layer(h))
        return self.out(h) + 0.5  # centred on mid-gray


class ReluMLP(nn.Module):
    """A ReLU MLP, optionally on a positional encoding [p, sin(2^k pi p), cos(2^k pi p)]."""

    def __init__(self, inputs: int, width: int, depth: int, outputs: int, generator: torch.Generator, encode: bool):
        super().__init__()
        self.encode = encode
        self.register_buffer("frequencies", math.pi * 2.0 ** torch.arange(PE_FREQUENCIES), persistent=False)
        sizes = [inputs * (1 + 2 * PE_FREQUENCIES) if encode else inputs] + [width] * depth + [outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        for layer in self.layers:
            uniform_(layer.weight, math.sqrt(6 / layer.in_features), generator)  # He init for ReLU
            uniform_(layer.bias, 1 / math.sqrt(layer.in_features), generator)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        h = coords
        if self.encode:
            angles = (coords[..., None] * self.frequencies).flatten(-2)
            h = torch.cat([coords, torch.sin(angles), torch.cos(angles)], -1)
        for layer in self.layers[:-1]:
            h = torch.relu(layer(h))
        return self.layers[-1](h) + 0.5


class DenseGrid(nn.Module):
    """Multi-resolution dense feature grids (instant-NGP's idea without hashing), bilinear lookups, a small ReLU head."""

    def __init__(self, outputs: int, finest: int, generator: torch.Generator):
        super().__init__()
        growth = (finest / GRID_MIN_RES) ** (1 / (GRID_LEVELS - 1))
        self.resolutions = [max(2, round(GRID_MIN_RES * growth**level)) for level in range(GRID_LEVELS)]
        sizes = [(r + 1) ** 2 for r in self.resolutions]
        self.register_buffer("offsets", torch.tensor([0] + sizes[:-1]).cumsum(0), persistent=False)
        self.register_buffer("res", torch.tensor(self.resolutions, dtype=torch.float32), persistent=False)
        self.table = nn.Parameter(torch.empty(sum(sizes), GRID_FEATURES))
        uniform_(self.table, 1e-4, generator)
        self.head = ReluMLP(GRID_LEVELS * GRID_FEATURES, GRID_HEAD, 1, outputs, generator, encode=False)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        res = self.res[:, None]  # (L, 1)
        u = (coords[:, None, :] + 1) / 2 * res  # (N, L, 2) in cell units
        corner = u.detach().floor().clamp(min=torch.zeros_like(res), max=res - 1)  # no gradient through floor
        w = u - corner  # bilinear weights: the only path from coords to the output
        i = corner.long()
        side = self.res.long() + 1
        base = self.offsets + i[..., 1] * side + i[..., 0]  # (N, L) row-major index of the top-left corner
        f00, f01 = self.table[base], self.table[base + 1]
        f10, f11 = self.table[base + side], self.table[base + side + 1]
        wx, wy = w[..., :1], w[..., 1:]
        features = (f00 * (1 - wx) + f01 * wx) * (1 - wy) + (f10 * (1 - wx) + f11 * wx) * wy
        return self.head(features.flatten(1))


def bspline_weights(t: torch.Tensor) -> torch.Tensor:
    """Uniform cubic B-spline weights of the four vertices around a point at fraction t of its cell: (..., 4).

    Their sum is 1 and the curve they make is C² (twice continuously differentiable) across cell borders.
    """
    s = 1 - t
    return torch.stack([s**3, 3 * t**3 - 6 * t**2 + 4, -3 * t**3 + 3 * t**2 + 3 * t + 1, t**3], -1) / 6


def spline_resolutions(finest: int) -> list[int]:
    """Cells per long side of each spline level: from SPLINE_MIN_RES, about doubling, up to the picture's side."""
    levels = max(1, round(math.log2(max(finest, SPLINE_MIN_RES) / SPLINE_MIN_RES)) + 1)
    growth = (finest / SPLINE_MIN_RES) ** (1 / max(levels - 1, 1))
    return [max(2, round(SPLINE_MIN_RES * growth**level)) for level in range(levels)]


class SplineGrid(nn.Module):
    """Multi-resolution grids of values read with cubic B-spline weights, summed over levels: smooth (C²) in x, y.

    Each level's table holds one value per output channel at every vertex; a pixel reads the 4×4 vertices
    around it, so the output, its gradient and its Laplacian exist everywhere and autograd follows them
    through the weights (the table lookups carry no derivative in x, y).
    """

    def __init__(self, outputs: int, finest: int, generator: torch.Generator):
        super().__init__()
        self.resolutions = spline_resolutions(finest)
        sizes = [(r + 3) ** 2 for r in self.resolutions]  # cell i reads vertices i-1 .. i+2: one more on each side
        self.register_buffer("offsets", torch.tensor([0] + sizes[:-1]).cumsum(0), persistent=False)
        self.register_buffer("res", torch.tensor(self.resolutions, dtype=torch.float32), persistent=False)
        strides = torch.tensor(self.resolutions) + 3
        taps = torch.arange(4)
        self.register_buffer("taps", (taps[None, :, None] * strides[:, None, None] + taps[None, None, :]).flatten(1),
                             persistent=False)  # (L, 16): row-major offsets of the 4×4 vertices from the first
        self.table = nn.Parameter(torch.empty(outputs, sum(sizes)))  # channel first: index_select gathers fastest
        uniform_(self.table, 1e-4, generator)

    def forward(self, coords: torch.Tensor) -> torch.Tensor:
        res = self.res[:, None]  # (L, 1)
        u = (coords[:, None, :] + 1) / 2 * res  # (N, L, 2) in cell units
        cell = u.detach().floor().clamp(min=torch.zeros_like(res), max=res - 1)  # no derivative through floor
        weights = bspline_weights(u - cell)  # (N, L, 2, 4): the only path from coords to the output
        i = cell.long()
        base = self.offsets + i[..., 1] * (self.res.long() + 3) + i[..., 0]  # (N, L)
        index = (base[..., None] + self.taps).flatten()  # (N * L * 16,)
        values = self.table.index_select(1, index).view(self.table.shape[0], coords.shape[0], -1)  # (C, N, L * 16)
        w = (weights[..., 1, :, None] * weights[..., 0, None, :]).flatten(1)  # (N, L * 16): w_y(row) w_x(column)
        return (values * w).sum(-1).t() + 0.5


GRIDS = ("spline", "grid")  # models made of tables, not layers: width and depth do not apply
MODEL_CODE = {"spline": (SplineGrid, bspline_weights), "siren": (Siren,), "relu_pe": (ReluMLP,), "relu": (ReluMLP,),
              "grid": (DenseGrid, ReluMLP)}  # each model's class and what it calls, for the code panel


def model_code(model: str) -> tuple:
    """The class that model `model` trains as, and the functions and classes it uses (its source is shown)."""
    return MODEL_CODE[model]


def build_model(config: FitConfig | NetConfig, channels: int, finest: int, generator: torch.Generator) -> nn.Module:
    """The coordinate network named by config.model, initialised from `generator`."""
    if config.model == "spline":
        return SplineGrid(channels, finest, generator)
    if config.model == "siren":
        return Siren(2, config.width, config.depth, channels, generator)
    if config.model == "grid":
        return DenseGrid(channels, finest, generator)
    return ReluMLP(2, config.width, config.depth, channels, generator, encode=config.model == "relu_pe")


def channels_of(image: np.ndarray) -> int:
    """Colour channels of a picture array: 1 for (H, W), C for (H, W, C)."""
    return 1 if image.ndim == 2 else image.shape[2]


def fresh_model(net: NetConfig, seed: int = 0) -> nn.Module:
    """An untrained network of this architecture on the CPU, initialised from `seed`."""
    return build_model(net, net.channels, net.side, torch.Generator().manual_seed(seed))


def pixel_coords(height: int, width: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """(H*W, 2) pixel-centre coordinates (x right, y down), row-major; the long side spans [-1, 1]."""
    h = pixel_spacing(height, width)
    ys = (torch.arange(height, dtype=torch.float32, device=device) - (height - 1) / 2) * h
    xs = (torch.arange(width, dtype=torch.float32, device=device) - (width - 1) / 2) * h
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x, grid_y], -1).reshape(-1, 2)


def coordinate_gradients(output: torch.Tensor, coords: torch.Tensor, create_graph: bool) -> torch.Tensor:
    """d output / d (x, y) at every pixel of the batch: (N, C, 2), one vector-Jacobian product per channel.

    Pixel n's output depends only on coords[n], so a VJP with a vector of ones gives all N gradients
    in one backward pass.
    """
    grads = [torch.autograd.grad(output[:, c], coords, grad_outputs=torch.ones_like(output[:, c]),
                                 create_graph=create_graph, retain_graph=True)[0] for c in range(output.shape[1])]
    return torch.stack(grads, 1)


def coordinate_laplacian(output: torch.Tensor, coords: torch.Tensor) -> torch.Tensor:
    """d2/dx2 + d2/dy2 of every output channel: (N, C); differentiates the gradient again (create_graph twice)."""
    grads = coordinate_gradients(output, coords, create_graph=True)
    return torch.stack([sum(torch.autograd.grad(grads[:, c, d], coords, grad_outputs=torch.ones_like(grads[:, c, d]),
                                                create_graph=True)[0][:, d] for d in range(2))
                        for c in range(output.shape[1])], 1)


def supervised_quantity(output: torch.Tensor, coords: torch.Tensor, supervision: str) -> torch.Tensor:
    """What the loss compares with the picture: the pixels, their gradients or their Laplacian."""
    if supervision == "pixels":
        return output
    if supervision == "gradients":
        # create_graph=True: the gradient becomes part of the graph, so loss.backward() reaches the weights.
        return coordinate_gradients(output, coords, create_graph=True)
    return coordinate_laplacian(output, coords)


def supervision_loss(model: nn.Module, coords: torch.Tensor, target: torch.Tensor, supervision: str) -> torch.Tensor:
    """Mean squared error of the network's pixels, gradients or Laplacian against the picture's."""
    coords = coords.detach().requires_grad_(supervision != "pixels")  # a new leaf: the caller's tensor is untouched
    return ((supervised_quantity(model(coords), coords, supervision) - target) ** 2).mean()


def gradient_loss_without_create_graph(model: nn.Module, coords: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The pitfall: the gradient taken without create_graph is a constant, so backward finds no path to the weights."""
    coords = coords.detach().requires_grad_(True)
    grads = coordinate_gradients(model(coords), coords, create_graph=False)  # the one difference
    loss = ((grads - target) ** 2).mean()
    loss.backward()
    return loss


def derivative_check(model: nn.Module, coords: torch.Tensor, h: float = 1e-6) -> Check:
    """The network's autograd d/dx, d/dy (as trained, float32) against central differences of a float64 copy.

    ReLU nets and grids have kinks where no derivative exists; points whose one-sided differences
    disagree (a kink within h) are left out of the comparison.
    """
    coords = coords.detach().clone().requires_grad_(True)
    autograd = coordinate_gradients(model(coords), coords, create_graph=False).detach().double()
    twin = copy.deepcopy(model).double()
    x = coords.detach().double()
    with torch.no_grad():
        centre = twin(x)
        ahead = torch.stack([twin(x + e) for e in torch.eye(2, dtype=torch.float64, device=x.device) * h], -1)
        behind = torch.stack([twin(x - e) for e in torch.eye(2, dtype=torch.float64, device=x.device) * h], -1)
    reference = (ahead - behind) / (2 * h)  # (N, C, 2)
    tolerance = 1e-3 * max(1.0, reference.abs().max().item())  # float32 keeps ~6 digits of the largest slope
    kink = ((ahead - centre[..., None]) - (centre[..., None] - behind)).abs() / h > tolerance / 2
    autograd[kink], reference[kink] = torch.nan, torch.nan
    return compare(autograd, reference, "float64 central differences", tolerance=tolerance)


def loss_graph(model: nn.Module, coords: torch.Tensor, target: torch.Tensor, supervision: str) -> DotGraph:
    """The autograd graph of the supervision loss on a few pixels; nodes made by create_graph are marked."""
    coords = coords.detach().clone().requires_grad_(supervision != "pixels")
    output = model(coords)
    quantity = supervised_quantity(output, coords, supervision)
    created = graph_nodes(quantity) - graph_nodes(output)
    loss = ((quantity - target) ** 2).mean()
    names = {name.replace(".", "_"): p for name, p in model.named_parameters()} | {"coords": coords}
    return to_dot({"loss": loss}, names=names, forward_nodes=graph_nodes(loss) - created, max_nodes=70, show_saved=False)


def supervision_graph(net: NetConfig, supervision: str) -> DotGraph:
    """The supervision loss's graph for a fresh network on a few pixels (the drawing depends on neither the weights
    nor the pixel values)."""
    coords = pixel_coords(net.side, net.side)[:GRAPH_PIXELS]
    shape = (GRAPH_PIXELS, net.channels, 2) if supervision == "gradients" else (GRAPH_PIXELS, net.channels)
    return loss_graph(fresh_model(net), coords, torch.zeros(shape), supervision)


def gradient_loss_pitfall(net: NetConfig) -> PitfallOutcome:
    """Gradient supervision without create_graph=True on a fresh network, run for real."""
    coords = pixel_coords(net.side, net.side)[:GRAPH_PIXELS]
    model, target = fresh_model(net), torch.zeros(GRAPH_PIXELS, net.channels, 2)
    return run_pitfall(lambda: gradient_loss_without_create_graph(model, coords, target))


def network_check(model: nn.Module, height: int, width: int, pixels: int = CHECK_PIXELS) -> Check:
    """derivative_check at `pixels` pixel centres of a height x width picture, the same ones every time."""
    device = next(model.parameters()).device
    coords = pixel_coords(height, width, device)
    chosen = torch.randperm(coords.shape[0], generator=torch.Generator().manual_seed(0))[:pixels]
    return derivative_check(model, coords[chosen.to(device)])


def fresh_check(net: NetConfig, seed: int, height: int, width: int) -> Check:
    """network_check of an untrained network (before any training)."""
    return network_check(fresh_model(net, seed), height, width)


def slope_scale(gx: np.ndarray, gy: np.ndarray) -> float:
    """The colour scale of derivative pictures: the 99th percentile of |slope| (a few edges do not wash it out)."""
    return float(np.percentile(np.abs(np.stack([gx, gy])), 99)) or 1.0


@dataclass(frozen=True)
class GroundTruth:
    """The picture's derivatives as RGB pictures (red positive, blue negative), their scale, the Sobel ceiling."""

    gx: np.ndarray  # Sobel ∂I/∂x of the luminance, along the width
    gy: np.ndarray  # Sobel ∂I/∂y, down the height
    laplacian: np.ndarray  # five-point ΔI
    scale: float  # the slope drawn in full colour in gx and gy
    ceiling: float  # PSNR (dB) of a perfect fit to the Sobel gradients


def ground_truth(pixels: np.ndarray) -> GroundTruth:
    """Sobel x/y and the Laplacian of the picture's luminance, drawn for the page, and what gradients can reach."""
    gray = luminance(pixels)
    gx, gy = sobel(gray)
    scale = slope_scale(gx, gy)
    return GroundTruth(signed_to_rgb(gx, scale), signed_to_rgb(gy, scale), signed_to_rgb(laplacian(gray)), scale,
                       gradient_ceiling(pixels))


def supervision_targets(image: np.ndarray, supervision: str) -> np.ndarray:
    """What the loss compares with, per pixel: values (N, C), Sobel gradients (N, C, 2) or Laplacian (N, C)."""
    channels = image.reshape(image.shape[0], image.shape[1], -1)
    if supervision == "pixels":
        return channels.reshape(-1, channels.shape[2])
    if supervision == "gradients":
        gx, gy = sobel(channels)
        return np.stack([gx, gy], -1).reshape(-1, channels.shape[2], 2)
    return laplacian(channels).reshape(-1, channels.shape[2])


def plane_basis(height: int, width: int) -> np.ndarray:
    """(H*W, 3) columns 1, x, y at the pixel centres: the parts a derivative supervision cannot see."""
    return np.c_[np.ones(height * width), pixel_coords(height, width).numpy()]


def alignment(prediction: np.ndarray, image: np.ndarray, supervision: str) -> np.ndarray:
    """(3, C) coefficients of a + b x + c y per channel that best close the gap to the picture.

    Gradients fix the picture up to a constant; the Laplacian up to a plane (and other harmonic terms).
    """
    height, width = image.shape[:2]
    residual = (image - prediction).reshape(height * width, -1).astype(np.float64)
    coefficients = np.zeros((3, residual.shape[1]))
    if supervision == "gradients":
        coefficients[0] = residual.mean(0)
    elif supervision == "laplacian":
        coefficients = np.linalg.lstsq(plane_basis(height, width), residual, rcond=None)[0]
    return coefficients


def memory_need(config: FitConfig, height: int, width: int, channels: int) -> MemoryNeed:
    """Bytes a training job holds (picture, targets, network with Adam, previews) and works in (one step's activations)."""
    batch = min(config.batch_pixels, height * width)
    if config.model == "spline":
        levels = len(spline_resolutions(max(height, width)))
        floats = levels * 16 * (channels + 6)  # per pixel: gathered values, weights and their products
        parameters = channels * sum((r + 3) ** 2 for r in spline_resolutions(max(height, width)))
    elif config.model == "grid":
        floats = GRID_LEVELS * GRID_FEATURES * 12 + 2 * GRID_HEAD
        parameters = floats * config.width
    else:
        floats = config.width * (config.depth + 1)
        parameters = floats * config.width
    # Activations kept per pixel: each create_graph backward adds copies, per output channel.
    copies = {"pixels": 3, "gradients": 4 + 3 * channels, "laplacian": 4 + 18 * channels}[config.supervision]
    held = height * width * channels * 4 * 16 + 16 * parameters  # picture, targets, previews; weights, grads, Adam
    return MemoryNeed(held=held, working=4 * floats * (batch * copies + CHUNK * 4))


def estimate_memory(config: FitConfig, height: int, width: int, channels: int) -> int:
    """Bytes one training session needs alone, calibrated on peak RSS (see bench/bench_inr.py) and rounded up."""
    need = memory_need(config, height, width, channels)
    return 160 * 2**20 + need.held + need.working  # + allocator pools


def check_settings(config: FitConfig, height: int, width: int, channels: int) -> torch.device:
    """Refuse settings this host cannot train (SettingsError), else return the torch device."""
    device = resolve(config.device)
    if config.model not in MODELS or config.supervision not in SUPERVISIONS:
        raise SettingsError("inr.err_unknown", model=config.model, supervision=config.supervision)
    if not (math.isfinite(config.lr) and 0 < config.lr <= 1):
        raise SettingsError("inr.err_lr", lr=config.lr)
    if config.supervision == "laplacian" and config.model in ("relu", "grid"):  # piecewise linear: no Laplacian
        raise SettingsError("inr.err_laplacian_piecewise_linear", model=config.model)
    if max(height, width) > MAX_SIDE[device.type]:
        raise SettingsError("inr.err_resolution", side=max(height, width), limit=MAX_SIDE[device.type])
    needed = estimate_memory(config, height, width, channels)
    if needed > MEMORY_BUDGET:
        raise SettingsError("inr.err_memory", needed=needed // 2**20, budget=MEMORY_BUDGET // 2**20)
    return device


class INRTrainer:
    """A resumable fit: `advance(seconds)` trains for about that long, then evaluates the whole picture."""

    def __init__(self, image: np.ndarray, config: FitConfig):
        self.image = image.astype(np.float32)
        self.config = config
        height, width = image.shape[:2]
        self.channels = channels_of(image)
        self.device = check_settings(config, height, width, self.channels)
        generator = torch.Generator().manual_seed(config.seed)
        self.model = build_model(config, self.channels, max(height, width), generator).to(self.device)
        betas = (0.9, 0.99) if config.model == "grid" else (0.9, 0.999)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=config.lr, betas=betas)
        self.coords = pixel_coords(height, width, self.device)
        self.targets = torch.from_numpy(supervision_targets(self.image, config.supervision)).to(self.device)
        self.sampler = torch.Generator(self.device).manual_seed(config.seed)
        self.step, self.total = 0, config.steps
        self.done, self.error, self.reached_target = False, None, False
        self.seconds = 0.0  # training time only; evaluation is not counted
        self.history = History("step", "seconds", "psnr")  # one row per whole-picture evaluation
        self.alignment = np.zeros((3, self.channels))  # the constant or plane added to the network's output
        self.prediction: np.ndarray | None = None  # the last evaluated, aligned reconstruction
        self.evaluated_at = 0.0  # training seconds at the last evaluation
        self._derivatives: tuple[tuple, tuple[np.ndarray, np.ndarray]] | None = None  # (step, size), d/dx and d/dy
        self.slope_scale = slope_scale(*sobel(luminance(self.image)))  # colour scale of the previews

    @staticmethod
    def memory_need(image: np.ndarray, config: FitConfig) -> MemoryNeed:
        """What a job of this picture and config holds and works in, beside other jobs in one worker.

        Measured: 30 default jobs in one worker hold ~45 MB each, not the ~2 MB of their tensors, because the
        allocator cannot give back heap fragmented by the jobs' interleaved steps; a quarter of the working set
        per job covers it."""
        need = memory_need(config, image.shape[0], image.shape[1], channels_of(image))
        return MemoryNeed(held=need.held + need.working // 4, working=need.working)

    def train_step(self) -> float:
        """One Adam step on a random batch of pixels (or all of them); returns the loss."""
        count = self.coords.shape[0]
        if self.config.batch_pixels >= count:
            coords, target = self.coords, self.targets
        else:
            index = torch.randint(count, (self.config.batch_pixels,), device=self.device, generator=self.sampler)
            coords, target = self.coords[index], self.targets[index]
        loss = supervision_loss(self.model, coords, target, self.config.supervision)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def advance(self, seconds: float) -> None:
        """Train for about `seconds`, stop at NaN, the step budget or the target PSNR; evaluate every eval_seconds."""
        if self.done or self.error:
            return
        synchronize(self.device)
        start = time.perf_counter()
        while self.step < self.total and time.perf_counter() - start < seconds:
            loss = self.train_step()  # .item() waits for the device, so the clock is honest
            self.step += 1
            if not math.isfinite(loss):
                self.error = "common.train_diverged"
                break
        self.seconds += time.perf_counter() - start
        if self.seconds - self.evaluated_at < self.config.eval_seconds and self.step < self.total and not self.error:
            return
        self.evaluated_at = self.seconds
        value = self.evaluate()
        if not math.isfinite(value) and self.error is None:
            self.error = "common.train_diverged"
        self.reached_target = value >= self.config.target_psnr
        self.done = self.step >= self.total or self.reached_target

    def evaluate(self) -> float:
        """PSNR of the whole reconstruction (aligned as the supervision allows); appended to the history."""
        height, width = self.image.shape[:2]
        raw = self.forward(height, width)
        value = float("nan")
        if np.all(np.isfinite(raw)):
            self.alignment = alignment(raw.reshape(self.image.shape), self.image, self.config.supervision)
            self.prediction = self.finish(raw, height, width)
            value = psnr(self.prediction, self.image)
        self.history.append(self.step, self.seconds, value)
        return value

    def snapshot(self, preview: bool = False, final: bool = False) -> Snapshot:
        """Progress and the PSNR curve; previews as PNG: the reconstruction, autograd ∂φ/∂x and ∂φ/∂y, the error.

        Final adds what is too costly for every refresh: SSIM, the weights and the alignment (for rendering).
        """
        pictures = None
        if (preview or final) and (self.prediction is None or (final and self.history.step[-1] != self.step)):
            self.evaluated_at = self.seconds
            self.evaluate()
        if (preview or final) and self.prediction is not None:
            gx, gy = self.derivatives(*self.image.shape[:2])
            pictures = {"step": int(self.history.step[-1]), "psnr": self.history.psnr[-1], "reached": self.reached_target,
                        "reconstruction": to_png(self.prediction),
                        "dx": to_png(signed_to_rgb(gx, self.slope_scale)), "dy": to_png(signed_to_rgb(gy, self.slope_scale)),
                        "error": to_png(signed_to_rgb(self.prediction - self.image, 0.1))}
            if final:
                pictures |= {"ssim": ssim(self.prediction, self.image), "alignment": self.alignment.copy()}
        return snapshot_of(self, self.history, pictures, state_arrays(self.model) if final else None)

    @classmethod
    def restored(cls, image: np.ndarray, config: FitConfig, weights: dict[str, np.ndarray],
                 alignment: np.ndarray) -> INRTrainer:
        """A trainer holding a job's final weights and alignment (from its snapshot): for rendering and checks."""
        trainer = cls(image, config)
        trainer.model.load_state_dict({name: torch.from_numpy(value) for name, value in weights.items()})
        trainer.alignment = alignment
        return trainer

    @classmethod
    def from_snapshot(cls, image: np.ndarray, config: FitConfig, snapshot: Snapshot | None) -> INRTrainer | None:
        """The network of a job's final snapshot (after Stop or the end), or None while it trains."""
        if snapshot is None or snapshot.weights is None or snapshot.preview is None:
            return None
        return cls.restored(image, config, snapshot.weights, snapshot.preview["alignment"])

    @torch.no_grad()
    def forward(self, height: int, width: int) -> np.ndarray:
        """The network's raw output at every pixel centre of a height x width picture: (H*W, C), in chunks."""
        coords = pixel_coords(height, width, self.device)
        return torch.cat([self.model(chunk) for chunk in coords.split(CHUNK)]).cpu().numpy().astype(np.float64)

    def finish(self, raw: np.ndarray, height: int, width: int) -> np.ndarray:
        """Add the alignment plane, clip to [0, 1] and shape like the training picture."""
        out = np.clip(raw + plane_basis(height, width) @ self.alignment, 0, 1)
        out = out.reshape(height, width, self.channels).astype(np.float32)
        return out[..., 0] if self.channels == 1 else out

    def render(self, height: int, width: int) -> np.ndarray:
        """The network's picture at any resolution (a continuous image), floats in [0, 1]."""
        return self.finish(self.forward(height, width), height, width)

    def enlarged(self, scale: int) -> tuple[bytes, bytes]:
        """The network rendered at `scale` times the picture's size, beside the picture enlarged bicubically (PNG)."""
        height, width = (scale * side for side in self.image.shape[:2])
        return to_png(self.render(height, width)), to_png(resize(self.image, height, width))

    def derivatives(self, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        """Autograd d/dx and d/dy of the network's luminance at every pixel (no create_graph: display only).

        Kept until the next training step: the page redraws far more often than the network changes.
        """
        key = (self.step, height, width)
        if self._derivatives is None or self._derivatives[0] != key:
            weights = torch.tensor(LUMA if self.channels == 3 else [1.0], device=self.device)
            parts = []
            for chunk in pixel_coords(height, width, self.device).split(CHUNK):
                chunk.requires_grad_(True)
                output = self.model(chunk)
                parts.append(torch.autograd.grad(output, chunk, grad_outputs=weights.expand_as(output))[0].detach())
            grads = torch.cat(parts).cpu().numpy().reshape(height, width, 2)
            self._derivatives = key, (grads[..., 0], grads[..., 1])
        return self._derivatives[1]


@dataclass
class FitResult:
    """A finished fit: its history (step, seconds, psnr), and the trained network for rendering."""

    history: History
    trainer: INRTrainer = field(repr=False)

    @property
    def psnr(self) -> float:
        """The last evaluated PSNR in dB."""
        return self.history.psnr[-1]

    def render(self, height: int, width: int) -> np.ndarray:
        """The network's picture at any resolution, as floats in [0, 1]."""
        return self.trainer.render(height, width)


def fit(image: np.ndarray, config: FitConfig, progress: Callable[[int, float], bool | None] | None = None) -> FitResult:
    """Train until the step budget, the target PSNR, NaN, or `progress(step, psnr)` (after each evaluation) returning False."""
    trainer = INRTrainer(image, config)
    while not (trainer.done or trainer.error):
        trainer.advance(config.eval_seconds)
        if progress is not None and progress(trainer.step, trainer.history.psnr[-1]) is False:
            break
    return FitResult(trainer.history, trainer)


def seconds_to(history: History, target: float) -> float | None:
    """Training seconds at the first evaluation that reached `target` dB, or None."""
    return next((seconds for seconds, value in zip(history.seconds, history.psnr) if value >= target), None)

