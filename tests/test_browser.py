"""End to end in Debian's Chromium: deep links on a fresh server, no exceptions, live sliders, screenshots."""
from __future__ import annotations

import os
import pathlib
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PAGES = {  # url path -> English page title
    "home": "Home",
    "derivatives": "Higher-order derivatives",
    "network_gradients": "Network gradients & double backprop",
    "maml": "MAML meta-learning",
    "hessian": "Hessian-vector products",
    "inr": "Neural image (INR)",
    "multi_backward": "Multiple backwards",
    "pinn": "Physics-informed networks",
}
pytestmark = pytest.mark.browser


def _require_browser():
    """Skip where no browser exists, except in CI (REQUIRE_BROWSER=1), where that is a failure."""
    missing = [what for what, ok in [("chromium", os.path.exists(CHROMIUM)),
                                     ("playwright", _has_playwright())] if not ok]
    if missing:
        message = f"browser tests need {', '.join(missing)}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """A freshly started app on a loopback port; nothing has requested any page yet."""
    _require_browser()
    port = _free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    # A file, not a pipe: an unread pipe fills up and blocks the server once it has logged 64 kB.
    log = open(SHOTS.parent / "streamlit-server.log", "wb")
    env = {name: value for name, value in os.environ.items() if name != "AUTOGRAD_JOB_WORKERS"}  # real workers
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],  # the test server never reloads; the .venv is big to watch
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:  # the health endpoint is not a page request
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the app did not start: " + (SHOTS.parent / "streamlit-server.log").read_text(errors="replace")[-2000:])
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """Open `url` in a new context and wait until the script has finished running."""
    page = browser.new_context(viewport={"width": 1400, "height": 2400}).new_page()
    page.goto(url)
    wait_until_idle(page)
    return page


def wait_until_idle(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stMain"] h1') &&
                 !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]') &&
                 !document.querySelector('[data-testid="stSkeleton"]')""", timeout=timeout_ms)
    page.wait_for_timeout(800)  # let a rerun that was just queued start, then settle again
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')""",
        timeout=timeout_ms)


def table_text(page) -> str:
    """The first data frame's cells, as its grid lays them out for screen readers."""
    return page.locator('[data-testid="stDataFrame"]').first.text_content()


def assert_healthy(page, title: str) -> None:
    assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').first.inner_text()  # "Page not found"
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
    heading = "Autograd Explorer" if title == PAGES["home"] else title
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip().startswith(heading)
    assert title.split(" &")[0] in page.title()  # the tab has the sidebar's shorter name


def test_deep_link_is_the_first_request_to_a_fresh_server(server, browser):
    page = open_page(browser, f"{server}/derivatives?deriv_expr=x**4&deriv_x=1.0&deriv_order=3")
    assert_healthy(page, PAGES["derivatives"])
    assert page.locator('[data-testid="stTextInput"] input').first.input_value() == "x**4"
    assert "24" in table_text(page)  # f‴(1) of x⁴
    page.screenshot(path=str(SHOTS / "derivatives-deeplink.png"), full_page=True)
    page.context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_by_deep_link_without_exception(server, browser, path):
    page = open_page(browser, f"{server}/{path}")
    assert_healthy(page, PAGES[path])
    page.screenshot(path=str(SHOTS / f"{path}.png"), full_page=True)
    page.context.close()


def test_moving_a_slider_updates_the_value_and_the_link(server, browser):
    page = open_page(browser, f"{server}/derivatives")
    before = table_text(page)
    thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    assert "deriv_x=-1.5" in page.url
    assert table_text(page) != before
    assert_healthy(page, PAGES["derivatives"])
    page.context.close()


@pytest.mark.parametrize("language", ["%ED%95%9C%EA%B5%AD%EC%96%B4", "ko"])  # 한국어 as stored, or typed
def test_korean_link_opens_the_page_in_korean(server, browser, language):
    page = open_page(browser, f"{server}/derivatives?lang={language}")
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip().startswith("고계 도함수")
    page.screenshot(path=str(SHOTS / f"derivatives-ko-{'typed' if language == 'ko' else 'stored'}.png"), full_page=True)
    page.context.close()


def test_stepping_through_the_home_primers_backward_pass(server, browser):
    page = open_page(browser, f"{server}/?home_pass=d%C2%B2y%2Fdx%C2%B2")
    assert_healthy(page, PAGES["home"])
    main = page.locator('[data-testid="stMain"]')
    for _ in range(2):
        main.get_by_role("button", name="Next ▶").click()
        wait_until_idle(page)
    assert "home_bw_step=2" in page.url
    assert "Step 3 of 5" in main.inner_text()
    chart = main.locator('[data-testid="stGraphVizChart"]').last
    svg = chart.inner_html()
    assert svg.count("✓") == 2 and "#f28482" in svg.lower()  # two nodes done; the first pass's red nodes
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(SHOTS / "home-backward-step-3.png"))
    main.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => document.location.search.includes('home_bw_step=4')", timeout=20_000)
    wait_until_idle(page)
    assert main.get_by_role("button", name="▶ Play").count() == 1  # stopped at the last step
    assert_healthy(page, PAGES["home"])
    page.context.close()


def test_inr_upload_through_the_real_file_input_trains_and_previews(server, browser, tmp_path):
    from PIL import Image

    picture = tmp_path / "gradient.png"
    ramp = [[(x * 4, y * 4, 128) for x in range(64)] for y in range(48)]
    image = Image.new("RGB", (64, 48))
    image.putdata([pixel for row in ramp for pixel in row])
    image.save(picture)

    page = open_page(browser, f"{server}/inr")
    choose_upload(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(picture))
    page.get_by_text("gradient.png", exact=False).first.wait_for(timeout=60_000)
    wait_until_idle(page)
    page.get_by_role("button", name="Start").first.click()
    page.get_by_text("at step", exact=False).first.wait_for(timeout=90_000)  # the live preview's caption
    assert page.locator('[data-testid="stImage"] img').count() >= 2
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SHOTS / "inr-training.png"), full_page=True)
    page.context.close()


def choose_upload(page) -> None:
    """Pick 'your own picture' as the INR page's source."""
    page.locator('[data-testid="stRadio"] label').filter(has_text="upload").first.click()
    wait_until_idle(page)


def progress_step(page) -> tuple[int, int]:
    """(step, total) from the live panel's progress bar; (0, 0) before there is one."""
    text = page.locator('[data-testid="stProgress"]').first.inner_text() if page.locator(
        '[data-testid="stProgress"]').count() else ""
    match = re.search(r"Step ([\d,]+) of ([\d,]+)", text)
    return (int(match[1].replace(",", "")), int(match[2].replace(",", ""))) if match else (0, 0)


def wait_for_step(page, above: int, timeout: float = 60) -> int:
    """Wait until the page shows a step above `above` (the panel refreshes itself); return it."""
    deadline = time.time() + timeout
    while (step := progress_step(page)[0]) <= above:
        assert time.time() < deadline, f"no step above {above} shown"
        page.wait_for_timeout(300)
    return step


def test_three_sessions_train_at_once_on_real_workers(server, browser):
    pages = [open_page(browser, f"{server}/maml?seed={seed}&maml_iters=10000") for seed in (1, 2, 3)]
    for page in pages:
        page.get_by_role("button", name="Start").first.click()
    first = [wait_for_step(page, 0) for page in pages]
    later = [wait_for_step(page, step) for page, step in zip(pages, first)]  # all three go on training
    assert all(b > a for a, b in zip(first, later))
    for page in pages:
        assert page.locator('[data-testid="stException"]').count() == 0
        page.context.close()


def test_stop_after_continue_really_stops(server, browser):
    page = open_page(browser, f"{server}/maml?seed=11&maml_iters=10000")
    buttons = {name: page.get_by_role("button", name=name).first for name in ("Start", "Stop", "Continue")}
    buttons["Start"].click()
    wait_for_step(page, 0)
    buttons["Stop"].click()
    wait_until_idle(page)
    buttons["Continue"].click()
    wait_for_step(page, progress_step(page)[0])
    buttons["Stop"].click()
    wait_until_idle(page)
    stopped = progress_step(page)[0]
    page.wait_for_timeout(3000)
    page.reload()  # what the server holds, not what the page last drew: the run is found again, still stopped
    wait_until_idle(page)
    found = page.get_by_text("A run with exactly these settings is on the server", exact=False).first.inner_text()
    assert f"step {stopped} of" in found.replace(",", "")
    assert buttons["Stop"].is_disabled() or page.get_by_role("button", name="Stop").first.is_disabled()
    assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()


SCAN = r"""(lang) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const shown = e => { const r = e.getBoundingClientRect(); return e.offsetParent && r.width > 1 && r.left >= 0; };
  const cut = [...app.querySelectorAll('*')].filter(e => getComputedStyle(e).textOverflow === 'ellipsis' && shown(e)
    && e.scrollWidth > e.clientWidth + 1 && e.innerText.trim()).map(e => e.innerText.trim());
  const english = [];
  if (lang === 'ko') {
    const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const el = walker.currentNode.parentElement;
      if (!el || !shown(el) || el.closest('code, pre, svg, canvas, .katex, [data-testid="stCode"]')) continue;
      english.push(...(walker.currentNode.textContent.match(/[A-Za-z][A-Za-z'’-]+(?:[ ,]+[A-Za-z][A-Za-z'’-]+)+/g) || []));
    }
  }
  // Graph text as drawn: the font size in the SVG's own units times the SVG's on-screen scale.
  const graphPx = [...app.querySelectorAll('[data-testid="stGraphVizChart"] svg')].filter(shown).flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size')) * scale);
  });
  return {cut: [...new Set(cut)], english: [...new Set(english)], graph_px: graphPx.length ? Math.min(...graphPx) : null,
          exception: !!document.querySelector('[data-testid="stException"]')};
}"""
GRAPH_TEXT_PX = 12  # the smallest graph text a projector shows legibly (the widest graphs were shrunk to 6-8 px)
TECHNICAL = {"PyTorch", "autograd", "torch", "func", "True", "False", "MAML", "Hessian", "SIREN", "ReLU", "PNG", "JPEG"}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("path", list(PAGES))
def test_a_projector_view_cuts_no_label_and_a_korean_page_speaks_korean(server, browser, path, lang):
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{server}/{path}?lang={lang}")
    wait_until_idle(page)
    found = page.evaluate(SCAN, lang)
    page.screenshot(path=str(SHOTS / f"{path}-{lang}-1280x720.png"), full_page=True)
    page.context.close()
    assert not found["exception"]
    assert not found["cut"], f"cut-off text at 1280×720: {found['cut']}"
    assert found["graph_px"] is None or found["graph_px"] >= GRAPH_TEXT_PX, f"graph text {found['graph_px']:.1f} px"
    english = [run for run in found["english"] if not set(re.split(r"[ ,]+", run)) <= TECHNICAL]
    assert not english, f"English in the Korean page: {english}"


def assert_no_traceback(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


def test_a_students_walk_sweeps_odd_formulas_bad_links_and_bad_uploads_without_a_traceback(server, browser, tmp_path):
    page = open_page(browser, f"{server}/hessian")
    page.locator('[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]').first.focus()
    for _ in range(48):  # Width 16 → 64, each press a rerun that interrupts the one before
        page.keyboard.press("ArrowRight")
    wait_until_idle(page)
    assert_no_traceback(page)
    assert "forward AD level" not in (SHOTS.parent / "streamlit-server.log").read_text(errors="replace")
    page.context.close()

    page = open_page(browser, f"{server}/derivatives")
    formula = page.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
    for text in ["x^2", "lambda x: x", "x if x else 1", "[x]", "__import__('os')", "x²", "x+" * 200 + "x"]:
        formula.fill(text)
        formula.press("Enter")
        wait_until_idle(page)
        assert_no_traceback(page)
        assert page.locator('[data-testid="stMain"] [data-testid="stAlert"]').count() > 0, text  # said in words
    page.context.close()

    page = open_page(browser, f"{server}/derivatives?deriv_order=999&deriv_x=abc&lang=fr")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="cannot use").first.inner_text()
    assert "deriv_order=999" in notice and "deriv_x=abc" in notice and "lang=fr" in notice
    page.context.close()

    drawing = tmp_path / "drawing.svg"
    drawing.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    page = open_page(browser, f"{server}/inr")
    choose_upload(page)
    for upload in (drawing, broken):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        wait_until_idle(page)
        assert_no_traceback(page)
    page.context.close()
