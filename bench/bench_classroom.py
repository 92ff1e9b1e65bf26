"""Classroom benchmark: a real Streamlit server on one core, real Chromium sessions on the other.

Each scenario starts a fresh server pinned to the first core (`taskset`), drives headless Chromium
sessions (Playwright, one browser context each) from this process on the second core, and compares
what the pages show ("Step N of M") with the bare trainer timed on the server's core while it is idle:
  one               one live session: steps/s >= 0.85x bare (maml, inr, network_gradients)
  twelve            12 sessions, different seeds: aggregate >= 0.8x bare, slowest/fastest >= 0.7 (maml, inr)
  watchers          12 sessions watch one shared run: server CPU per watcher < 1.5% of a core, > 80% left to training
  thirty_identical  30 sessions press Start on the MAML defaults: all finished within 2x one bare run (when
                    the server's message reached each page, and when the page drew it; with the CPU
                    the server and Chromium used meanwhile)
  thirty_inr        30 INR sessions: server+children peak RSS < 2 GB, no exception, a queue (if any) moves;
                    then every tab closes: RSS back within 150 MB of idle within 90 s
  replicas          deploy/run_local.sh: 2 replicas behind nginx, each pinned to its own core, one session each
                    (--sessions N: N each): aggregate steps/s >= 1.6x one replica's with the same load, over
                    two rounds of one then two; on a two-core machine Chromium shares the second replica's core
                    (the CPU shares are printed), and two bare trainers at once show what the machine allows
Server logs go to artifacts/classroom-*.log. `--quick` is a smoke run (3 sessions, short
windows): its verdicts are in brackets, not against the targets. The exit code is always 0.

    .venv/bin/python bench/bench_classroom.py [--scenario all] [--case maml] [--sessions N] [--window 25] [--quick]
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import json
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

import psutil

ROOT = pathlib.Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CORES = sorted(os.sched_getaffinity(0))
SERVER_CORE, BENCH_CORE = CORES[0], CORES[-1]
MB = 2**20
RATE_PATHS = {"maml": "/maml?seed={seed}&maml_iters=10000",  # nobody finishes during the window
              "inr": "/inr?seed={seed}&inr_steps=10000&inr_target=50",
              "network_gradients": "/network_gradients?seed={seed}&ng_steps=10000"}
# Five inner steps a task: at two replicas' speed a 10,000-iteration run of RATE_PATHS ended before the window began
# (its sessions read 0 steps/s).
ROUNDS = 2  # the replicas scenario's rounds of one replica then two
REPLICA_PATHS = {"maml": "/maml?seed={seed}&maml_iters=10000&maml_steps=5",
                 "inr": RATE_PATHS["inr"], "network_gradients": RATE_PATHS["network_gradients"]}
WATCH_PATHS = {"maml": "/maml?maml_iters=10000&maml_steps=5",  # slower runs: still going once twelve have opened
               "inr": "/inr?inr_steps=10000&inr_target=50",
               "network_gradients": "/network_gradients?ng_steps=10000&ng_width=32&ng_depth=4"}
READ = r"""() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const text = main ? main.innerText : '';
  const pattern = /Step ([\d,]+) of ([\d,]+)/;  // a progress bar's text first: the live panel's
  const bars = [...document.querySelectorAll('[data-testid="stProgress"]')].map(e => pattern.exec(e.innerText));
  const m = bars.find(Boolean) || pattern.exec(text);
  const digits = s => parseInt(s.replace(/\D/g, ''), 10);
  return {step: m ? digits(m[1]) : 0, total: m ? digits(m[2]) : 0, queued: text.includes('in line'),
          exception: !!document.querySelector('[data-testid="stException"]')};
}"""
QUICK = False
RESULTS: list[tuple[str, str, bool | None]] = []


def verdict(passed: bool | None) -> str:
    """PASS or FAIL; in brackets on a quick run (not the targets' sizes), n/a when nothing was judged."""
    text = "n/a" if passed is None else ("PASS" if passed else "FAIL")
    return f"({text})" if QUICK and passed is not None else text


def report(target: str, measured: str, passed: bool | None) -> None:
    """Print a figure with its verdict and keep it for the final table."""
    RESULTS.append((target, measured, passed))
    print(f"  {target}: {measured}  {verdict(passed)}", flush=True)


# --- the bare trainer, in a child pinned to the server's core -------------------------------------

def make_trainer(case: str, seed: int, total: int):
    """The trainer a page builds, with the page's default settings (and picture, for INR)."""
    if case == "maml":
        from core import maml
        return maml.MetaTrainer(maml.MetaConfig(seed=seed, iterations=total))
    if case == "inr":
        from core import images, inr
        image = images.load_image((ROOT / "assets" / "camera.png").read_bytes(), 128, False).pixels  # the page's default
        return inr.INRTrainer(image, inr.FitConfig(seed=seed, steps=total, target_psnr=99))
    from core import network_gradients as ng
    config = ng.TrainConfig(net=ng.NetConfig(seed=seed), steps=total)
    try:
        return ng.PenaltyTrainer(config)
    except TypeError:
        return ng.PenaltyTrainer(config, "cpu")


def bare(case: str, seed: int, seconds: float, total: int) -> None:
    """In the child: one torch thread, advance(1.0) until `seconds` or done; print steps, seconds, rate."""
    import torch

    sys.path.insert(0, str(ROOT))
    torch.set_num_threads(1)
    trainer = make_trainer(case, seed, total)
    start = time.perf_counter()
    while not trainer.done and trainer.error is None and time.perf_counter() - start < seconds:
        trainer.advance(1.0)
    elapsed = time.perf_counter() - start
    print(json.dumps({"steps": trainer.step, "seconds": elapsed, "rate": trainer.step / elapsed,
                      "done": bool(trainer.done), "error": trainer.error}))


@functools.lru_cache(maxsize=None)
def bare_run(case: str, seconds: float, total: int = 10**6) -> dict:
    """Run `bare` in a child on the server's core (no server running) and return its figures."""
    command = ["taskset", "-c", str(SERVER_CORE), sys.executable, __file__, "--bare", case,
               "--bare-seconds", str(seconds), "--bare-total", str(total)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bare {case} failed: {done.stderr[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  bare {case} on core {SERVER_CORE}: {result['steps']} steps in {result['seconds']:.1f} s "
          f"= {result['rate']:.1f} steps/s", flush=True)
    return result


def bare_pair(case: str, seconds: float) -> float:
    """What two cores give this machine's trainers: two bare runs at once, each pinned to its own core, against one
    alone on the first core (cores of one host share caches, memory bandwidth and, in a VM, maybe a physical core)."""
    def command(core: int) -> list[str]:
        return ["taskset", "-c", str(core), sys.executable, __file__, "--bare", case, "--bare-seconds", str(seconds)]

    def rate(done: str) -> float:
        return json.loads(done.strip().splitlines()[-1])["rate"]

    alone = rate(subprocess.run(command(CORES[0]), cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    pair = [subprocess.Popen(command(core), cwd=ROOT, stdout=subprocess.PIPE, text=True) for core in CORES[:2]]
    together = [rate(process.communicate()[0]) for process in pair]
    print(f"  bare {case}: {alone:.1f} steps/s alone on core {CORES[0]}; {' + '.join(f'{r:.1f}' for r in together)} "
          f"at once on cores {CORES[0]} and {CORES[1]}", flush=True)
    return sum(together) / alone


# --- the server -------------------------------------------------------------------------------------

def tree_rss(pid: int) -> int:
    """Resident bytes of a process plus all its descendants."""
    total = 0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
    except psutil.NoSuchProcess:
        pass
    return total


class Server:
    """A fresh app on a free loopback port, pinned to the server core; its tree's RSS sampled every 0.5 s."""

    def __init__(self, name: str):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        ARTIFACTS.mkdir(exist_ok=True)
        self.log_path = ARTIFACTS / f"classroom-{name}.log"
        self.log = open(self.log_path, "wb")  # a file, not a pipe: an unread pipe blocks the server
        self.process = subprocess.Popen(
            ["taskset", "-c", str(SERVER_CORE), sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        self.samples: list[tuple[float, int]] = []
        self.stopped = threading.Event()

    def __enter__(self) -> "Server":
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            self.__exit__()
            raise RuntimeError("the app did not start: " + self.log_path.read_text(errors="replace")[-1000:])
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _sample(self) -> None:
        while not self.stopped.wait(0.5):
            self.samples.append((time.perf_counter(), tree_rss(self.process.pid)))

    def rss_at(self, t: float) -> int:
        """The first sample at or after `t` (the last one if none is that late)."""
        return next((rss for when, rss in self.samples if when >= t), self.samples[-1][1] if self.samples else 0)

    def peak(self, t0: float, t1: float = float("inf")) -> tuple[int, float]:
        """Largest sample between t0 and t1, and when (seconds after t0)."""
        rss, when = max(((rss, when) for when, rss in self.samples if t0 <= when <= t1), default=(0, t0))
        return rss, when - t0

    def __exit__(self, *_) -> None:
        self.stopped.set()
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for child in children:  # workers the server left behind
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        self.log.close()


# --- browser sessions ------------------------------------------------------------------------------

@dataclass
class Session:
    page: object
    clicked: float = 0.0
    clicked_epoch: float = 0.0  # the same moment on the wall clock, which pages share
    clicked_monotonic: float = 0.0  # and on the monotonic clock, which Chromium's network events use
    samples: list = field(default_factory=list)  # (time, step, total)
    exception: bool = False
    queued: bool = False
    arrivals: list = field(default_factory=list)  # monotonic times of server messages carrying a marker

    def step(self) -> int:
        return self.samples[-1][1] if self.samples else 0

    def finished_at(self) -> float | None:
        """When this session first showed step == total."""
        return next((t for t, step, total in self.samples if total and step >= total), None)


def open_sessions(browser, base: str, paths: list[str], timeout_s: float, marker: bytes | None = None) -> list[Session]:
    """One context per path, all navigating at once; wait until each shows its Start button. With a marker,
    each session records when server messages carrying it arrive (`record_arrivals`)."""
    sessions = []
    for path in paths:
        session = Session(browser.new_context(viewport={"width": 1400, "height": 1600}).new_page())
        if marker:
            record_arrivals(session, marker)
        session.page.goto(base + path, wait_until="commit", timeout=timeout_s * 1000)
        sessions.append(session)
    for session in sessions:
        session.page.get_by_role("button", name="Start").first.wait_for(timeout=timeout_s * 1000)
    return sessions


def click_start(sessions: list[Session]) -> None:
    """Press the training section's Start in every session, noting when."""
    for session in sessions:
        session.page.get_by_role("button", name="Start").first.click()
        session.clicked, session.clicked_epoch, session.clicked_monotonic = time.perf_counter(), time.time(), time.monotonic()


def poll(sessions: list[Session], until, timeout_s: float) -> bool:
    """Read every page's progress about every 0.5 s until `until(sessions)` or the timeout."""
    deadline = time.perf_counter() + timeout_s
    while True:
        for session in sessions:
            info = session.page.evaluate(READ)
            session.samples.append((time.perf_counter(), info["step"], info["total"]))
            session.exception |= info["exception"]
            session.queued |= info["queued"]
        if until(sessions):
            return True
        if time.perf_counter() >= deadline:
            return False
        time.sleep(0.5)


def all_started(sessions: list[Session]) -> bool:
    return all(s.step() > 0 for s in sessions)


def rate(session: Session, t0: float) -> float:
    """Steps/s from t0 on, between the first and last times the shown step changed (a finished run's end excluded)."""
    shown = [(t, step) for t, step, total in session.samples if t >= t0 and step < total]
    moved = [b for a, b in zip(shown, shown[1:]) if b[1] != a[1]]
    points = moved if len(moved) >= 2 else shown[:1] + shown[-1:]  # under two refreshes: the window's ends
    if len(points) < 2 or points[-1][0] <= points[0][0]:
        return 0.0
    return (points[-1][1] - points[0][1]) / (points[-1][0] - points[0][0])


def close(sessions: list[Session]) -> None:
    """Close every session's browser context (its tab and websocket)."""
    for session in sessions:
        session.page.context.close()


def measured_rates(browser, case: str, n: int, window: float, timeout_s: float) -> list[float]:
    """n sessions of `case` (seeds 1..n) on a fresh server: each one's steps/s over `window` once all have started."""
    with Server(f"{case}-x{n}") as server:
        return rates_at(browser, server.base, case, n, window, timeout_s)


def rates_at(browser, base: str, case: str, n: int, window: float, timeout_s: float, sessions_out: list | None = None,
             paths: dict = RATE_PATHS, cpu=None) -> list[float]:
    """n sessions of `case` (seeds 1..n) opened on `base`: each one's steps/s over `window` once all have started.
    `cpu`, if given, returns CPU seconds by name: their share of a core over the window is printed."""
    sessions = open_sessions(browser, base, [paths[case].format(seed=seed) for seed in range(1, n + 1)], timeout_s)
    click_start(sessions)
    if not poll(sessions, all_started, timeout_s):
        print(f"  only {sum(s.step() > 0 for s in sessions)} of {n} sessions started within {timeout_s:.0f} s")
    t0, before = time.perf_counter(), cpu() if cpu else {}
    poll(sessions, lambda _: False, window)
    elapsed = time.perf_counter() - t0
    print(f"  window {elapsed:.1f} s from {t0 - min(s.clicked for s in sessions):.1f} s after the first Start; "
          f"exceptions shown: {sum(s.exception for s in sessions)}", flush=True)
    if cpu:
        shares = {name: (seconds - before.get(name, 0.0)) / elapsed for name, seconds in cpu().items()}
        print("  share of a core over the window: " + ", ".join(f"{name} {share:.2f}" for name, share in shares.items()))
    rates = [rate(s, t0) for s in sessions]
    if sessions_out is not None:
        sessions_out.extend(next((c["value"] for c in s.page.context.cookies() if c["name"] == "autograd_replica"), "?")
                            for s in sessions)
    close(sessions)
    return rates


# --- scenarios -------------------------------------------------------------------------------------

def one(browser, case: str, args) -> None:
    """Target 1: one session live trains at >= 0.85x the bare trainer."""
    print(f"\none session, {case}", flush=True)
    base = bare_run(case, args.bare_seconds)["rate"]
    [live] = measured_rates(browser, case, 1, args.window, args.timeout)
    report(f"one {case} session / bare (>= 0.85)", f"{live:.1f} / {base:.1f} steps/s = {live / base:.2f}", live >= 0.85 * base)


def twelve(browser, case: str, args) -> None:
    """Target 2: sessions with different seeds at once: aggregate >= 0.8x bare, slowest/fastest >= 0.7."""
    n = args.sessions or (3 if QUICK else 12)
    print(f"\n{n} sessions at once, {case}", flush=True)
    base = bare_run(case, args.bare_seconds)["rate"]
    rates = measured_rates(browser, case, n, args.window, args.timeout)
    print("  per session steps/s: " + " ".join(f"{r:.1f}" for r in rates))
    total, fairness = sum(rates), min(rates) / max(max(rates), 1e-9)
    report(f"{n} {case} sessions, aggregate / bare (>= 0.8)", f"{total:.1f} / {base:.1f} steps/s = {total / base:.2f}", total >= 0.8 * base)
    report(f"{n} {case} sessions, slowest / fastest (>= 0.7)", f"{min(rates):.1f} / {max(rates):.1f} = {fairness:.2f}", fairness >= 0.7)


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) of the server process itself, and of all its children (the job workers)."""
    root = psutil.Process(pid)
    children = 0.0
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            children += sum(child.cpu_times()[:2])
    return sum(root.cpu_times()[:2]), children


def watchers(browser, case: str, args) -> None:
    """Redraw cost: n sessions watch one shared run; the server's own CPU per watcher (< 1.5% of a core),
    and what is left to training (> 80%)."""
    n = args.sessions or (3 if QUICK else 12)
    print(f"\n{n} sessions watching one shared {case} run", flush=True)
    with Server(f"{case}-watchers-x{n}") as server:
        sessions = open_sessions(browser, server.base, [WATCH_PATHS[case]] * n, args.timeout)
        click_start(sessions)
        poll(sessions, all_started, args.timeout)
        t0, (server0, workers0) = time.perf_counter(), cpu_seconds(server.process.pid)
        poll(sessions, lambda _: False, min(args.window, 6))  # short: the run must not end (a worker is recycled then)
        elapsed, (server1, workers1) = time.perf_counter() - t0, cpu_seconds(server.process.pid)
        unfinished = all(s.step() < s.samples[-1][2] for s in sessions)
        close(sessions)
    if not unfinished:
        print("  the run finished inside the window: the figures below are not a measurement")
    per_watcher, training = (server1 - server0) / elapsed / n, (workers1 - workers0) / elapsed
    print(f"  over {elapsed:.1f} s: server process {server1 - server0:.2f} CPU-s, workers {workers1 - workers0:.2f} CPU-s")
    report(f"{n} {case} watchers, server CPU per watcher (< 1.5% of a core)", f"{100 * per_watcher:.2f}%",
           per_watcher < 0.015 if unfinished else None)
    report(f"{n} {case} watchers, core share left to training (> 80%)", f"{100 * training:.0f}%",
           training > 0.8 if unfinished else None)


SEEN_FINISHED = r"""() => {  // the page's own clock: when it first drew "Step M of M"
  const check = () => {
    const bars = [...document.querySelectorAll('[data-testid="stProgress"]')].map(e => /Step ([\d,]+) of ([\d,]+)/.exec(e.innerText));
    const m = bars.find(Boolean);
    if (m && m[1] === m[2] && !window.__finished) window.__finished = Date.now();
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU seconds of this process's children other than the server's tree: Chromium's processes."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.pid != server_pid and server_pid not in [p.pid for p in child.parents()]:
                total += sum(child.cpu_times()[:2])
    return total


def record_arrivals(session: Session, marker: bytes) -> None:
    """Note in `session.arrivals` when the browser's network stack received websocket frames carrying `marker`,
    on its monotonic clock (CLOCK_MONOTONIC on Linux, as this process's): when the server's drawing reached the
    page, before the page drew it. Set up before the page opens its websocket."""
    cdp = session.page.context.new_cdp_session(session.page)

    def received(event: dict) -> None:
        if event["response"]["opcode"] == 2 and marker in base64.b64decode(event["response"]["payloadData"]):
            session.arrivals.append(event["timestamp"])

    cdp.on("Network.webSocketFrameReceived", received)
    cdp.send("Network.enable")


def time_to_finish(browser, n: int, timeout_s: float) -> list[tuple[float | None, float | None]]:
    """n sessions press Start on the MAML defaults on a fresh server. For each: seconds from its click to the
    server's finished-run message reaching the page, and to the page drawing it (on the page's own clock).
    Prints the CPU the server, its workers and Chromium used meanwhile."""
    with Server(f"maml-identical-x{n}") as server:
        sessions = open_sessions(browser, server.base, ["/maml"] * n, timeout_s, marker=b"Step 3000 of 3000")
        for session in sessions:
            session.page.evaluate(SEEN_FINISHED)
        pid = server.process.pid
        (server0, workers0), browser0, t0 = cpu_seconds(pid), browser_cpu_seconds(pid), time.perf_counter()
        click_start(sessions)
        poll(sessions, lambda ss: all(s.finished_at() for s in ss), timeout_s)
        (server1, workers1), browser1 = cpu_seconds(pid), browser_cpu_seconds(pid)
        clicks = [s.clicked for s in sessions]
        print(f"  the {n} clicks took {max(clicks) - min(clicks):.1f} s; over {time.perf_counter() - t0:.1f} s: server process "
              f"{server1 - server0:.1f} CPU-s, workers still alive {workers1 - workers0:.1f} CPU-s, "
              f"Chromium {browser1 - browser0:.1f} CPU-s", flush=True)
        if any(s.exception for s in sessions):
            print(f"  {sum(s.exception for s in sessions)} sessions showed an exception")
        drawn = [s.page.evaluate("() => window.__finished || null") for s in sessions]
        close(sessions)
    return [(min(s.arrivals) - s.clicked_monotonic if s.arrivals else None,
             finished / 1000 - s.clicked_epoch if finished else None) for s, finished in zip(sessions, drawn)]


def thirty_identical(browser, args) -> None:
    """Target 3: 30 sessions on identical MAML defaults all see the finished run within 2x one bare run; judged
    on when each page drew it, with when the server's message reached it beside (the server's part alone)."""
    n = args.sessions or (3 if QUICK else 30)
    print(f"\n{n} sessions press Start on the MAML defaults (3,000 iterations)", flush=True)
    alone = bare_run("maml", 10**6, 3000)["seconds"]
    limit = 2 * alone
    [(delivered, drawn)] = time_to_finish(browser, 1, args.timeout)
    print("  one browser session alone, click to finished run: " + (
        f"reached the page {delivered:.1f} s, drawn {drawn:.1f} s" if drawn else f"not drawn in {args.timeout:.0f} s"))
    timeout = min(args.timeout, max(3 * limit, 120))
    times = time_to_finish(browser, n, timeout)
    for name, column in (("reached the page", 0), ("drawn", 1)):
        done = [row[column] for row in times if row[column] is not None]
        slowest = f"{max(done):.1f} s (fastest {min(done):.1f} s)" if len(done) == n else \
            f"> {timeout:.0f} s ({len(done)} of {n})"
        report(f"{n} identical MAML runs, slowest click to finished run {name} (<= 2x bare {alone:.1f} s = {limit:.1f} s)",
               slowest, len(done) == n and max(done) <= limit)


def thirty_inr(browser, args) -> None:
    """Targets 4 and 5: INR sessions' peak server memory, exceptions and queue; then memory after every tab closes."""
    n = args.sessions or (3 if QUICK else 30)
    print(f"\n{n} INR sessions at default settings, different seeds; then the class closes its tabs", flush=True)
    with Server(f"inr-memory-x{n}") as server:
        started = time.perf_counter()
        [probe] = open_sessions(browser, server.base, ["/inr"], args.timeout)
        poll([probe], lambda _: False, 2)
        close([probe])
        time.sleep(15)
        idle = tree_rss(server.process.pid)
        t_open = time.perf_counter()
        sessions = open_sessions(browser, server.base, [f"/inr?seed={seed}" for seed in range(1, n + 1)], args.timeout)
        opened = tree_rss(server.process.pid)
        click_start(sessions)
        moved = poll(sessions, all_started, args.timeout)
        t_started = time.perf_counter()
        poll(sessions, lambda _: False, args.window)
        peak, peak_at = server.peak(t_open)
        t_close = time.perf_counter()
        at_close = server.rss_at(t_close)
        close(sessions)
        time.sleep(91 if not QUICK else 0)  # the whole curve; a quick run stops once it is back
        while time.perf_counter() < t_close + 91 and tree_rss(server.process.pid) > idle + 150 * MB:
            time.sleep(0.5)
        back = next((t - t_close for t, rss in server.samples if t > t_close and rss <= idle + 150 * MB), None)
        back = back if back is not None and back <= 90 else None
        marks = {f"+{s} s": server.rss_at(t_close + s) for s in (10, 30, 60, 90) if t_close + s <= time.perf_counter()}
        print(f"  memory (server + children): idle {idle / MB:.0f} MB ({t_open - started:.0f} s after start), "
              f"{n} pages open {opened / MB:.0f} MB, all started {server.rss_at(t_started) / MB:.0f} MB, "
              f"peak {peak / MB:.0f} MB ({peak_at:.0f} s after opening), at close {at_close / MB:.0f} MB; after close: "
              + ", ".join(f"{k} {v / MB:.0f} MB" for k, v in marks.items()), flush=True)
    exceptions, queued = sum(s.exception for s in sessions), sum(s.queued for s in sessions)
    print(f"  {sum(s.step() > 0 for s in sessions)} of {n} sessions reached step > 0 "
          f"({t_started - t_open:.0f} s after opening); {queued} showed a queue message ('in line')")
    report(f"{n} INR sessions, peak RSS server + children (< 2048 MB)", f"{peak / MB:.0f} MB", peak < 2 * 1024 * MB)
    report(f"{n} INR sessions, sessions showing an exception (0)", str(exceptions), exceptions == 0)
    report(f"{n} INR sessions, the queue moves (all reach step > 0 within {args.timeout:.0f} s)",
           "no queue shown" if not queued else ("yes" if moved else "no"), moved if queued else None)
    report("after closing, back within 150 MB of idle (<= 90 s)",
           f"{back:.1f} s" if back is not None else f"no: {server.rss_at(t_close + 90) / MB:.0f} MB vs idle {idle / MB:.0f} MB",
           back is not None)


# --- replicas behind nginx (deploy/run_local.sh) ----------------------------------------------------

def free_port_run(n: int) -> int:
    """The first of n consecutive loopback ports that nothing holds (Chromium's own connections take ports from the
    same range, and run_local.sh refuses a port in use)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + n):
                    held.enter_context(socket.socket()).bind(("127.0.0.1", port))
            except OSError:
                continue
        return first


class Replicas:
    """deploy/run_local.sh n on free ports, replica i pinned to core CORES[i] with one job worker; its base URL."""

    def __init__(self, n: int):
        first = free_port_run(n + 1)
        self.run_dir = ARTIFACTS / f"classroom-replicas-x{n}"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "AUTOGRAD_JOB_WORKERS": "1", "AUTOGRAD_RUN_DIR": str(self.run_dir),
               "AUTOGRAD_PROXY_PORT": str(first), "AUTOGRAD_REPLICA_PORT": str(first + 1),
               "AUTOGRAD_REPLICA_CORES": " ".join(str(CORES[i % len(CORES)]) for i in range(n))}
        self.log = open(self.run_dir / "run_local.out", "wb")
        # nginx (a child of the script) stays on this process's core; the replicas are pinned by the script.
        self.process = subprocess.Popen(["bash", str(ROOT / "deploy" / "run_local.sh"), str(n)], cwd=ROOT, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self) -> str:
        deadline = time.time() + 150
        while not (self.run_dir / "ready").exists():
            if self.process.poll() is not None or time.time() > deadline:
                self.__exit__()
                raise RuntimeError("run_local.sh did not start: " + (self.run_dir / "run_local.out").read_text()[-1000:])
            time.sleep(0.3)
        return (self.run_dir / "ready").read_text().strip()

    def cpu(self) -> dict[str, float]:
        """CPU seconds of each replica (its server and job workers) and of Chromium (this process's other children)."""
        found, served = {}, set()
        for line in (self.run_dir / "replicas.tsv").read_text().splitlines():
            name, _, pid = line.split("\t")
            with contextlib.suppress(psutil.Error):
                tree = [psutil.Process(int(pid)), *psutil.Process(int(pid)).children(recursive=True)]
                served.update(p.pid for p in tree)
                found[name] = sum(sum(p.cpu_times()[:2]) for p in tree)
        found["chromium"] = sum(sum(p.cpu_times()[:2]) for p in psutil.Process().children(recursive=True)
                                if p.pid not in served and "chrom" in p.name().lower())
        return found

    def __exit__(self, *_) -> None:
        self.process.terminate()  # the script stops nginx and every replica's process group
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def replicas(browser, args) -> None:
    """Two replicas behind nginx, each on its own core: aggregate steps/s >= 1.6x one replica's (same load per replica).

    The browsers share the second replica's core and get their share of it: Playwright starts Chromium in a session of
    its own, so it has an autogroup of its own, where a nice value does not reach the replicas' processes, and
    lowering that autogroup's priority starves it (page reads then took over a minute). They are kept light by
    number instead: one session per replica unless --sessions says more; the window's CPU shares say what they took."""
    per = args.sessions or 1
    case = args.case or "maml"
    totals, homes = {1: 0.0, 2: 0.0}, []
    for round_ in range(1, ROUNDS + 1):  # one, two, one, two: a slow spell of this shared host hits both
        print(f"\nreplicas behind nginx, round {round_} of {ROUNDS}: {per} {case} session(s) per replica", flush=True)
        for n in (1, 2):
            with (replicas_ := Replicas(n)) as base:
                rates = rates_at(browser, base, case, n * per, args.window, args.timeout, homes if n == 2 else None,
                                 REPLICA_PATHS, replicas_.cpu)
            print(f"  {n} replica(s), per session steps/s: {' '.join(f'{r:.1f}' for r in rates)}", flush=True)
            totals[n] += sum(rates)
    ceiling = bare_pair(case, args.bare_seconds)
    report(f"2 replicas / 1 replica, aggregate {case} steps/s, {per} session(s) each (>= 1.6)",
           f"{totals[2]:.1f} / {totals[1]:.1f} = {totals[2] / max(totals[1], 1e-9):.2f}", totals[2] >= 1.6 * totals[1])
    report("the machine itself: 2 bare trainers at once / 1 alone (no target)", f"{ceiling:.2f}", None)
    report("sessions spread over both replicas", " ".join(sorted(set(homes))), set(homes) == {"r0", "r1"})


SCENARIOS = {"one": one, "twelve": twelve, "watchers": watchers, "thirty_identical": thirty_identical,
             "thirty_inr": thirty_inr, "replicas": replicas}


def main() -> None:
    """Pin this process, run the chosen scenarios in one Chromium, print the table; exit 0 whatever happened."""
    global QUICK
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="all", choices=[*SCENARIOS, "all"])
    parser.add_argument("--case", choices=list(RATE_PATHS), help="only this page (scenarios one, twelve and watchers)")
    parser.add_argument("--sessions", type=int, help="sessions for twelve / thirty_* (default 12 / 30; 3 with --quick)")
    parser.add_argument("--window", type=float, help="seconds of live steps to measure (default 25; 8 with --quick)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for pages to open, start or finish")
    parser.add_argument("--quick", action="store_true", help="3 sessions and short windows: a smoke run")
    parser.add_argument("--bare", choices=list(RATE_PATHS), help="internal: time the bare trainer in this process")
    parser.add_argument("--bare-seconds", type=float, help="seconds of bare training (default 15; 5 with --quick)")
    parser.add_argument("--bare-total", type=int, default=10**6, help="internal: the bare trainer's step budget")
    parser.add_argument("--seed", type=int, default=0, help="internal: the bare trainer's seed")
    args = parser.parse_args()
    QUICK = args.quick
    args.window = args.window or (8.0 if QUICK else 25.0)
    args.bare_seconds = args.bare_seconds or (5.0 if QUICK else 15.0)
    if args.bare:
        return bare(args.bare, args.seed, args.bare_seconds, args.bare_total)
    if len(CORES) >= 2:
        os.sched_setaffinity(0, {BENCH_CORE})  # Chromium, started below, inherits it
    from playwright.sync_api import sync_playwright

    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        print(f"server on core {SERVER_CORE}, this process and Chromium {browser.version} on core "
              f"{BENCH_CORE if len(CORES) >= 2 else SERVER_CORE}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
              f"{'quick' if QUICK else 'full'} run, window {args.window:.0f} s", flush=True)
        for name in scenarios:
            cases = {"one": list(RATE_PATHS), "twelve": ["maml", "inr"], "watchers": list(RATE_PATHS)}.get(name, [None])
            for case in ([args.case] if args.case and cases != [None] else cases):
                try:
                    SCENARIOS[name](browser, case, args) if case else SCENARIOS[name](browser, args)
                except Exception as error:  # a benchmark reports and goes on
                    report(f"{name} {case or ''}".strip(), f"error: {type(error).__name__}: {str(error)[:200]}", False)
                finally:
                    for context in browser.contexts:  # left open by a scenario that failed
                        context.close()
        browser.close()
    print(f"\n{'target':78s} {'measured':42s} verdict")
    for target, measured, passed in RESULTS:
        print(f"{target:78s} {measured:42s} {verdict(passed)}")
    print(f"\nload average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
