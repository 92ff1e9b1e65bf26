"""Strings of the physics-informed networks page."""
STRINGS = {
    "pinn.title": {"en": "Physics-informed networks", "ko": "물리 정보 신경망"},
    "pinn.intro": {
        "en": "A network u(t) or u(t, x) trained so that it **satisfies a differential equation**: its loss is the "
              "equation's residual, built from ∂u/∂t, ∂u/∂x and ∂²u/∂x² taken with `torch.autograd.grad(..., "
              "create_graph=True)`. Every training step backpropagates through those derivatives into the weights "
              "(double backprop). The reference is the equation's own solution, computed without any network.",
        "ko": "미분방정식을 **만족하도록** 학습하는 신경망 u(t) 또는 u(t, x)입니다. 손실은 방정식의 잔차이며, "
              "`torch.autograd.grad(..., create_graph=True)`로 구한 ∂u/∂t, ∂u/∂x, ∂²u/∂x²로 만듭니다. 학습 단계마다 "
              "이 도함수들을 거쳐 가중치까지 역전파합니다(이중 역전파). 기준값은 신경망 없이 계산한 방정식의 해입니다."},
    "pinn.equation": {"en": "Equation", "ko": "방정식"},
    "pinn.about_oscillator": {
        "en": "Damped harmonic oscillator, u(0) = 1, u′(0) = 0 on t ∈ [0, 1]; reference: the closed form "
              "(and scipy's solve_ivp in the tests).",
        "ko": "감쇠 조화 진동자, t ∈ [0, 1]에서 u(0) = 1, u′(0) = 0. 기준값: 닫힌 형태의 해(테스트에서는 scipy의 "
              "solve_ivp도 사용)."},
    "pinn.about_burgers": {
        "en": "Viscous Burgers on x ∈ [−1, 1], t ∈ [0, 1], u(0, x) = −sin(πx), u(t, ±1) = 0; reference: the Cole-Hopf "
              "formula by quadrature in log-space. A steep front forms at x = 0 as ν gets small.",
        "ko": "x ∈ [−1, 1], t ∈ [0, 1]에서의 점성 버거스 방정식, u(0, x) = −sin(πx), u(t, ±1) = 0. 기준값: 로그 공간 "
              "구적법으로 계산한 콜-홉프 공식. ν가 작을수록 x = 0에 가파른 전선이 생깁니다."},
    "pinn.about_oscillator_inverse": {
        "en": "Inverse problem: the damping ratio ζ is unknown. It is a trainable parameter next to the weights, learned "
              "from noisy observations of u (black dots) and the equation's residual.",
        "ko": "역문제: 감쇠비 ζ를 모릅니다. ζ는 가중치와 함께 학습되는 매개변수이며, 잡음이 섞인 u의 관측값(검은 점)과 "
              "방정식의 잔차로부터 학습합니다."},
    "pinn.damping": {"en": "Damping ratio ζ", "ko": "감쇠비 ζ"},
    "pinn.damping_help": {"en": "Below 1: underdamped, the oscillation decays. In the inverse problem, the truth to find.",
                          "ko": "1보다 작으면 부족 감쇠로 진동이 줄어듭니다. 역문제에서는 찾아야 할 참값입니다."},
    "pinn.frequency": {"en": "Natural frequency ω₀", "ko": "고유 진동수 ω₀"},
    "pinn.frequency_help": {"en": "ω₀ = 20 gives about three periods on [0, 1]: hard for a plain network.",
                            "ko": "ω₀ = 20이면 [0, 1]에 약 세 주기가 들어가 평범한 신경망에는 어렵습니다."},
    "pinn.viscosity": {"en": "Viscosity ν", "ko": "점성 ν"},
    "pinn.viscosity_help": {"en": "0.01/π is the original paper's value, with a sharp front.",
                            "ko": "0.01/π는 원 논문의 값이며 날카로운 전선이 생깁니다."},
    "pinn.observations": {"en": "Observations", "ko": "관측값 개수"},
    "pinn.observations_help": {"en": "Noisy samples of u at random times, the only data the inverse problem has.",
                               "ko": "임의의 시각에서 뽑은 잡음 섞인 u의 표본이며, 역문제가 가진 유일한 데이터입니다."},
    "pinn.noise": {"en": "Noise (std)", "ko": "잡음 (표준편차)"},
    "pinn.width": {"en": "Width", "ko": "너비"},
    "pinn.depth": {"en": "Hidden layers", "ko": "은닉층 수"},
    "pinn.activation": {"en": "Activation", "ko": "활성화 함수"},
    "pinn.features": {"en": "Fourier features", "ko": "푸리에 특징 수"},
    "pinn.features_help": {
        "en": "sin and cos of t at frequencies up to ω₀ as extra inputs: a smooth network then finds fast oscillations "
              "in hundreds of steps instead of thousands.",
        "ko": "ω₀까지의 진동수로 t의 sin과 cos를 추가 입력으로 넣습니다. 그러면 매끄러운 신경망도 빠른 진동을 수천 단계가 "
              "아니라 수백 단계 만에 찾습니다."},
    "pinn.learning_rate": {"en": "Learning rate (Adam)", "ko": "학습률 (Adam)"},
    "pinn.collocation": {"en": "Collocation points", "ko": "콜로케이션 점 개수"},
    "pinn.collocation_help": {"en": "Where the residual is evaluated, drawn once (L-BFGS needs a fixed loss).",
                              "ko": "잔차를 계산하는 점들이며 한 번만 뽑습니다(L-BFGS에는 고정된 손실이 필요합니다)."},
    "pinn.steps": {"en": "Adam steps", "ko": "Adam 단계 수"},
    "pinn.lbfgs": {"en": "then L-BFGS", "ko": "이어서 L-BFGS"},
    "pinn.lbfgs_help": {"en": "Quasi-Newton iterations after Adam, as in the original PINN paper.",
                        "ko": "Adam 다음에 준뉴턴 반복을 합니다. 원래 PINN 논문과 같은 방식입니다."},
    "pinn.lbfgs_steps": {"en": "L-BFGS iterations", "ko": "L-BFGS 반복 수"},
    "pinn.weight_residual": {"en": "Weight: residual", "ko": "가중치: 잔차"},
    "pinn.weight_boundary": {"en": "Weight: initial/boundary", "ko": "가중치: 초기·경계 조건"},
    "pinn.weight_data": {"en": "Weight: observations", "ko": "가중치: 관측값"},
    "pinn.bad_equation": {"en": "Unknown equation, optimizer or activation.", "ko": "알 수 없는 방정식, 최적화기 또는 활성화 함수입니다."},
    "pinn.no_collocation": {
        "en": "Zero collocation points: the residual would be evaluated nowhere, so nothing ties the network to the "
              "equation. Pick at least 64.",
        "ko": "콜로케이션 점이 0개이면 잔차를 어디에서도 계산하지 않아 신경망이 방정식과 아무 관련이 없게 됩니다. "
              "64개 이상을 고르세요."},
    "pinn.no_observations": {"en": "The inverse problem needs at least one observation of u.",
                             "ko": "역문제에는 u의 관측값이 적어도 하나 필요합니다."},
    "pinn.not_underdamped": {"en": "The damping ratio must lie strictly between 0 and 1 (underdamped).",
                             "ko": "감쇠비는 0과 1 사이여야 합니다(부족 감쇠)."},
    "pinn.bad_network": {"en": "Width, depth, learning rate and ω₀ must be positive.",
                         "ko": "너비, 깊이, 학습률, ω₀는 양수여야 합니다."},
    "pinn.diverged": {
        "en": "Training stopped: the loss became NaN, infinite, or a thousand times its starting value. Lower the "
              "learning rate and press Start again.",
        "ko": "손실이 NaN이나 무한대가 되었거나 처음 값의 천 배를 넘어서 학습을 멈췄습니다. 학습률을 낮추고 다시 시작을 "
              "누르세요."},
    "pinn.train_title": {"en": "Training", "ko": "학습"},
    "pinn.relative_l2": {"en": "Relative L2 error", "ko": "상대 L2 오차"},
    "pinn.speed": {"en": "Time per step", "ko": "단계당 시간"},
    "pinn.learned_damping": {"en": "Learned ζ", "ko": "학습된 ζ"},
    "pinn.prediction_title": {"en": "Network against the reference", "ko": "신경망과 기준값 비교"},
    "pinn.residual_title": {"en": "|residual| over t", "ko": "t에 따른 |잔차|"},
    "pinn.residual_axis": {"en": "|residual|", "ko": "|잔차|"},
    "pinn.reference": {"en": "reference", "ko": "기준값"},
    "pinn.network": {"en": "network", "ko": "신경망"},
    "pinn.cole_hopf": {"en": "Cole-Hopf", "ko": "콜-홉프 해"},
    "pinn.error": {"en": "network − Cole-Hopf", "ko": "신경망 − 콜-홉프 해"},
    "pinn.residual_abs": {"en": "log₁₀ |residual|", "ko": "log₁₀ |잔차|"},
    "pinn.burgers_caption": {
        "en": "Heat maps over t (up) and x (across). The error and the residual gather at the front at x = 0.",
        "ko": "세로축은 t, 가로축은 x인 열지도입니다. 오차와 잔차는 x = 0의 전선에 모입니다."},
    "pinn.loss_title": {"en": "Each loss term", "ko": "손실 항별 값"},
    "pinn.term_loss": {"en": "total (weighted)", "ko": "전체 (가중 합)"},
    "pinn.term_residual": {"en": "residual", "ko": "잔차"},
    "pinn.term_boundary": {"en": "initial/boundary", "ko": "초기·경계 조건"},
    "pinn.term_data": {"en": "observations", "ko": "관측값"},
    "pinn.step": {"en": "step", "ko": "단계"},
    "pinn.damping_title": {"en": "Learned ζ against the truth", "ko": "학습된 ζ와 참값"},
    "pinn.lbfgs_caption": {"en": "Adam for the first {adam} steps, then L-BFGS (a step there is one iteration).",
                           "ko": "처음 {adam}단계는 Adam, 그다음은 L-BFGS입니다(L-BFGS에서는 반복 한 번이 한 단계)."},
    "pinn.check_title": {"en": "Check against the reference", "ko": "기준값과 비교"},
    "pinn.check_idle": {"en": "Train, then stop or let it finish: the trained network is checked here.",
                        "ko": "학습한 뒤 멈추거나 끝까지 기다리면 여기에서 학습된 신경망을 검사합니다."},
    "pinn.reference_oscillator": {"en": "closed form", "ko": "닫힌 형태의 해"},
    "pinn.reference_oscillator_inverse": {"en": "closed form with the true ζ", "ko": "참값 ζ의 닫힌 형태의 해"},
    "pinn.reference_burgers": {"en": "Cole-Hopf quadrature", "ko": "콜-홉프 구적법"},
    "pinn.l2_verdict": {"en": "Relative L2 error {l2} (target ≤ {target}).", "ko": "상대 L2 오차 {l2} (목표 ≤ {target})."},
    "pinn.damping_verdict": {"en": "Learned ζ = {learned}, truth {truth}: {rel}% off (target within 5%).",
                             "ko": "학습된 ζ = {learned}, 참값 {truth}: {rel}% 차이 (목표 5% 이내)."},
    "pinn.graph_title": {"en": "The residual's autograd graph", "ko": "잔차의 autograd 그래프"},
    "pinn.graph_caption": {
        "en": "The residual at four points with a fresh network of these settings. u's own forward graph has {forward} "
              "nodes; the residual's has {total}: the red ones were recorded by the two create_graph=True backwards "
              "that took u′ and u″, and training backpropagates through all of them.",
        "ko": "이 설정의 새 신경망으로 네 점에서 계산한 잔차입니다. u 자체의 순전파 그래프는 노드가 {forward}개이고 잔차의 "
              "그래프는 {total}개입니다. 빨간 노드는 u′와 u″를 구한 두 번의 create_graph=True 역전파가 기록한 것이며, "
              "학습은 이 노드를 모두 거쳐 역전파합니다."},
    "pinn.cost_title": {"en": "The cost of going higher", "ko": "고계 도함수의 비용"},
    "pinn.cost_toggle": {"en": "Measure dⁿu/dtⁿ for n = 1…6", "ko": "n = 1…6에 대해 dⁿu/dtⁿ 측정"},
    "pinn.cost_help": {"en": "Times nested autograd.grad against torch.func (jacfwd, hessian) under vmap, now, here.",
                       "ko": "중첩 autograd.grad와 vmap 아래 torch.func(jacfwd, hessian)를 지금 이 서버에서 측정합니다."},
    "pinn.cost_idle": {"en": "Switch on to measure (a few seconds).", "ko": "켜면 측정합니다(몇 초 걸립니다)."},
    "pinn.cost_ms": {"en": "milliseconds", "ko": "밀리초"},
    "pinn.cost_nodes": {"en": "autograd nodes behind the result", "ko": "결과 뒤의 autograd 노드 수"},
    "pinn.cost_caption": {
        "en": "64 points, the network of these settings. Either way the graph grows by a roughly constant factor "
              "per order: each derivative is a graph of the one before. Both agree to {diff} (relative).",
        "ko": "64개 점, 이 설정의 신경망입니다. 그래프 크기는 어느 방법이든 차수마다 거의 일정한 배수로 커집니다. 각 도함수가 이전 "
              "도함수의 그래프이기 때문입니다. 두 방법은 {diff}(상대값)까지 일치합니다."},
    "pinn.pitfall_graph_title": {"en": "u′ taken without create_graph=True, then u″",
                                 "ko": "create_graph=True 없이 u′를 구한 뒤 u″ 구하기"},
    "pinn.pitfall_graph_explain": {
        "en": "Without create_graph=True the first derivative is a plain tensor with no graph, so there is nothing to "
              "differentiate a second time.",
        "ko": "create_graph=True가 없으면 1계 도함수는 그래프가 없는 평범한 텐서여서 두 번째로 미분할 대상이 없습니다."},
    "pinn.pitfall_bn_title": {"en": "A BatchNorm layer in the network", "ko": "신경망 안의 BatchNorm 층"},
    "pinn.pitfall_bn_explain": {
        "en": "`grad(u, t, ones)` gives Σⱼ ∂uⱼ/∂tᵢ, which is ∂uᵢ/∂tᵢ only when each output depends on its own point. "
              "BatchNorm normalises with the batch's statistics, so every output depends on every point: the derivative "
              "is silently wrong (against finite differences that move one point at a time), and no error is raised.",
        "ko": "`grad(u, t, ones)`는 Σⱼ ∂uⱼ/∂tᵢ를 주며, 이것은 각 출력이 자기 점에만 의존할 때만 ∂uᵢ/∂tᵢ와 같습니다. "
              "BatchNorm은 배치 통계로 정규화하므로 모든 출력이 모든 점에 의존합니다. 그래서 도함수가 조용히 틀리고"
              "(한 번에 한 점씩 움직이는 유한 차분과 비교), 오류도 나지 않습니다."},
    "pinn.pitfall_bn_value": {
        "en": "largest |ones-vector derivative − finite difference| with BatchNorm: {bn}\nthe same without BatchNorm: {plain}",
        "ko": "BatchNorm이 있을 때 |ones 벡터 도함수 − 유한 차분|의 최댓값: {bn}\nBatchNorm이 없을 때: {plain}"},
    "pinn.pitfall_copy_title": {"en": "requires_grad_ on a reshaped copy of the points",
                                "ko": "점들을 reshape한 사본에 requires_grad_ 설정"},
    "pinn.pitfall_copy_explain": {
        "en": "reshape returns a new tensor: the one marked requires_grad_ is not the one the network was fed, so "
              "autograd finds it nowhere in the graph. Mark the tensor you pass to the network, then differentiate "
              "with respect to that same tensor.",
        "ko": "reshape는 새 텐서를 돌려줍니다. requires_grad_를 설정한 텐서는 신경망에 넣은 텐서가 아니므로 autograd가 "
              "그래프에서 찾지 못합니다. 신경망에 넣는 바로 그 텐서에 표시하고 그 텐서로 미분하세요."},
}
