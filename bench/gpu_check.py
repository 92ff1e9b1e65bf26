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


def check_network_gradients():
    from core import network_gradients as ng
    config, x = ng.NetConfig(activation="softplus"), (0.5, -0.5)
    cpu, gpu = ng.gradients_at(config, x, "cpu"), ng.gradients_at(config, x, "cuda")
    np.testing.assert_allclose(gpu.flat, cpu.flat, rtol=1e-6, atol=1e-9)
    assert ng.check_double_backprop(config, x, "cuda").passed
    return "network_gradients: gradients equal on cuda, double backprop passes its finite-difference check"


def check_multi_backward():
    from core import multi_backward as mb
    ok = mb.retain_then_second(mb.Setup(depth=2), "cuda")
    bad = mb.step_between(mb.Setup(depth=2), "cuda").scenario
    assert not ok.outcome.raised and bad.outcome.raised and bad.outcome.exception_type == "RuntimeError"
    assert "inplace" in bad.outcome.message
    return "multi_backward: retain_graph works and the in-place error is raised on cuda"


def check_hessian():
    from core import hessian as hs
    cpu, gpu = hs.make_problem(hs.NetConfig(), "cpu"), hs.make_problem(hs.NetConfig(), "cuda")
    vector = [torch.ones_like(p) for p in cpu.params]
    h_cpu = hs.flatten(hs.hvp(cpu.loss_fn, cpu.params, vector)).cpu()
    h_gpu = hs.flatten(hs.hvp(gpu.loss_fn, gpu.params, [v.cuda() for v in vector])).cpu()
    torch.testing.assert_close(h_gpu, h_cpu, rtol=1e-9, atol=1e-9)
    top = hs.top_eigenvalues(gpu.loss_fn, gpu.params, 1, 1e-6)[0]
    exact = torch.linalg.eigvalsh(hs.full_hessian(cpu))[-1].item()
    assert abs(top - exact) <= 1e-4 * abs(exact), (top, exact)
    return f"hessian: H·v equal on cuda, top eigenvalue {top:.6f} vs eigvalsh {exact:.6f}"


def check_maml():
    from core import maml
    config = maml.MetaConfig(device="cuda")
    model = maml.make_model(config.hidden, 0).cuda()
    tasks = maml.sample_tasks(config.meta_batch, config.k_shot, torch.Generator().manual_seed(1), "cuda")
    _, batched = maml.meta_gradient(model, tasks, config, batched=True)
    _, loop = maml.meta_gradient(model, tasks, config, batched=False)
    from core.checks import to_numpy
    relative = np.linalg.norm(to_numpy(batched) - to_numpy(loop)) / np.linalg.norm(to_numpy(loop))
    assert relative < 1e-5, relative
    result = maml.meta_train(maml.MetaConfig(device="cuda", iterations=200))
    assert result.error is None and len(result.history.loss) == 200
    return f"maml: batched = loop meta-gradient on cuda (rel {relative:.1e}); 200 iterations trained"


def check_inr():
    from core import inr
    image = np.random.default_rng(0).random((64, 64)).astype(np.float32)
    lines = []
    for model in inr.MODELS:
        for supervision in ("pixels", "gradients"):
            config = inr.FitConfig(model=model, supervision=supervision, width=32, depth=2, steps=20, device="cuda")
            trainer = inr.INRTrainer(image, config)
            trainer.advance(5)
            assert trainer.error is None, (model, supervision, trainer.error)
            assert inr.derivative_check(trainer.model, trainer.coords[:64]).passed, (model, supervision)
            lines.append(f"{model}/{supervision} step {trainer.step}")
    result = inr.fit(image, inr.FitConfig(steps=200, device="cuda"))
    assert np.isfinite(result.history[-1][2]) and result.render(128, 128).shape == (128, 128)
    return "inr: " + ", ".join(lines) + f"; fit to {result.history[-1][2]:.1f} dB, rendered at 2x"


CHECKS = [check_devices, check_derivatives, check_network_gradients, check_multi_backward, check_hessian, check_maml, check_inr]


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
