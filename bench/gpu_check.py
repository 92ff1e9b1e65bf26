"""One short CUDA check of the core modules: each result on the GPU against the same on the CPU.

Run on a machine with a GPU: python bench/gpu_check.py  (exits non-zero on any mismatch)
"""
from __future__ import annotations

import sys
import pathlib
import traceback

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))


def check_devices():
    from core.devices import available_devices, resolve
    names = [d.name for d in available_devices()]
    assert "cuda:0" in names, names
    assert resolve("cuda") == torch.device("cuda", 0)
    return f"devices: {[(d.name, d.description) for d in available_devices()]}"


def check_derivatives():
    from core import derivatives
    cpu = derivatives.nth_derivatives("sin(x)*exp(x)/(1 + x**2)", 0.7, 6, "cpu")
    gpu = derivatives.nth_derivatives("sin(x)*exp(x)/(1 + x**2)", 0.7, 6, "cuda")
    np.testing.assert_allclose(gpu, cpu, rtol=1e-12)
    _, rows_cpu = derivatives.derivative_curves("2*x**3 + tanh(x)", -3, 3, 4, device="cpu")
    _, rows_gpu = derivatives.derivative_curves("2*x**3 + tanh(x)", -3, 3, 4, device="cuda")
    np.testing.assert_allclose(rows_gpu, rows_cpu, rtol=1e-10, atol=1e-10)
    return "derivatives: nth_derivatives and batched curves equal on cuda"


CHECKS = [check_devices, check_derivatives]


def main() -> int:
    failures = 0
    print(torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA")
    for check in CHECKS:
        try:
            print("PASS", check())
        except Exception:
            failures += 1
            print("FAIL", check.__name__)
            traceback.print_exc()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
