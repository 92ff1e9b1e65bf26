"""Benchmark of the INR page: time to 30/35 dB per model and supervision, the speed-up over the SIREN
notebook recipe, and peak resident memory per setting (each in its own process, sampled with psutil).

The picture is the bundled procedural "camera-style" test image, assets/camera.png (CC0, made by
bench/make_assets.py). Times are training seconds (whole-picture evaluations excluded), on
`--threads` torch threads (default 1: on a shared 2-core machine two threads only fight).
`--quick` is a smoke run with tiny budgets: no verdicts are printed.

    .venv/bin/python bench/bench_inr.py [--quick] [--threads 1] [--device cpu] [--baseline-seconds 300]
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
from dataclasses import asdict, replace

import psutil
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from core import images, inr  # noqa: E402
from core.inr import FitConfig  # noqa: E402
from rerun import verdict  # noqa: E402

QUICK = False


def picture(side: int, name: str = "camera.png"):
    """A bundled sample at working resolution."""
    return images.load_image((ROOT / "assets" / name).read_bytes(), side).pixels


def timed_fit(image, config: FitConfig, cap: float, eval_seconds: float) -> inr.FitResult:
    """fit() until the config's target PSNR, its steps, or `cap` training seconds, evaluating every eval_seconds."""
    trainer = inr.INRTrainer(image, replace(config, eval_seconds=eval_seconds))
    while not (trainer.done or trainer.error) and trainer.seconds < cap:
        trainer.advance(eval_seconds)
    return inr.FitResult(trainer.history, trainer)


def fmt(seconds: float | None, cap: float) -> str:
    """A time to a PSNR, or '> cap' when it was not reached."""
    return f"{seconds:7.1f}" if seconds is not None else f"  >{cap:4.0f}"


def speed_table(device: str, baseline_seconds: float, cap: float) -> None:
    """Every model and supervision at 128², then the 256² pixel race against the notebook recipe."""
    image = picture(128)
    ceiling = images.gradient_ceiling(image)
    print(f"\n128×128 camera.png, cap {cap:.0f} s each; Sobel ceiling {ceiling:.2f} dB (gradient target: >= {ceiling - 1.5:.2f} dB)")
    print(f"{'model':8s} {'supervision':11s} {'lr':>7s} {'batch':>6s} {'t30 s':>7s} {'t35 s':>7s} {'t_ceil-1.5':>10s} {'best dB':>8s} {'steps':>6s}")
    rows = {}
    for supervision in inr.SUPERVISIONS:
        for model in inr.MODELS:
            if supervision == "laplacian" and model in ("relu", "grid"):
                continue
            lr, batch = inr.recommended(model, supervision)
            config = FitConfig(model=model, supervision=supervision, lr=lr, batch_pixels=batch, steps=10**6,
                               device=device, target_psnr=35.0 if supervision == "pixels" else ceiling)
            result = timed_fit(image, config, cap, eval_seconds=0.25)
            history = result.history
            best = max(v for _, _, v in history)
            t30, t35 = inr.seconds_to(history, 30), inr.seconds_to(history, 35)
            near = inr.seconds_to(history, ceiling - 1.5) if supervision != "pixels" else None
            rows[model, supervision] = (t30, t35, near)
            print(f"{model:8s} {supervision:11s} {lr:7.0e} {batch:6d} {fmt(t30, cap)} {fmt(t35, cap)} "
                  f"{fmt(near, cap) if supervision != 'pixels' else '':>10s} {best:8.2f} {history[-1][0]:6d}", flush=True)
    t30, t35, _ = rows["siren", "pixels"]
    print(f"target 128² SIREN pixels: 30 dB <= 15 s ({fmt(t30, cap).strip()} s) {verdict(t30 is not None and t30 <= 15, QUICK)}, "
          f"35 dB <= 30 s ({fmt(t35, cap).strip()} s) {verdict(t35 is not None and t35 <= 30, QUICK)}")
    near = rows["siren", "gradients"][2]
    print(f"target 128² SIREN gradients: within 1.5 dB of the ceiling <= 60 s ({fmt(near, cap).strip()} s) "
          f"{verdict(near is not None and near <= 60, QUICK)}")

    image = picture(256)
    print("\n256×256 camera.png, pixels, time to 30 dB: the page's defaults against the SIREN notebook recipe")
    recipe = FitConfig(width=256, depth=3, lr=1e-4, batch_pixels=256 * 256, steps=10**6, device=device, target_psnr=30)
    contenders = [("page default: SIREN 128×3, 4096 px/step, lr 1e-3", FitConfig(steps=10**6, device=device, target_psnr=30)),
                  ("grid (fast path), 4096 px/step, lr 1e-2", FitConfig(model="grid", lr=1e-2, steps=10**6, device=device, target_psnr=30))]
    budget = inr.MEMORY_BUDGET
    inr.MEMORY_BUDGET = 4 * 1024**3  # the recipe's full 65k-pixel batch is above the page's budget: lifted for it only
    baseline = timed_fit(image, recipe, baseline_seconds, eval_seconds=2.0)
    inr.MEMORY_BUDGET = budget
    base30 = inr.seconds_to(baseline.history, 30)
    steps = baseline.history[-1][0]
    print(f"  notebook recipe: SIREN 256×3, full batch, lr 1e-4: {fmt(base30, baseline_seconds).strip()} s "
          f"({steps} steps, {baseline.trainer.seconds / max(steps, 1):.2f} s/step, best {max(v for *_, v in baseline.history):.2f} dB)")
    for name, config in contenders:
        result = timed_fit(image, config, cap, eval_seconds=0.5)
        t = inr.seconds_to(result.history, 30)
        if t is None:
            print(f"  {name}: did not reach 30 dB in {cap:.0f} s {verdict(False, QUICK)}")
            continue
        reference = base30 if base30 is not None else baseline.trainer.seconds
        bound = "" if base30 is not None else ">= "
        print(f"  {name}: {t:.1f} s, speed-up {bound}{reference / t:.1f}x (target >= 10x) {verdict(reference / t >= 10, QUICK)}", flush=True)


def child(config_json: str, side: int, name: str, seconds: float) -> None:
    """In a fresh process: import what the app imports, train with previews, then print peak RSS."""
    import pandas  # noqa: F401  (the app's process holds these too)
    import streamlit  # noqa: F401

    config = FitConfig(**json.loads(config_json))
    image = picture(side, name)
    trainer = inr.INRTrainer(image, config)
    while trainer.seconds < seconds and not trainer.done:
        trainer.advance(0.5)
        trainer.derivatives(*image.shape[:2])
    # VmHWM is this process's own peak; ru_maxrss would include the parent's peak from before exec.
    status = pathlib.Path("/proc/self/status").read_text()
    peak = next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"peak": peak, "steps": trainer.step}))


def peak_rss(config: FitConfig, side: int, name: str, seconds: float, threads: int) -> tuple[int, int]:
    """Peak resident bytes of a child process that trains `config`: max of psutil sampling and its VmHWM."""
    command = [sys.executable, __file__, "--child", json.dumps(asdict(config)), str(side), name, str(seconds),
               "--threads", str(threads)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    sampled = [0]

    def sample() -> None:
        watched = psutil.Process(process.pid)
        while process.poll() is None:
            try:
                sampled[0] = max(sampled[0], watched.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)

    watcher = threading.Thread(target=sample)
    watcher.start()
    out, _ = process.communicate()
    watcher.join()
    report = json.loads(out.strip().splitlines()[-1])
    return max(sampled[0], report["peak"]), report["steps"]


def largest_allowed(supervision: str, side: int, channels: int) -> FitConfig:
    """The biggest slider settings the budget admits: widest, deepest, then the largest batch that fits."""
    for width in (512, 256, 128):
        for batch in (65536, 32768, 16384, 8192, 4096, 2048, 1024):
            config = FitConfig(width=width, depth=6, supervision=supervision, batch_pixels=batch,
                               lr=inr.recommended("siren", supervision)[0])
            if inr.estimate_memory(config, side, side, channels) <= inr.MEMORY_BUDGET:
                return config
    raise RuntimeError("nothing fits")


def memory_table(seconds: float, threads: int) -> None:
    """Peak RSS per setting, each in a fresh process (targets: defaults < 1 GB, largest allowed < 2 GB)."""
    print(f"\npeak resident memory (each in its own process with streamlit and pandas imported; {seconds:.0f} s of training with previews)")
    settings = [("default, pixels, 128² gray", FitConfig(), 128, "camera.png", 1024**3),
                ("default, gradients, 128² gray", FitConfig(supervision="gradients", lr=3e-4, batch_pixels=16384), 128, "camera.png", 1024**3),
                ("default, pixels, 128² colour", FitConfig(), 128, "still_life.png", 1024**3)]
    for supervision in inr.SUPERVISIONS:
        config = largest_allowed(supervision, 256, 3)
        label = f"largest allowed {supervision}: 256² colour, {config.width}×{config.depth}, {config.batch_pixels} px"
        settings.append((label, config, 256, "still_life.png", 2 * 1024**3))
    for label, config, side, name, limit in settings:
        peak, steps = peak_rss(config, side, name, seconds, threads)
        estimate = inr.estimate_memory(config, side, side, 3 if name == "still_life.png" else 1)
        print(f"  {label:62s} peak {peak / 2**20:6.0f} MB (estimate of training tensors {estimate / 2**20:5.0f} MB, {steps} steps) "
              f"target < {limit // 2**20} MB {verdict(peak < limit, QUICK)}", flush=True)


def main() -> None:
    """Parse arguments and run the tables."""
    global QUICK
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny budgets: a smoke run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--baseline-seconds", type=float, default=300.0, help="cap for the notebook recipe")
    parser.add_argument("--child", nargs=4, metavar=("CONFIG", "SIDE", "PICTURE", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.child:
        config, side, name, seconds = args.child
        return child(config, int(side), name, float(seconds))
    QUICK = args.quick
    print(f"torch {torch.__version__}, {args.threads} thread(s), device {args.device}, load average {os.getloadavg()}")
    cap, baseline = (3.0, 5.0) if QUICK else (60.0, args.baseline_seconds)
    speed_table(args.device, baseline, cap)
    memory_table(2.0 if QUICK else 10.0, args.threads)
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
