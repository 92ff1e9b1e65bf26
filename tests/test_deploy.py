"""Deployment: the nginx configuration, deploy/run_local.sh, and six browser sessions over two replicas."""
from __future__ import annotations

import io
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import time
import tomllib

import pytest

from test_browser import _require_browser, browser, choose_upload, wait_for_step, wait_until_idle  # noqa: F401 (browser: a fixture)
from ui.i18n.common import STRINGS
from ui.live import previous_session

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "deploy" / "run_local.sh"
NOTICE = STRINGS["common.server_restarted"]["en"].split(",")[0]  # "The server restarted"


def _require_nginx() -> str:
    """nginx's path; where it is missing, a skip, except in CI (REQUIRE_BROWSER=1), where that is a failure."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if found is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("the deployment tests need nginx (apt-get install nginx)")
        pytest.skip("the deployment tests need nginx")
    return found


def free_ports(n: int) -> int:
    """The first of n consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + n < 65535 and all(_free(first + i) for i in range(n)):
            return first
    raise RuntimeError("no run of free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def render(tmp_path: pathlib.Path, *hosts: str) -> pathlib.Path:
    """The script's configuration for `hosts`, written under tmp_path, with its prefix there too."""
    done = subprocess.run(["bash", str(SCRIPT), "--render", *hosts], capture_output=True, text=True, check=True,
                          env={**os.environ, "AUTOGRAD_RUN_DIR": str(tmp_path), "AUTOGRAD_PROXY_LISTEN": "127.0.0.1:18080"})
    path = tmp_path / "nginx.conf"
    path.write_text(done.stdout)
    return path


@pytest.mark.parametrize("replicas", [1, 2, 3])
def test_the_rendered_configuration_passes_nginx_t(tmp_path, replicas):
    nginx = _require_nginx()
    conf = render(tmp_path, *[f"127.0.0.1:{18501 + i}" for i in range(replicas)])
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    backups = [line for line in text.splitlines() if line.strip().startswith("server ") and " backup " in line]
    assert len(backups) == replicas * (replicas - 1)  # each replica's group falls back on all the others
    assert not re.search(r"@[A-Z_]+@", text)  # every template field filled


def test_uploads_nginx_lets_through_match_streamlits_limit(tmp_path):
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    text = render(tmp_path, "127.0.0.1:18501").read_text()
    assert f"client_max_body_size {limit}m;" in text
    assert "proxy_read_timeout 1d;" in text and "Upgrade $http_upgrade" in text


@pytest.mark.parametrize("which", ["AUTOGRAD_PROXY_PORT", "AUTOGRAD_REPLICA_PORT"])
def test_the_script_refuses_a_port_in_use(tmp_path, which):
    _require_nginx()
    first = free_ports(3)
    with socket.socket() as held:
        held.bind(("127.0.0.1", first))
        held.listen()
        env = {**os.environ, "AUTOGRAD_PROXY_PORT": str(first + 2), "AUTOGRAD_REPLICA_PORT": str(first + 1),
               which: str(first), "AUTOGRAD_RUN_DIR": str(tmp_path)}
        started = time.time()
        done = subprocess.run(["bash", str(SCRIPT), "2"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    assert f"port {first} " in done.stderr and "already in use" in done.stderr and which in done.stderr
    assert time.time() - started < 20 and not (tmp_path / "replicas.tsv").exists()  # refused before starting anything


def test_the_script_refuses_a_bad_replica_count():
    done = subprocess.run(["bash", str(SCRIPT), "two"], capture_output=True, text=True)
    assert done.returncode == 2 and "usage" in done.stderr


def test_a_reconnecting_browser_names_its_previous_session():
    assert previous_session("streamlit, 2|abc|def|123, 3f2a-session") == "3f2a-session"
    assert previous_session("streamlit, PLACEHOLDER_AUTH_TOKEN") is None  # a first connection
    assert previous_session("streamlit, token, ") is None
    assert previous_session("") is None


def test_the_dockerfile_runs_as_a_user_with_a_health_check():
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "HEALTHCHECK" in text and "/_stcore/health" in text
    user = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    assert "download.pytorch.org/whl/cpu" in text  # the CPU build of torch


# --- through nginx, in Chromium ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """deploy/run_local.sh 2 on free ports: (base URL, {replica name: (port, pid)}, run dir)."""
    _require_browser()
    _require_nginx()
    run_dir = tmp_path_factory.mktemp("replicas")
    first = free_ports(3)
    env = {name: value for name, value in os.environ.items() if name != "AUTOGRAD_JOB_WORKERS"}
    env.update(AUTOGRAD_JOB_WORKERS="1", AUTOGRAD_RUN_DIR=str(run_dir), AUTOGRAD_PROXY_PORT=str(first),
               AUTOGRAD_REPLICA_PORT=str(first + 1))
    log = open(run_dir / "run_local.out", "wb")
    script = subprocess.Popen(["bash", str(SCRIPT), "2"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 150
    while not (run_dir / "ready").exists():
        if script.poll() is not None or time.time() > deadline:
            script.kill()
            pytest.fail("run_local.sh did not get ready: " + (run_dir / "run_local.out").read_text()[-2000:])
        time.sleep(0.3)
    table = {}
    for line in (run_dir / "replicas.tsv").read_text().splitlines():
        name, port, pid = line.split("\t")
        table[name] = (int(port), int(pid))
    yield (run_dir / "ready").read_text().strip(), table, run_dir
    script.send_signal(signal.SIGTERM)
    script.wait(timeout=40)
    log.close()
    import psutil

    left = [p for p in psutil.process_iter(["pid", "status"]) if p.info["status"] != psutil.STATUS_ZOMBIE
            and _group(p.info["pid"]) in {pid for _, pid in table.values()}]
    assert not left, f"run_local.sh's stop left replica processes behind: {left}"


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


class Tab:
    """One browser session (its own context, so its own cookie) and the replica that answered each response."""

    def __init__(self, browser, url: str):
        self.page = browser.new_context(viewport={"width": 1400, "height": 1800}).new_page()
        self.answered: list[str] = []
        self.sockets: list[str] = []
        self.page.on("response", lambda r: self.answered.append(r.headers.get("x-autograd-replica", r.url)))
        self.page.on("websocket", lambda ws: self.sockets.append(ws.url))
        self.page.goto(url)
        wait_until_idle(self.page)

    def cookie(self) -> str | None:
        return next((c["value"] for c in self.page.context.cookies() if c["name"] == "autograd_replica"), None)

    def no_exception(self) -> None:
        exceptions = self.page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()


def picture(path: pathlib.Path) -> pathlib.Path:
    from PIL import Image

    image = Image.new("RGB", (48, 32))
    image.putdata([(x * 5, y * 7, 100) for y in range(32) for x in range(48)])
    image.save(path)
    return path


def upload_train_and_download(tab: Tab, tmp_path: pathlib.Path) -> None:
    """On the INR page: upload a picture (a POST to the replica), train it to the end, download the PNG (media)."""
    choose_upload(tab.page)
    tab.page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(picture(tmp_path / "ramp.png")))
    tab.page.get_by_text("ramp.png", exact=False).first.wait_for(timeout=60_000)
    wait_until_idle(tab.page)
    tab.page.get_by_role("button", name="Start").first.click()
    download = tab.page.get_by_role("button", name="Download the reconstruction")
    download.first.wait_for(timeout=90_000)
    with tab.page.expect_download() as got:
        download.first.click()
    from PIL import Image

    assert got.value.failure() is None
    width, height = Image.open(io.BytesIO(pathlib.Path(got.value.path()).read_bytes())).size
    assert abs(width / height - 48 / 32) < 0.03  # the uploaded picture, at the page's working resolution


def rerun(tab: Tab) -> None:
    """A full rerun from the page itself: change the sidebar's seed."""
    seed = tab.page.locator('[data-testid="stSidebar"] [data-testid="stNumberInput"] input').first
    seed.fill(str(int(seed.input_value() or 0) + 1))
    seed.press("Enter")
    wait_until_idle(tab.page)


def test_six_sessions_through_nginx_keep_their_replica_and_survive_a_dead_one(replicas, browser, tmp_path):
    base, table, run_dir = replicas
    kinds = ["inr", "maml", "maml", "maml", "maml", "maml"]
    tabs = []
    for i, kind in enumerate(kinds):  # one after another: round robin alternates the replicas
        url = f"{base}/inr?inr_steps=100" if kind == "inr" else f"{base}/maml?seed={i}&maml_iters=10000"
        tabs.append(Tab(browser, url))
        tabs[-1].no_exception()
    upload_train_and_download(tabs[0], tmp_path)
    for tab in tabs[1:]:
        tab.page.get_by_role("button", name="Start").first.click()
    steps = [wait_for_step(tab.page, 0, timeout=90) for tab in tabs[1:]]

    homes = [tab.cookie() for tab in tabs]
    assert set(homes) == {"r0", "r1"}, homes  # spread over both
    for tab, home in zip(tabs, homes):  # every response, uploads and media included, from the session's replica
        assert set(tab.answered) == {home}, (home, tab.answered)
        assert len(tab.sockets) == 1  # reruns and live refreshes all over the first websocket

    dead = homes[0]  # the replica of the upload and of two training sessions
    live = "r0" if dead == "r1" else "r1"
    os.killpg(table[dead][1], signal.SIGKILL)  # the replica and its job workers, as when a host dies

    moved = [tab for tab, home in zip(tabs, homes) if home == dead]
    stayed = [(tab, step) for tab, step, home in zip(tabs[1:], steps, homes[1:]) if home == live]
    for tab, step in stayed:  # the live replica's sessions go on training
        wait_for_step(tab.page, step, timeout=60)
        tab.no_exception()
    for tab in moved:  # a training page reruns by itself once reconnected; an idle one on its next rerun
        if tab is tabs[0]:
            tab.page.wait_for_timeout(3000)  # the websocket has noticed and reconnected
            rerun(tab)
        tab.page.get_by_text(NOTICE, exact=False).first.wait_for(timeout=60_000)
        tab.no_exception()
        assert tab.cookie() == live
        assert tab.page.locator('[data-testid="stMain"] h1').count() >= 1  # the page, not a broken one
    notice_tab = moved[-1]
    notice_tab.page.get_by_role("button", name="Start").first.click()  # pressing Start again trains on the live one
    wait_for_step(notice_tab.page, 0, timeout=60)
    assert notice_tab.page.get_by_text(NOTICE, exact=False).count() == 0

    newcomer = Tab(browser, f"{base}/maml?seed=99")
    assert newcomer.cookie() == live and set(newcomer.answered) == {live}
    assert newcomer.page.get_by_text(NOTICE, exact=False).count() == 0  # a fresh session is told nothing
    newcomer.no_exception()
    for tab in [*tabs, newcomer]:
        tab.page.context.close()
    assert "replica " + dead in (run_dir / "run_local.out").read_text()  # the script said which one died
