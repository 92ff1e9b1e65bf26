"""Page 5: an implicit neural representation trained live on the user's picture, from its pixels or its gradients."""
import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from core import images, inr
from core.export import ASSETS, INR_BATCHES, INR_LEARNING_RATES, INR_MODEL_NAMES, INR_SAMPLES, INR_SIDES, INR_WIDTHS
from core.images import ImageError
from core.inr import FitConfig, NetConfig, SettingsError
from core.jobs import JobStatus
from ui import charts, t
from ui.furniture import cached, check_badge, code_panel, graph_panel, pitfall_panel
from ui.live import current, live_training
from ui.i18n.inr import large_count
from ui.state import lang, radio, select_slider, selectbox, settings, slider, toggle

# Bound widgets keep format_func(option) in the URL: these names never depend on the language. The radios show their
# short codes (the link holds inr_source=coffee) with a translated caption under each.
SOURCES = [*INR_SAMPLES, "upload"]  # photographs, assets/LICENSE.md
# Links made while the URL held the radios' labels, or named the drawn samples since replaced: read as the code they meant.
OLD_LINK_LABELS = {"inr_source": {"📷 camera.png": "camera", "🍎 still_life.png": "coffee", "still_life": "coffee",
                                  "📤 PNG · JPEG · WebP · BMP · GIF · TIFF": "upload"},
                   "inr_supervision": {"φ ≈ I": "pixels", "∇φ ≈ ∇I": "gradients", "Δφ ≈ ΔI 🐢": "laplacian"}}
COUNTS = ("pixels", "limit")  # ImageError values that are pixel counts, said in the language's units
LIVE_KEY = "inr_live"

load_image = cached(images.load_image)  # refusals raise ImageError, which is not cached
ground_truth = cached(inr.ground_truth)
supervision_graph = cached(inr.supervision_graph)
gradient_loss_pitfall = cached(inr.gradient_loss_pitfall)
fresh_check = cached(inr.fresh_check)


def intro() -> None:
    """Title and what the page does."""
    st.title(t("inr.title"))
    st.markdown(t("inr.intro"))


def code_radio(key: str, label: str, options: list[str], value: str, captions: list[str], **kwargs) -> str:
    """A URL-bound radio over short codes, each with a translated caption; an old link's label still works."""
    code = OLD_LINK_LABELS[key].get(st.query_params.get(key))
    if code is not None and key not in st.session_state:
        st.session_state[key] = code
    return radio(key, label, options, value, captions=captions, horizontal=True, **kwargs)


def refusal(key: str, values: dict) -> str:
    """The message for a refused picture (an ImageError's key and values): sizes with thousands separators, pixel
    counts in the language's units."""
    shown = {name: large_count(v, lang()) if name in COUNTS else f"{v:,}" if isinstance(v, int) else v
             for name, v in values.items()}
    return t(key, **shown)


def uploaded() -> tuple[str, bytes] | None:
    """The upload kept in the session (switching to a sample and back does not lose it), or None after saying why."""
    attempt = st.session_state.get("inr_upload_attempt", 0)  # a new key empties the uploader after a refusal
    upload = st.file_uploader(t("inr.upload"), key="inr_upload" + (f"_{attempt}" if attempt else ""),
                              help=t("inr.upload_help"))  # any type: core/images.py says why it cannot read one
    if upload is not None:
        st.session_state["inr_uploaded"] = (upload.name, upload.getvalue())
        st.session_state.pop("inr_refused", None)
    if "inr_refused" in st.session_state:
        st.error(refusal(*st.session_state["inr_refused"]))
    elif "inr_uploaded" not in st.session_state:
        st.info(t("inr.upload_prompt"))
    return st.session_state.get("inr_uploaded")


def refuse_upload(error: ImageError) -> None:
    """Forget a refused upload and draw the page again with an empty uploader; the message stays until the next."""
    st.session_state.pop("inr_uploaded", None)
    st.session_state["inr_refused"] = (error.key, error.values)
    st.session_state["inr_upload_attempt"] = st.session_state.get("inr_upload_attempt", 0) + 1
    st.rerun()


def picture() -> tuple[np.ndarray, str] | None:
    """The chosen sample or upload at working resolution, or None after saying why."""
    left, middle, right = st.columns([3, 2, 1])
    with left:
        source = code_radio("inr_source", "inr.source", SOURCES, "astronaut", [t(f"inr.source_{s}") for s in SOURCES])
    with middle:
        side = select_slider("inr_side", "inr.side", INR_SIDES, 128, help="inr.side_help")
    with right:
        gray = toggle("inr_gray", "inr.gray", False, help="inr.gray_help")
    if source == "upload":
        chosen = uploaded()
        if chosen is None:
            return None
        name, data = chosen
    else:
        name = INR_SAMPLES[source]
        data = (ASSETS / name).read_bytes()
    try:
        loaded = load_image(data, side, gray)
    except ImageError as error:
        if source == "upload":
            refuse_upload(error)
        st.error(refusal(error.key, error.values))
        return None
    for note in loaded.notes:
        st.warning(t(note))
    return loaded.pixels, name


def ground_truth_section(pixels: np.ndarray, name: str) -> None:
    """The picture beside its Sobel derivatives (x along the width, y down the height) and Laplacian."""
    truth = ground_truth(pixels)
    height, width = pixels.shape[:2]
    columns = st.columns(4)
    columns[0].image(pixels, caption=t("inr.picture_caption", name=name, width=width, height=height), width="stretch",
                     clamp=True)
    columns[1].image(truth.gx, caption=t("inr.sobel_x"), width="stretch")
    columns[2].image(truth.gy, caption=t("inr.sobel_y"), width="stretch")
    columns[3].image(truth.laplacian, caption=t("inr.laplacian"), width="stretch")
    st.caption(t("inr.colour_key", scale=f"{truth.scale:.3g}"))


def controls(device: str) -> FitConfig:
    """Model, supervision and training sliders; learning rate and batch remember a value per model and supervision."""
    left, right = st.columns(2)
    with left:
        model = selectbox("inr_model", "inr.model", inr.MODELS, "spline", format_func=INR_MODEL_NAMES.get, help="inr.model_help")
    with right:
        supervision = code_radio("inr_supervision", "inr.supervision", list(inr.SUPERVISIONS), "pixels",
                                 [t(f"inr.supervision_{s}") for s in inr.SUPERVISIONS], help="inr.supervision_help")
    st.markdown(t(f"inr.why_{supervision}"))
    lr, batch = inr.recommended(model, supervision)
    columns = st.columns(3)
    with columns[0]:
        width = select_slider("inr_width", "inr.width", INR_WIDTHS, 128, disabled=model in inr.GRIDS, help="inr.width_help")
        depth = slider("inr_depth", "inr.depth", 1, 6, 3, disabled=model in inr.GRIDS, help="inr.width_help")
    with columns[1]:
        lr = select_slider(f"inr_lr_{model}_{supervision}", "inr.lr", INR_LEARNING_RATES, lr, format_func=lambda v: f"{v:.0e}",
                           help="inr.lr_help")
        batch = select_slider(f"inr_batch_{model}_{supervision}", "inr.batch", INR_BATCHES, batch, help="inr.batch_help")
    with columns[2]:
        steps = slider("inr_steps", "inr.steps", 100, 10000, 2000, step=100)
        target = slider("inr_target", "inr.target", 20.0, 50.0, 40.0, step=0.5, help="inr.target_help")
    return FitConfig(model=model, width=width, depth=depth, lr=lr, supervision=supervision, steps=steps,
                     batch_pixels=batch, device=device, seed=settings().seed, target_psnr=target)


def training_metrics(job: JobStatus, ceiling: float | None) -> None:
    """PSNR, SSIM (once training stops: it costs too much for every refresh), speed, the Sobel ceiling, the target."""
    snapshot, preview = job.snapshot, job.snapshot.preview
    metrics = st.columns(4)
    metrics[0].metric("PSNR", f"{preview['psnr']:.2f} dB")
    metrics[1].metric("SSIM", f"{preview['ssim']:.3f}" if "ssim" in preview else "…", help=t("inr.ssim_help"))
    metrics[2].metric(t("inr.speed"), f"{snapshot.step / max(snapshot.seconds, 1e-9):.1f}")
    if ceiling:
        metrics[3].metric(t("inr.ceiling"), f"{ceiling:.2f} dB", help=t("inr.ceiling_help"))
    if preview["reached"]:
        st.success(t("inr.reached", target=f"{job.config.target_psnr:g}", step=snapshot.step,
                     seconds=f"{snapshot.seconds:.1f}"))


def preview_frames(job: JobStatus) -> None:
    """The reconstruction, its autograd derivatives and its error, and how the derivative supervisions are aligned."""
    preview = job.snapshot.preview
    frames = st.columns(4)
    frames[0].image(preview["reconstruction"], caption=t("inr.frame_reconstruction", step=preview["step"]),
                    width="stretch")
    frames[1].image(preview["dx"], caption=t("inr.frame_dx"), width="stretch")
    frames[2].image(preview["dy"], caption=t("inr.frame_dy"), width="stretch")
    frames[3].image(preview["error"], caption=t("inr.frame_error"), width="stretch")
    if job.config.supervision != "pixels":
        st.caption(t(f"inr.align_{job.config.supervision}"))


def psnr_chart(job: JobStatus, ceiling: float | None) -> None:
    """The PSNR curve against the target (and the Sobel ceiling), all three in the legend."""
    history = job.snapshot.history
    rules = pd.DataFrame({"psnr": [job.config.target_psnr] + ([ceiling] if ceiling else []),
                          "what": [t("inr.rule_target")] + ([t("inr.rule_ceiling")] if ceiling else [])})
    curve = pd.DataFrame({"step": history.step, "psnr": history.psnr, "what": "PSNR"})
    order = ["PSNR", *rules["what"]]
    charts.show(charts.line(curve, "step", "psnr", t("inr.axis_step"), "PSNR (dB)", color="what", sort=order, points=True)
                + charts.rules(rules, y="psnr", color="what", sort=order))


def render_training(job: JobStatus) -> None:
    """Metrics, preview frames and the PSNR curve of the job's snapshot; the download once training stops."""
    preview = job.snapshot.preview
    if preview is None:
        return
    ceiling = ground_truth(job.inputs[0]).ceiling if job.config.supervision == "gradients" else None
    training_metrics(job, ceiling)
    preview_frames(job)
    psnr_chart(job, ceiling)
    if "ssim" in preview:
        st.download_button(t("inr.download"), preview["reconstruction"], file_name="inr_reconstruction.png",
                           mime="image/png", key="inr_download")


def kept_training(note: str | None = None) -> JobStatus | None:
    """This session's job as it stands, drawn (after `note`) when it has a snapshot: a bad upload or refused
    settings keep the network trained before."""
    job = current(LIVE_KEY)
    if job is not None and job.snapshot is not None:
        if note:
            st.info(t(note))
        render_training(job)
    return job


def live_section(config: FitConfig, pixels: np.ndarray) -> JobStatus | None:
    """The memory estimate or why the settings are refused; then live training, or the job trained before."""
    height, width = pixels.shape[:2]
    channels = inr.channels_of(pixels)
    try:
        inr.check_settings(config, height, width, channels)
    except SettingsError as error:
        st.error(t(error.key, **error.values))
        st.subheader(t("inr.train_title"))
        return kept_training()
    st.caption(t("inr.memory", mb=inr.estimate_memory(config, height, width, channels) // 2**20,
                 budget=inr.MEMORY_BUDGET // 2**20))
    st.subheader(t("inr.train_title"))
    return live_training(LIVE_KEY, inr.INRTrainer, config, pixels, render=render_training)


def super_resolution(network: inr.INRTrainer, step: int) -> None:
    """Render the trained network at 2x or 4x: a continuous picture, beside the bicubic enlargement."""
    st.subheader(t("inr.superres_title"))
    st.markdown(t("inr.superres_intro"))
    left, right = st.columns([2, 1])
    with left:
        scale = radio("inr_scale", "inr.scale", [2, 4], 2, format_func=lambda s: f"{s}×", horizontal=True)
    with right:
        if st.button(t("inr.render_button"), key="inr_render"):
            with st.spinner(t("inr.rendering")):
                big, bicubic = network.enlarged(scale)
            st.session_state["inr_big"] = {"scale": scale, "step": step, "png": big, "bicubic": bicubic}
    big = st.session_state.get("inr_big")
    if big:
        shown = st.columns(2)
        shown[0].image(big["png"], caption=t("inr.big_caption", scale=big["scale"], step=big["step"]), width="stretch")
        shown[1].image(big["bicubic"], caption=t("inr.bicubic_caption", scale=big["scale"]), width="stretch")
        st.download_button(t("inr.download_big", scale=big["scale"]), big["png"], file_name=f"inr_x{big['scale']}.png",
                           mime="image/png", key="inr_download_big")


def graph_section(net: NetConfig, supervision: str) -> None:
    """The supervision loss's autograd graph, create_graph's nodes marked."""
    st.subheader(t("inr.graph_title"))
    graph_panel(supervision_graph(net, supervision), t(f"inr.graph_caption_{supervision}"))


def check_section(network: inr.INRTrainer | None, net: NetConfig, seed: int, height: int, width: int) -> None:
    """The trained (or a fresh) network's autograd derivative against finite differences, and the code."""
    st.subheader(t("inr.check_title"))
    check = (inr.network_check(network.model, height, width) if network is not None
             else fresh_check(net, seed, height, width))
    check_badge(dataclasses.replace(check, reference=t("inr.check_reference")))
    st.caption(t("inr.check_caption_trained" if network is not None else "inr.check_caption_fresh"))
    model = network.config.model if network is not None else net.model  # the class that trained, not the default
    code_panel(case="inr", section=f"check_{model}")


def pitfall_section(net: NetConfig) -> None:
    """Gradient supervision without create_graph=True, run for real."""
    pitfall_panel(gradient_loss_pitfall(net), t("inr.pitfall_title"), t("inr.pitfall_explain"))
    code_panel(case="inr", section="pitfall")


def page() -> None:
    """Picture in; live training, previews, super-resolution, graph, check, code and pitfall out."""
    intro()
    device = settings().device
    loaded = picture()
    config = controls(device)
    if loaded is None:
        kept_training(note="inr.kept_model")
        return
    pixels, name = loaded
    ground_truth_section(pixels, name)
    job = live_section(config, pixels)
    network = inr.INRTrainer.from_snapshot(job.inputs[0], job.config, job.snapshot) if job is not None else None
    if network is not None:
        super_resolution(network, job.snapshot.step)
    height, width = pixels.shape[:2]
    net = config.net(inr.channels_of(pixels), max(height, width))
    graph_section(net, config.supervision)
    check_section(network, net, config.seed, height, width)
    pitfall_section(net)


page()
