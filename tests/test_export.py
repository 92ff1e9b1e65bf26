"""Exported notebooks: they run standalone in a fresh kernel and print the page's numbers; the panels and export agree."""
from __future__ import annotations

import ast
import importlib.metadata
import json
import math
import pathlib
import re
import sys
import time
import urllib.parse

import io

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from PIL import Image

from core import export, images, pinn

ROOT = pathlib.Path(__file__).resolve().parents[1]


def upload_png() -> bytes:
    """A picture as a student would upload it: 80 × 60 RGB rings and a ramp, as PNG bytes."""
    y, x = np.mgrid[0:60, 0:80] / 60.0
    rgb = np.stack([0.5 + 0.5 * np.sin(12 * np.hypot(x - 0.6, y - 0.5)), x / x.max(), 1 - y], -1)
    buffer = io.BytesIO()
    Image.fromarray((255 * rgb).round().astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


UPLOAD = ("rings.png", upload_png())
# Per page: one setting other than the defaults (the page's link values).
OTHER = {
    "derivatives": {"deriv_expr": "sin(x)*exp(x)", "deriv_x": 0.5, "deriv_order": 6, "deriv_range": 2.0, "seed": 7},
    "network_gradients": {"ng_x1": -1.0, "ng_width": 4, "ng_depth": 1, "ng_act": "relu", "ng_lambda": 0.1,
                          "ng_steps": 200, "seed": 3},
    "maml": {"maml_alpha": 0.02, "maml_k": 5, "maml_batch": 5, "maml_create_graph": False, "seed": 1},
    "hessian": {"hess_width": 6, "hess_depth": 1, "hess_act": "gelu", "hess_k": 2, "hess_tol": 1e-5,
                "hess_samples": 50, "seed": 5},
    "multi_backward": {"mb_x1": 1.0, "mb_depth": 3, "mb_lr": 0.5, "mb_xgrad": True, "seed": 2},
    "inr": {"inr_source": "upload", "inr_uploaded": UPLOAD, "inr_side": 64, "inr_model": "siren",
            "inr_supervision": "gradients", "inr_width": 64, "inr_depth": 2, "inr_lr_siren_gradients": 1e-3, "seed": 6},
    "pinn": {"pinn_eq": "oscillator_inverse", "pinn_zeta": 0.2, "pinn_omega": 10.0, "pinn_obs": 10, "pinn_noise": 0.02,
             "pinn_points": 128, "pinn_steps": 100, "pinn_lbfgs_steps": 50, "pinn_cost": True, "seed": 4},
}
KERNEL_SECONDS = 20  # each notebook, kernel start included


def requirement_modules() -> set[str]:
    """Top-level modules that the distributions pinned in requirements.txt (and their dependencies' own) provide."""
    names = {re.split(r"[=<>\[ ]", line.strip())[0].lower() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith(("#", "-"))}
    return {module for module, dists in importlib.metadata.packages_distributions().items()
            if any(d.lower() in names for d in dists)}


def imported_modules(text: str) -> set[str]:
    """The top-level modules every code cell of a notebook imports (at any depth, functions included)."""
    found = set()
    for cell in nbformat.reads(text, as_version=4).cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module:
                    found.add(node.module.split(".")[0])
    return found


def same(a, b, rel: float = 1e-6) -> bool:
    """Equal: exact for discrete values, within `rel` (relative) for floats, NaN equal to NaN."""
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool) or isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= rel * max(abs(a), abs(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], rel) for k in a)
    return a == b


def plain(value):
    """A result as JSON gives it back (tuples as lists), for comparing with a kernel's RESULT."""
    return json.loads(export.result_json(value))


def run_notebook(text: str, workdir: pathlib.Path, monkeypatch) -> dict:
    """Run a notebook's text in a fresh kernel started in `workdir` with PYTHONPATH cleared, after a cell that fails
    if this project can be imported; return its RESULT."""
    nb = nbformat.reads(text, as_version=4)
    isolated = nbformat.v4.new_code_cell("import importlib.util, sys\n"
                                         "assert importlib.util.find_spec('core') is None, sys.path\n"
                                         "assert importlib.util.find_spec('ui') is None, sys.path")
    read_back = nbformat.v4.new_code_cell("import json\nprint('RESULT=' + json.dumps(RESULT, allow_nan=True))")
    nb.cells = [isolated, *nb.cells, read_back]
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.setenv("MPLBACKEND", "agg")
    # One torch thread, as in this process (tests/conftest.py): with two, sums split differently and a training
    # of a hundred steps ends 0.5% apart (the inverse PINN's loss did on a two-core machine).
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    NotebookClient(nb, timeout=KERNEL_SECONDS, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    printed = "".join(output.get("text", "") for output in nb.cells[-1].outputs if output.output_type == "stream")
    return json.loads(printed.split("RESULT=", 1)[1])


@pytest.mark.notebook
@pytest.mark.parametrize("params", [{}, "other"], ids=["defaults", "other"])
@pytest.mark.parametrize("case", list(export.CASES))
def test_notebook_runs_standalone_and_matches(case, params, tmp_path, monkeypatch):
    params = OTHER[case] if params == "other" else params
    text = export.notebook(case, params)
    start = time.perf_counter()
    result = run_notebook(text, tmp_path, monkeypatch)
    seconds = time.perf_counter() - start
    assert seconds < KERNEL_SECONDS, seconds
    wanted = plain(export.expected(case, params))
    assert result.keys() == wanted.keys()
    for key in wanted:
        assert same(result[key], wanted[key]), (key, result[key], wanted[key])


@pytest.mark.parametrize("case", list(export.CASES))
def test_notebook_imports_only_what_requirements_install(case):
    """A fresh environment with requirements.txt alone has every module the notebook imports; never this project's."""
    text = export.notebook(case, OTHER[case])
    modules = imported_modules(text)
    assert not modules & {"core", "ui", "app_pages", "streamlit"}, modules
    missing = {m for m in modules if m not in sys.stdlib_module_names and m not in requirement_modules()}
    assert not missing, missing


@pytest.mark.parametrize("case", list(export.CASES))
def test_notebook_cells(case):
    """About (title, settings table, link), imports, shown code by inspect.getsource, the run cell ending in RESULT."""
    params = OTHER[case]
    nb = nbformat.reads(export.notebook(case, params), as_version=4)
    nbformat.validate(nb)
    roles = [cell.metadata[export.EXPORT_MARK]["role"] for cell in nb.cells]
    assert roles[:2] == ["about", "imports"] and "run" in roles
    about = nb.cells[0].source
    assert export.CASES[case].title in about and export.link(case, params) in about
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(export.link(case, params)).query)
    assert urllib.parse.urlsplit(export.link(case, params)).path == f"/{export.CASES[case].path}"
    values = export.resolved(case, params)
    for setting in export.active_settings(case, values):
        if setting.linked:
            value = params.get(setting.key, setting.default)
            assert f"`{setting.key}`" in about and query[setting.key] == [setting.url(type(setting.default)(value))]
        else:
            assert setting.key not in query and f"`{setting.key}`" in about
    assert set(query) == {s.key for s in export.active_settings(case, values) if s.linked}
    run = next(cell for cell in nb.cells if cell.metadata[export.EXPORT_MARK]["role"] == "run")
    assert run.source.rstrip().splitlines()[-1].startswith("RESULT =")
    shown = [cell for cell in nb.cells if cell.metadata[export.EXPORT_MARK]["role"] == "shown"]
    by_name = {export.dotted(obj): obj for obj in export.shown(case, params)}
    for cell in shown:
        owner = by_name[cell.metadata[export.EXPORT_MARK]["shown"][0]]
        holder = sys.modules[owner.__module__].__dict__[owner.__qualname__.split(".")[0]]
        assert export.source(holder).rstrip() in cell.source
    assert not any("import streamlit" in cell.source for cell in nb.cells)


@pytest.mark.parametrize("case", list(export.CASES))
def test_shown_code_comes_before_it_is_used_and_the_script_has_the_same_cells(case):
    """Definitions in dependency order (each class and constant defined before a later cell uses it at definition
    time): executing the cells' code in one namespace without running the run cell works; the .py has every cell."""
    nb = nbformat.reads(export.notebook(case, {}), as_version=4)
    namespace: dict = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata[export.EXPORT_MARK]["role"] in ("imports", "shown", "support"):
            exec(compile(cell.source, "<cell>", "exec", flags=0x1000000 if "from __future__" in cell.source else 0),
                 namespace)
    text = export.script(case, {})
    assert text.count("# %%") == len(nb.cells)
    ast.parse(text)


@pytest.mark.parametrize("params, message", [
    ({"deriv_order": 9}, "deriv_order=9"), ({"deriv_order": "three"}, "deriv_order='three'"),
    ({"deriv_expr": "__import__('os')"}, "deriv_expr="), ({"deriv_x": math.nan}, "deriv_x=nan"),
    ({"nonsense": 1}, "unknown settings for derivatives: nonsense"), ({"seed": -1}, "seed=-1"),
    ({"device": "gpu9"}, "device='gpu9'"), ({"deriv_order": True}, "deriv_order=True"),
])
def test_bad_settings_give_a_clear_error(params, message):
    with pytest.raises(export.ExportError, match=re.escape(message)):
        export.notebook("derivatives", params)


def test_bad_choices_and_unknown_page():
    with pytest.raises(export.ExportError, match="hess_act='swish': expected one of"):
        export.notebook("hessian", {"hess_act": "swish"})
    with pytest.raises(export.ExportError, match="maml_k=7: expected one of 5, 10, 20"):
        export.expected("maml", {"maml_k": 7})
    with pytest.raises(export.ExportError, match="unknown page 'pinn2'"):
        export.notebook("pinn2", {})


def test_params_take_the_pages_defaults():
    """{} is the page as it first opens: every setting at the default the page's widget has."""
    for case in export.CASES:
        values = export.resolved(case, {})
        assert values == {s.arg: s.default for s in export.active_settings(case, values)}


@pytest.fixture
def downloads(monkeypatch):
    """Bytes of every file the AppTest run offered for download, by the file name in the button's URL."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    kept: dict[str, bytes] = {}
    load = MemoryMediaFileStorage.load_and_get_id

    def recording(self, path_or_data, mimetype, kind, filename=None):
        file_id = load(self, path_or_data, mimetype, kind, filename)
        kept[file_id] = path_or_data if isinstance(path_or_data, bytes) else str(path_or_data).encode()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    return kept


def offered(at, downloads: dict, key: str) -> str:
    """The text behind the download button `key` of a run page."""
    url = at.download_button(key=key).proto.url
    return downloads[url.rsplit("/", 1)[1].split(".")[0]].decode()


PAGE_LINKS = {
    "derivatives": {"deriv_expr": "sin(x)*exp(x)", "deriv_order": "3", "seed": "7"},
    "hessian": {"hess_width": "6", "hess_k": "2", "hess_act": "gelu"},
    "multi_backward": {"mb_depth": "2", "mb_xgrad": "true"},
    "network_gradients": {"ng_width": "4", "ng_act": "relu"},
    "maml": {"maml_k": "5", "maml_create_graph": "false"},
    "inr": {"inr_model": "SIREN (ω₀ = 30)", "inr_supervision": "gradients", "inr_side": "64", "inr_gray": "true"},
    "pinn": {"pinn_eq": "ζ = ? · u″ + 2ζω₀u′ + ω₀²u = 0", "pinn_cost": "true", "pinn_obs": "10"},
}


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("case", list(export.CASES))
def test_page_offers_its_view_as_notebook_and_script(case, lang, app_page, downloads):
    """Both buttons in the page's language; the files are this view's notebook (its settings from the link) and
    script; the code panels show exactly the objects the notebook defines as shown code."""
    from ui.i18n import translate

    query = {**PAGE_LINKS[case], **({"lang": lang} if lang != "en" else {})}
    at = app_page(case, query)
    assert not at.exception, [e.value for e in at.exception]
    drawn_defaults = at.session_state["_widget_defaults"]  # ui.state.DEFAULTS: each bound widget's default
    drawn = [s for s in export.active_settings(case, export.resolved(case, {
        s.key: at.session_state[s.key] for s in export.settings_of(case) if s.key in at.session_state})) if s.linked]
    assert {s.key: s.default for s in drawn} == {s.key: drawn_defaults[s.key] for s in drawn}
    labels = {button.label for button in at.download_button}
    assert {translate("export.notebook", lang), translate("export.script", lang)} <= labels
    text = offered(at, downloads, f"export_{case}_ipynb")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    params = {s.key: at.session_state[s.key] for s in export.settings_of(case) if s.key in at.session_state}
    assert text == export.notebook(case, params)
    for key, value in PAGE_LINKS[case].items():
        setting = next(s for s in export.settings_of(case) if s.key == key)
        assert setting.url(params[key]) == value
    script = offered(at, downloads, f"export_{case}_py")
    ast.parse(script)
    assert script == export.script(case, params)
    panels = [e for e in at.expander if e.label == translate("common.code_title", lang)]
    on_page = [c.value for panel in panels for c in panel.code]
    in_notebook = export.shown_cells(text)
    assert len(on_page) == len(in_notebook)
    by_name = {export.dotted(obj): obj for obj in export.shown(case, params)}
    assert sorted(export.source(by_name[name]).rstrip() for name in in_notebook) == sorted(c.rstrip() for c in on_page)
    shown_code = "\n".join(c.source for c in nb.cells if c.metadata[export.EXPORT_MARK]["role"] == "shown")
    assert all(code.rstrip() in shown_code for code in on_page)


@pytest.mark.parametrize("case, params, message", [
    ("inr", {"inr_source": "upload"}, "inr_source='upload': no picture was uploaded"),
    ("inr", {"inr_source": "upload", "inr_uploaded": "rings.png"}, "inr_uploaded: expected (file name, bytes)"),
    ("inr", {"inr_source": "upload", "inr_uploaded": ("a.png", b"not a picture")}, "cannot be used (not_image)"),
    ("inr", {"inr_lr_siren_pixels": 0.5}, "inr_lr_siren_pixels=0.5: expected one of"),
    ("inr", {"inr_side": 512}, "these settings are refused"),
    ("pinn", {"pinn_points": 0}, "at least one collocation point"),
    ("pinn", {"pinn_eq": "oscillator_inverse", "pinn_obs": 0}, "at least one observation"),
    ("pinn", {"pinn_eq": "heat"}, "pinn_eq='heat': expected one of"),
    ("pinn", {"pinn_b_lr": 0.5}, "pinn_b_lr=0.5: expected one of"),
])
def test_bad_inr_and_pinn_settings_give_a_clear_error(case, params, message):
    with pytest.raises(export.ExportError, match=re.escape(message)):
        export.notebook(case, params)


def test_inr_notebook_embeds_the_upload_at_working_resolution():
    """The run cell's picture is the upload as the page loads it (long side inr_side), 8-bit; not the sample; the
    per-model learning rate and batch of the chosen model and supervision are the ones used."""
    params = OTHER["inr"]
    nb = nbformat.reads(export.notebook("inr", params), as_version=4)
    run = next(c.source for c in nb.cells if c.metadata[export.EXPORT_MARK]["role"] == "run")
    embedded = ast.literal_eval(re.search(r"^PICTURE_PNG = (.+)$", run, re.M).group(1))
    pixels = np.asarray(Image.open(io.BytesIO(__import__("base64").b64decode(embedded))), dtype=np.float64) / 255
    loaded = images.load_image(UPLOAD[1], 64).pixels
    assert pixels.shape == loaded.shape == (48, 64, 3)
    assert np.abs(pixels - loaded).max() <= 0.5 / 255 + 1e-6
    assert "lr=0.001" in run and "batch=16384" in run and "rings.png" in nb.cells[0].source
    sample = export.notebook("inr", {**params, "inr_source": "astronaut"})
    assert embedded not in sample and "inr_uploaded" not in export.link("inr", {**params, "inr_source": "astronaut"})


def test_pinn_result_against_independent_references():
    """The exported oscillator curve is the closed form, which scipy's integrator confirms; the relative L2 error is
    that of the exported prediction; the inverse problem's ζ is the trainer's and the cut budget holds."""
    from scipy.integrate import solve_ivp

    result = export.expected("pinn", OTHER["pinn"])
    t = np.array(result["axis"])
    curve = result["curves"]["u(t)"]
    solution = solve_ivp(lambda _, y: [y[1], -2 * 0.2 * 10.0 * y[1] - 100.0 * y[0]], (0, 1), [1.0, 0.0], t_eval=t,
                         method="DOP853", rtol=1e-11, atol=1e-12).y[0]
    assert np.abs(np.array(curve["reference"]) - solution).max() < 1e-7
    error = np.linalg.norm(np.array(curve["prediction"]) - solution) / np.linalg.norm(solution)
    assert result["relative_l2"] == pytest.approx(error, rel=1e-6)
    assert result["trained_steps"] == 100 + 50 and 0 < result["learned_damping"] < 1


def test_pinn_burgers_export_is_short_and_matches_cole_hopf_grid():
    """Burgers' notebook numbers: u(x) at t = 0.25, 0.5, 1 against Cole-Hopf by the finite-difference solver."""
    params = {"pinn_eq": "burgers", "pinn_b_points": 256, "pinn_b_steps": 20, "pinn_b_lbfgs_steps": 10,
              "pinn_b_depth": 2}
    result = export.expected("pinn", params)
    assert list(result["curves"]) == ["t = 0.25", "t = 0.5", "t = 1"] and result["axis_name"] == "x"
    x = np.array(result["axis"])
    by_lines = pinn.burgers_finite_difference(1.0, x, 0.01 / np.pi)
    assert np.abs(np.array(result["curves"]["t = 1"]["reference"]) - by_lines).max() < 2e-2
    assert result["trained_steps"] == 30 and math.isfinite(result["relative_l2"])
    assert "pinn_b_points=256" in export.link("pinn", params) and "pinn_zeta" not in export.link("pinn", params)


def test_inr_page_exports_the_uploaded_picture(downloads):
    """With an upload kept in the session, the page's notebook is the export of that upload (what the page trains on)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.switch_page("app_pages/inr.py")
    at.query_params["inr_source"] = "upload"
    at.query_params["inr_side"] = "64"
    at.session_state["inr_uploaded"] = UPLOAD
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    text = offered(at, downloads, "export_inr_ipynb")
    params = {s.key: at.session_state[s.key] for s in export.settings_of("inr") if s.key in at.session_state}
    assert params["inr_uploaded"] == UPLOAD and text == export.notebook("inr", params)
    assert export.picture_png(images.load_image(UPLOAD[1], 64).pixels) in text
