"""Independent references that several test files use: float64 central differences over a flat vector."""
from __future__ import annotations

import torch


def central_difference(f, theta: torch.Tensor, h: float = 1e-6) -> torch.Tensor:
    """∂f/∂θᵢ for every i by float64 central differences."""
    out = torch.empty_like(theta)
    for i in range(theta.numel()):
        step = torch.zeros_like(theta)
        step[i] = h
        out[i] = (f(theta + step) - f(theta - step)) / (2 * h)
    return out


def unflatten(flat: torch.Tensor, params: dict) -> dict:
    """A flat vector back into a {name: tensor} dict shaped like `params`."""
    pieces = torch.split(flat, [p.numel() for p in params.values()])
    return {name: piece.view_as(p) for (name, p), piece in zip(params.items(), pieces)}
