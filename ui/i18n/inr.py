"""Strings of the neural image (inr) page, and how it says large pixel counts in each language."""
from __future__ import annotations

import math

# Korean counts in 만 (10⁴) and 억 (10⁸), English in millions and billions.
UNITS = {"ko": ((10**8, "억"), (10**4, "만")), "en": ((10**9, " billion"), (10**6, " million"))}


def large_count(n: int, lang: str) -> str:
    """n to three significant digits in the language's units: 40 million, 4,000만; below the units, n itself."""
    for size, unit in UNITS.get(lang, UNITS["en"]):
        if n >= size:
            amount = n / size
            shown = f"{amount:,.{max(0, 2 - math.floor(math.log10(amount)))}f}"
            return (shown.rstrip("0").rstrip(".") if "." in shown else shown) + unit
    return f"{n:,}"


STRINGS = {
    "inr.title": {"en": "Neural image (INR)", "ko": "신경망 이미지 표현 (INR)"},
    "inr.intro": {
        "en": "An **implicit neural representation** is a network φ(x, y) that returns the colour at any point of a picture. "
              "Train one on your own picture, from its **pixels** or from its **gradients** alone: the gradient loss needs "
              "the network's own derivative ∂φ/∂(x, y), taken with `torch.autograd.grad(..., create_graph=True)` so that "
              "the loss on a derivative can itself be differentiated with respect to the weights.",
        "ko": "**암시적 신경 표현(INR)** 은 그림의 임의의 점 (x, y)에서 색을 돌려주는 신경망 φ(x, y)입니다. "
              "내 그림으로 직접 학습해 보세요. **픽셀** 로 학습할 수도 있고 **기울기(gradient)** 만으로 학습할 수도 있습니다. "
              "기울기 손실에는 신경망 자신의 도함수 ∂φ/∂(x, y)가 필요하며, 이를 `torch.autograd.grad(..., create_graph=True)` "
              "로 구해야 도함수에 대한 손실을 다시 가중치로 미분할 수 있습니다."},
    # picture
    "inr.source": {"en": "Picture", "ko": "그림"},
    "inr.source_astronaut": {"en": "🧑‍🚀 photo: a portrait", "ko": "🧑‍🚀 사진: 인물"},
    "inr.source_coffee": {"en": "☕ photo: a coffee cup", "ko": "☕ 사진: 커피잔"},
    "inr.source_camera": {"en": "📷 photo: gray", "ko": "📷 사진: 흑백"},
    "inr.source_upload": {"en": "📤 yours: PNG · JPEG · WebP · BMP · GIF · TIFF", "ko": "📤 내 그림: PNG · JPEG · WebP · BMP · GIF · TIFF"},
    "inr.side": {"en": "Working resolution (long side, pixels)", "ko": "작업 해상도 (긴 변, 픽셀)"},
    "inr.side_help": {"en": "The picture is resized to this. Up to 256 on a CPU, 512 on a GPU; 128 trains in seconds on a CPU.",
                      "ko": "그림을 이 크기로 줄이거나 늘립니다. CPU에서는 256, GPU에서는 512까지 가능하며, 128이면 CPU에서도 몇 초 만에 학습됩니다."},
    "inr.gray": {"en": "Gray", "ko": "흑백"},
    "inr.gray_help": {"en": "Fit one channel instead of three: three times less work for the gradient losses.",
                      "ko": "세 채널 대신 한 채널만 학습합니다. 기울기 손실의 계산량이 3분의 1로 줄어듭니다."},
    "inr.upload": {"en": "Your picture", "ko": "내 그림"},
    "inr.upload_help": {"en": "PNG, JPEG, WebP, BMP, GIF (first frame) or TIFF, up to 20 MB. It stays in your session only.",
                        "ko": "PNG, JPEG, WebP, BMP, GIF(첫 프레임), TIFF 파일을 20 MB까지 올릴 수 있습니다. 내 세션 안에만 보관됩니다."},
    "inr.upload_prompt": {"en": "Upload a picture to start, or pick one of the samples above.",
                          "ko": "시작하려면 그림을 올리거나 위의 예시 그림 중 하나를 고르세요."},
    "inr.picture_caption": {"en": "{name}, {width}×{height}", "ko": "{name}, {width}×{height}"},
    "inr.sobel_x": {"en": "∂I/∂x (Sobel, along the width)", "ko": "∂I/∂x (Sobel, 가로 방향)"},
    "inr.sobel_y": {"en": "∂I/∂y (Sobel, down the height)", "ko": "∂I/∂y (Sobel, 세로 아래 방향)"},
    "inr.laplacian": {"en": "ΔI (five-point Laplacian)", "ko": "ΔI (5점 라플라시안)"},
    "inr.colour_key": {"en": "Red: positive, blue: negative, white: zero. Derivatives are per coordinate unit (the long side spans 2); full colour at ±{scale}.",
                       "ko": "빨강은 양수, 파랑은 음수, 흰색은 0입니다. 도함수는 좌표 단위 기준(긴 변의 길이가 2)이며 ±{scale}에서 색이 가장 진합니다."},
    "inr.note_first_frame": {"en": "This is an animation: only its first frame is used.",
                             "ko": "움직이는 그림이라 첫 프레임만 사용합니다."},
    "inr.note_alpha": {"en": "Transparent parts were placed on white.", "ko": "투명한 부분은 흰 배경 위에 합성했습니다."},
    "inr.note_cmyk": {"en": "CMYK picture converted to RGB: colours may differ slightly from print.",
                      "ko": "CMYK 그림을 RGB로 변환했습니다. 인쇄물과 색이 조금 다를 수 있습니다."},
    "inr.note_16bit": {"en": "16-bit picture: read at full precision.", "ko": "16비트 그림이라 원래 정밀도 그대로 읽었습니다."},
    "inr.note_cropped": {"en": "Very long and thin picture: the middle part (at most 4:1) is used.",
                         "ko": "가로세로 비율이 너무 커서 가운데 부분(최대 4:1)만 사용합니다."},
    "inr.err_empty": {"en": "The file is empty.", "ko": "파일이 비어 있습니다."},
    "inr.err_too_big_file": {"en": "The file is larger than {mb} MB.", "ko": "파일이 {mb} MB보다 큽니다."},
    "inr.err_not_image": {"en": "This file is not a picture this page can read (PNG, JPEG, WebP, BMP, GIF or TIFF).",
                          "ko": "이 페이지가 읽을 수 있는 그림 파일(PNG, JPEG, WebP, BMP, GIF, TIFF)이 아닙니다."},
    "inr.err_corrupt": {"en": "The picture is damaged or cut short and cannot be decoded.",
                        "ko": "그림 파일이 손상되었거나 중간에 잘려서 읽을 수 없습니다."},
    "inr.err_bomb": {"en": "The file declares {width}×{height} pixels ({pixels}), more than the {limit} this page decodes (it could exhaust the server's memory).",
                     "ko": "파일이 {width}×{height} 픽셀({pixels} 픽셀)이라고 선언하고 있어, 이 페이지가 읽는 한도({limit} 픽셀)를 넘습니다. 서버 메모리를 고갈시킬 수 있습니다."},
    "inr.err_too_small": {"en": "The picture is {width}×{height}: each side needs at least {min} pixels.",
                          "ko": "그림 크기가 {width}×{height}입니다. 각 변이 적어도 {min}픽셀은 되어야 합니다."},
    # model and training
    "inr.model": {"en": "Network", "ko": "신경망"},
    "inr.model_help": {"en": "Spline grid (the default): learned values on grids of several resolutions, read with cubic B-spline weights, so φ is smooth and ∂φ/∂x, ∂φ/∂y and the Laplacian exist everywhere; the fastest here on photographs, from pixels and from gradients. SIREN: sine activations with the paper's initialisation. ReLU + PE: ReLU on a positional encoding. ReLU: the plain baseline. Bilinear grid: feature grids with a tiny ReLU head, fast on pixels but its derivative jumps at every cell border.",
                       "ko": "스플라인 격자(기본값): 여러 해상도 격자에 학습한 값을 3차 B-스플라인 가중치로 읽으므로 φ가 매끄럽고 ∂φ/∂x, ∂φ/∂y, 라플라시안이 어디서나 존재합니다. 여기서 사진을 픽셀로도, 기울기로도 가장 빨리 학습합니다. SIREN: 논문의 초기화를 쓴 사인 활성화 신경망. ReLU + PE: 위치 인코딩 위의 ReLU 신경망. ReLU: 기본 비교 대상. 쌍선형 격자: 작은 ReLU 헤드를 단 특징 격자로, 픽셀 학습은 빠르지만 도함수가 격자 칸 경계마다 끊깁니다."},
    "inr.supervision": {"en": "Supervision", "ko": "지도 방식"},
    "inr.supervision_pixels": {"en": "φ ≈ I, the pixels", "ko": "φ ≈ I, 픽셀 값"},
    "inr.supervision_gradients": {"en": "∇φ ≈ ∇I, Sobel gradients", "ko": "∇φ ≈ ∇I, Sobel 기울기"},
    "inr.supervision_laplacian": {"en": "Δφ ≈ ΔI, the Laplacian 🐢 slow", "ko": "Δφ ≈ ΔI, 라플라시안 🐢 느림"},
    "inr.supervision_help": {"en": "What the loss compares: the pixels, the gradients (Sobel) or the Laplacian (slow).",
                             "ko": "손실이 무엇을 비교하는지 고릅니다: 픽셀, 기울기(Sobel), 라플라시안(느림)."},
    "inr.why_pixels": {"en": "**Pixels** need no `create_graph`: the loss compares φ(x, y) with the picture, and one ordinary backward pass reaches the weights.",
                       "ko": "**픽셀** 지도에는 `create_graph`가 필요 없습니다. 손실이 φ(x, y)와 그림을 직접 비교하므로 보통의 역전파 한 번으로 가중치까지 도달합니다."},
    "inr.why_gradients": {"en": "**Gradients** need `create_graph=True`: the loss compares ∂φ/∂(x, y) with the Sobel gradients, so `loss.backward()` must differentiate the derivative itself. The network never sees a pixel value: the picture comes back up to one constant.",
                          "ko": "**기울기** 지도에는 `create_graph=True`가 필요합니다. 손실이 ∂φ/∂(x, y)를 Sobel 기울기와 비교하므로 `loss.backward()`가 도함수 자체를 다시 미분해야 합니다. 신경망은 픽셀 값을 한 번도 보지 않으며, 그림은 상수 하나의 차이까지만 복원됩니다."},
    "inr.why_laplacian": {"en": "**Laplacian** (slow) needs `create_graph=True` twice: the gradient is differentiated again to get ∂²φ/∂x² + ∂²φ/∂y², and the loss on that is differentiated once more for the weights. ReLU nets and the bilinear grid have no second derivative, so only the spline grid, SIREN and ReLU + PE can learn from it. Expect a picture far below the Laplacian's ceiling: the curvature is learnt, but the large-scale shape barely shows in a Laplacian (a wave k times slower has a k² times weaker Laplacian, and any harmonic function has none), so little of the loss pushes it into place.",
                          "ko": "**라플라시안** (느림)에는 `create_graph=True`가 두 번 필요합니다. 기울기를 한 번 더 미분해 ∂²φ/∂x² + ∂²φ/∂y²를 구하고, 그 손실을 다시 가중치로 미분합니다. ReLU 신경망과 쌍선형 격자는 2계 도함수가 0이므로 스플라인 격자, SIREN, ReLU + PE만 이것으로 학습할 수 있습니다. 결과 그림은 라플라시안 상한보다 훨씬 낮습니다. 곡률은 배우지만 큰 규모의 형태는 라플라시안에 거의 드러나지 않아(k배 느린 파동은 라플라시안이 k²배 약하고, 조화 함수는 아예 0입니다) 손실이 그 부분을 제자리로 거의 밀어 주지 못하기 때문입니다."},
    "inr.width": {"en": "Width (units per layer)", "ko": "너비 (층당 유닛 수)"},
    "inr.depth": {"en": "Hidden layers", "ko": "은닉층 수"},
    "inr.width_help": {"en": "The grids have one level per resolution instead of layers, so these apply to the MLPs only.",
                       "ko": "격자 모델은 층 대신 해상도마다 단계가 하나씩 있어, 이 값은 MLP에만 적용됩니다."},
    "inr.lr": {"en": "Learning rate (Adam)", "ko": "학습률 (Adam)"},
    "inr.lr_help": {"en": "Each network and supervision remembers its own value; derivative losses want smaller steps.",
                    "ko": "신경망과 지도 방식마다 값을 따로 기억합니다. 도함수 손실에는 더 작은 학습률이 알맞습니다."},
    "inr.batch": {"en": "Pixels per step", "ko": "단계당 픽셀 수"},
    "inr.batch_help": {"en": "Random pixels in each step; the whole picture when this is larger than it.",
                       "ko": "각 단계에서 무작위로 고르는 픽셀 수입니다. 그림 전체보다 크면 그림 전체를 씁니다."},
    "inr.steps": {"en": "Steps", "ko": "학습 단계 수"},
    "inr.target": {"en": "Stop at PSNR (dB)", "ko": "목표 PSNR (dB)에서 멈춤"},
    "inr.target_help": {"en": "Training stops early once the reconstruction reaches this quality.",
                        "ko": "복원 품질이 이 값에 도달하면 학습을 일찍 멈춥니다."},
    "inr.memory": {"en": "Estimated memory for this training: {mb} MB of the {budget} MB a session may use.",
                   "ko": "이 학습의 예상 메모리: 세션당 허용량 {budget} MB 중 {mb} MB."},
    "inr.err_memory": {"en": "These settings need about {needed} MB, more than the {budget} MB one session may use on this shared server. Lower the pixels per step, the width or the resolution.",
                       "ko": "이 설정은 약 {needed} MB가 필요해, 공유 서버에서 세션 하나가 쓸 수 있는 {budget} MB를 넘습니다. 단계당 픽셀 수, 너비 또는 해상도를 줄이세요."},
    "inr.err_resolution": {"en": "{side} pixels is above this device's limit of {limit}: pick a smaller working resolution (or a GPU).",
                           "ko": "{side}픽셀은 이 장치의 한도 {limit}을 넘습니다. 작업 해상도를 낮추거나 GPU를 고르세요."},
    "inr.err_lr": {"en": "The learning rate {lr} is not usable: it must be above 0 and at most 1.",
                   "ko": "학습률 {lr}은 쓸 수 없습니다. 0보다 크고 1 이하여야 합니다."},
    "inr.err_laplacian_piecewise_linear": {"en": "The {model} network is piecewise linear: its Laplacian is zero everywhere, so the Laplacian loss cannot move its weights. Pick the spline grid, SIREN or ReLU + PE.",
                                           "ko": "{model} 신경망은 구간별 선형이라 라플라시안이 어디서나 0이므로, 라플라시안 손실로는 가중치가 바뀌지 않습니다. 스플라인 격자, SIREN, ReLU + PE 중에서 고르세요."},
    "inr.err_unknown": {"en": "Unknown network “{model}” or supervision “{supervision}”.",
                        "ko": "알 수 없는 신경망 “{model}” 또는 지도 방식 “{supervision}”입니다."},
    "inr.kept_model": {"en": "Your trained network is kept: here it is, on the picture it was trained with.",
                       "ko": "학습한 신경망은 그대로 남아 있습니다. 학습에 쓴 그림과 함께 보여 드립니다."},
    # live training
    "inr.train_title": {"en": "Train live", "ko": "실시간 학습"},
    "inr.ssim_help": {"en": "Structural similarity to the picture (1 = identical), measured when training stops or ends.",
                      "ko": "원본과의 구조적 유사도(1 = 동일)이며, 학습을 멈추거나 끝나면 계산합니다."},
    "inr.speed": {"en": "Steps per second", "ko": "초당 단계 수"},
    "inr.ceiling": {"en": "Sobel ceiling", "ko": "Sobel 상한"},
    "inr.ceiling_help": {"en": "The PSNR a perfect fit to the Sobel gradients would reach: Sobel smooths the picture, so even an exact match of its gradients (a spectral Poisson solve) loses detail.",
                         "ko": "Sobel 기울기에 완벽히 맞췄을 때 얻는 PSNR입니다. Sobel 필터가 그림을 흐리게 하므로, 그 기울기를 정확히 맞춰도(스펙트럼 푸아송 풀이) 세부가 사라집니다."},
    "inr.reached": {"en": "Reached {target} dB at step {step} after {seconds} s of training.",
                    "ko": "학습 {seconds}초, {step}단계에서 {target} dB에 도달했습니다."},
    "inr.frame_reconstruction": {"en": "φ(x, y) at step {step}", "ko": "{step}단계의 φ(x, y)"},
    "inr.frame_dx": {"en": "∂φ/∂x by autograd", "ko": "autograd로 구한 ∂φ/∂x"},
    "inr.frame_dy": {"en": "∂φ/∂y by autograd", "ko": "autograd로 구한 ∂φ/∂y"},
    "inr.frame_error": {"en": "Error φ − I (full colour at ±0.1)", "ko": "오차 φ − I (±0.1에서 가장 진함)"},
    "inr.align_gradients": {"en": "Gradients do not fix the overall brightness: before measuring, each channel is shifted by the one constant that best matches the picture.",
                            "ko": "기울기만으로는 전체 밝기가 정해지지 않습니다. 그래서 측정 전에 각 채널을 그림과 가장 잘 맞는 상수 하나만큼 옮깁니다."},
    "inr.align_laplacian": {"en": "The Laplacian does not fix brightness or a tilt: before measuring, each channel gets the plane a + b·x + c·y that best matches the picture.",
                            "ko": "라플라시안만으로는 밝기와 기울어짐이 정해지지 않습니다. 그래서 측정 전에 각 채널에 그림과 가장 잘 맞는 평면 a + b·x + c·y를 더합니다."},
    "inr.axis_step": {"en": "step", "ko": "단계"},
    "inr.rule_target": {"en": "target", "ko": "목표"},
    "inr.rule_ceiling": {"en": "Sobel ceiling", "ko": "Sobel 상한"},
    "inr.download": {"en": "Download the reconstruction (PNG)", "ko": "복원한 그림 내려받기 (PNG)"},
    # what only an INR can do
    "inr.superres_title": {"en": "What only an INR can do: any resolution", "ko": "INR만 할 수 있는 일: 아무 해상도로 그리기"},
    "inr.superres_intro": {"en": "The network is a function of continuous coordinates, so it can be evaluated between the pixels it was trained on. Its derivatives above come from autograd, not from a filter.",
                           "ko": "신경망은 연속 좌표의 함수라서 학습한 픽셀 사이의 점에서도 값을 구할 수 있습니다. 위의 도함수도 필터가 아니라 autograd로 구한 것입니다."},
    "inr.scale": {"en": "Enlargement", "ko": "확대 배율"},
    "inr.render_button": {"en": "Render", "ko": "그리기"},
    "inr.rendering": {"en": "Evaluating the network at every new pixel…", "ko": "새 픽셀마다 신경망을 계산하는 중…"},
    "inr.big_caption": {"en": "The network at {scale}× (step {step})", "ko": "{scale}배로 그린 신경망 ({step}단계)"},
    "inr.bicubic_caption": {"en": "The picture enlarged {scale}× by bicubic interpolation, for comparison",
                            "ko": "비교용: 그림을 쌍삼차 보간으로 {scale}배 확대한 것"},
    "inr.download_big": {"en": "Download the {scale}× rendering (PNG)", "ko": "{scale}배 그림 내려받기 (PNG)"},
    # graph, check, pitfall
    "inr.graph_title": {"en": "The autograd graph of the loss", "ko": "손실의 autograd 그래프"},
    "inr.graph_caption_pixels": {"en": "Pixel loss on a few pixels: only forward operations. Switch to ∇φ ≈ ∇I to see the nodes that create_graph=True adds.",
                                 "ko": "몇 개 픽셀에 대한 픽셀 손실로, 순전파 연산만 있습니다. ∇φ ≈ ∇I로 바꾸면 create_graph=True가 더하는 노드를 볼 수 있습니다."},
    "inr.graph_caption_gradients": {"en": "Gradient loss on a few pixels: the red nodes are the backward pass that computed ∂φ/∂(x, y); create_graph=True recorded them, so loss.backward() can run through them to the weights.",
                                    "ko": "몇 개 픽셀에 대한 기울기 손실입니다. 빨간 노드는 ∂φ/∂(x, y)를 계산한 역전파이며, create_graph=True가 이를 기록했기 때문에 loss.backward()가 이 노드를 거쳐 가중치까지 갈 수 있습니다."},
    "inr.graph_caption_laplacian": {"en": "Laplacian loss on a few pixels: two recorded backward passes (red), one for the gradient and one for its derivative.",
                                    "ko": "몇 개 픽셀에 대한 라플라시안 손실입니다. 기록된 역전파(빨강)가 두 번 들어 있습니다. 한 번은 기울기, 한 번은 그 도함수입니다."},
    "inr.check_title": {"en": "Check: autograd derivative against finite differences", "ko": "검증: autograd 도함수와 유한 차분 비교"},
    "inr.check_reference": {"en": "float64 central differences", "ko": "float64 중앙 차분"},
    "inr.check_caption_trained": {"en": "∂φ/∂x and ∂φ/∂y of your network (float32, autograd) at 64 pixels, against central differences of a float64 copy. Points on a ReLU or grid kink are left out: there the derivative does not exist.",
                                  "ko": "학습 중인 신경망의 ∂φ/∂x, ∂φ/∂y(float32, autograd)를 64개 픽셀에서 float64 복사본의 중앙 차분과 비교합니다. ReLU나 격자의 꺾인 점은 도함수가 없으므로 제외합니다."},
    "inr.check_caption_fresh": {"en": "No network trained yet: checking a freshly initialised one with these settings (float32 autograd against float64 central differences at 64 pixels).",
                                "ko": "아직 학습한 신경망이 없어, 이 설정으로 새로 초기화한 신경망을 검증합니다 (64개 픽셀에서 float32 autograd와 float64 중앙 차분 비교)."},
    "inr.pitfall_title": {"en": "Gradient loss without create_graph=True", "ko": "create_graph=True 없이 만든 기울기 손실"},
    "inr.pitfall_explain": {"en": "Without `create_graph=True`, `torch.autograd.grad` returns the gradient as a plain constant: no graph connects it to the weights, so the loss built from it has no `grad_fn` and `loss.backward()` fails. With `create_graph=True` the backward pass is itself recorded (the red nodes above).",
                            "ko": "`create_graph=True`가 없으면 `torch.autograd.grad`는 기울기를 그냥 상수로 돌려줍니다. 가중치와 이어지는 그래프가 없으므로 이것으로 만든 손실에는 `grad_fn`이 없고 `loss.backward()`가 실패합니다. `create_graph=True`를 주면 역전파 자체가 기록됩니다 (위 그래프의 빨간 노드)."},
}
