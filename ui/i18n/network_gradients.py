"""Strings of the network gradients & double backprop page."""
STRINGS = {
    "network_gradients.title": {"en": "Network gradients & double backprop", "ko": "신경망 기울기와 이중 역전파"},
    "network_gradients.nav": {"en": "Network gradients", "ko": "신경망 기울기"},  # the sidebar's width
    "network_gradients.intro": {
        "en": "A small MLP f: ℝ² → ℝ. One backward pass gives the gradient with respect to the input x and to every "
              "weight θ; a second backward through the first one (double backprop) differentiates a function of "
              "those gradients. Every number below is checked against an independent method.",
        "ko": "작은 MLP f: ℝ² → ℝ를 봅니다. 역전파 한 번으로 입력 x에 대한 기울기와 모든 가중치 θ에 대한 기울기를 "
              "함께 얻고, 그 역전파를 한 번 더 거슬러 올라가면(이중 역전파) 기울기로 만든 함수까지 미분할 수 있습니다. "
              "아래의 모든 숫자는 독립적인 방법으로 검증합니다."},
    "network_gradients.x1": {"en": "Input x₁", "ko": "입력 x₁"},
    "network_gradients.x2": {"en": "Input x₂", "ko": "입력 x₂"},
    "network_gradients.width": {"en": "Width", "ko": "너비"},
    "network_gradients.width_help": {"en": "Units in each hidden layer.", "ko": "은닉층 하나에 들어 있는 유닛 수입니다."},
    "network_gradients.depth": {"en": "Hidden layers", "ko": "은닉층 수"},
    "network_gradients.depth_help": {"en": "Number of hidden layers; the output layer comes on top.",
                                     "ko": "은닉층의 개수입니다. 그 위에 출력층이 하나 더 붙습니다."},
    "network_gradients.activation": {"en": "Activation", "ko": "활성화 함수"},
    "network_gradients.resolution": {"en": "Grid points per side", "ko": "격자 한 변의 점 수"},
    "network_gradients.resolution_help": {
        "en": "The field is computed for all points of the grid in one batched backward pass.",
        "ko": "격자의 모든 점에 대한 기울기를 배치 역전파 한 번으로 계산합니다."},
    "network_gradients.input_title": {"en": "∇ₓf: gradient with respect to the input",
                                      "ko": "∇ₓf: 입력에 대한 기울기"},
    "network_gradients.field_caption": {
        "en": "Colour: f over the input plane. Arrows: ∇ₓf, pointing uphill, longer where f is steeper; all {n} grid "
              "gradients come from one call torch.autograd.grad(f, X, grad_outputs=ones), which is exact because the "
              "rows of the batch do not interact. Red circle: the chosen input.",
        "ko": "색: 입력 평면 위의 f 값. 화살표: ∇ₓf로, f가 커지는 쪽을 가리키고 가파를수록 깁니다. 격자 {n}개 점의 "
              "기울기는 torch.autograd.grad(f, X, grad_outputs=ones) 한 번으로 구하며, 배치의 행끼리 서로 영향을 주지 "
              "않으므로 정확합니다. 빨간 원: 고른 입력."},
    "network_gradients.ref_jacrev": {"en": "torch.func.jacrev (float64, CPU)", "ko": "CPU에서 float64로 계산한 torch.func.jacrev"},
    "network_gradients.ref_fd": {"en": "float64 central differences", "ko": "float64 중앙 차분"},
    "network_gradients.ref_fd_grad": {"en": "float64 central differences of ∇θf along ∇θf (as gradgradcheck does)",
                                      "ko": "∇θf 방향으로 잰 ∇θf의 float64 중앙 차분 (gradgradcheck 방식)"},
    "network_gradients.param_title": {"en": "∇θf: gradient with respect to every parameter",
                                      "ko": "∇θf: 모든 매개변수에 대한 기울기"},
    "network_gradients.param_intro": {
        "en": "`torch.autograd.grad(f, list(net.parameters()))` returns one gradient per parameter, each shaped like "
              "its parameter; `parameters_to_vector` joins them into one vector of all {n} numbers. Taking `[0]` of "
              "that list keeps only the first layer's weights (see the pitfalls below).",
        "ko": "`torch.autograd.grad(f, list(net.parameters()))`는 매개변수마다 그 모양 그대로의 기울기를 하나씩 돌려주고, "
              "`parameters_to_vector`는 이를 숫자 {n}개짜리 벡터 하나로 이어 붙입니다. 이 리스트에서 `[0]`만 꺼내면 "
              "첫 층의 가중치만 남습니다(아래 함정 참고)."},
    "network_gradients.heat_caption": {
        "en": "{what} for each layer, shaped like its parameters: weight (rows = output units, columns = inputs) with "
              "the bias as the last column; red positive, blue negative, one colour scale per layer.",
        "ko": "층마다 매개변수와 같은 모양으로 그린 {what}: 가중치(행 = 출력 유닛, 열 = 입력)와 마지막 열의 편향. "
              "빨강은 양수, 파랑은 음수이며 층마다 색 척도가 따로 있습니다."},
    "network_gradients.flat_index": {"en": "position in the parameter vector", "ko": "매개변수 벡터에서의 위치"},
    "network_gradients.flat_caption": {"en": "parameters_to_vector: {n} = {sizes} numbers, in the order of net.parameters().",
                                       "ko": "parameters_to_vector: net.parameters() 순서대로 {sizes} = {n}개의 숫자."},
    "network_gradients.col_param": {"en": "Parameter", "ko": "매개변수"},
    "network_gradients.col_shape": {"en": "Shape", "ko": "모양"},
    "network_gradients.double_title": {"en": "Double backprop: G = Σ(∂f/∂θ)² and ∇θG",
                                       "ko": "이중 역전파: G = Σ(∂f/∂θ)²와 ∇θG"},
    "network_gradients.double_intro": {
        "en": "With `create_graph=True` the first backward records its own operations, so the gradients are "
              "differentiable tensors and G can be backpropagated again: ∇θG = 2·H·∇θf, with H the Hessian of f. "
              "The column ∂Gℓ/∂θℓ keeps only each parameter's own block, Gℓ = ‖∂f/∂θℓ‖² differentiated by θℓ alone.",
        "ko": "`create_graph=True`를 주면 첫 역전파가 자기 연산까지 그래프에 기록하므로 기울기가 미분 가능한 텐서가 되고, "
              "G를 다시 역전파할 수 있습니다: ∇θG = 2·H·∇θf (H는 f의 헤세 행렬). ∂Gℓ/∂θℓ 열은 매개변수마다 자기 블록만, "
              "즉 Gℓ = ‖∂f/∂θℓ‖²를 θℓ 하나로만 미분한 값을 보여 줍니다."},
    "network_gradients.relu_title": {"en": "Which first-layer numbers vanish for ReLU?",
                                     "ko": "ReLU에서는 첫 층의 어떤 값이 0이 될까?"},
    "network_gradients.relu_explain": {
        "en": "With the other layers held fixed, a ReLU network is piecewise linear in its first-layer weights, so "
              "∂f/∂W1 does not move when only W1 moves and ∂G1/∂W1 is exactly 0 (the same holds for every layer's own "
              "block ∂Gℓ/∂θℓ), while tanh, softplus and sine curve and give non-zero values. The full ∂G/∂W1 is not "
              "zero even for ReLU, because G also contains ‖∂f/∂W2‖² and ∂f/∂W2 is made of the first layer's "
              "activations, which do change with W1.",
        "ko": "다른 층을 고정하면 ReLU 신경망은 첫 층 가중치에 대해 조각별 선형이므로 W1만 움직여서는 ∂f/∂W1이 변하지 "
              "않아 ∂G1/∂W1이 정확히 0이 되고(층마다 자기 블록 ∂Gℓ/∂θℓ도 마찬가지), tanh·softplus·sine은 곡률이 있어 "
              "0이 아닌 값이 나옵니다. 하지만 G에는 ‖∂f/∂W2‖²도 들어 있고 ∂f/∂W2는 W1에 따라 실제로 변하는 첫 층의 "
              "활성값으로 이루어지므로, ReLU에서도 전체 ∂G/∂W1은 0이 아닙니다."},
    "network_gradients.graph_caption": {
        "en": "The graph behind f and G. Red nodes were recorded by the create_graph=True backward: G reaches the "
              "parameters through them, which is why it can be differentiated again.",
        "ko": "f와 G 뒤에 있는 그래프입니다. 빨간 노드는 create_graph=True 역전파가 기록한 것으로, G는 이 노드들을 "
              "거쳐 매개변수에 닿기 때문에 다시 미분할 수 있습니다."},
    "network_gradients.pitfall_header": {"en": "Pitfalls, run for real", "ko": "실제로 실행해 본 함정"},
    "network_gradients.pitfall_graph_title": {"en": "∇θG without create_graph=True",
                                              "ko": "create_graph=True 없이 ∇θG 구하기"},
    "network_gradients.pitfall_graph_explain": {
        "en": "Without `create_graph=True` the first backward returns plain numbers with no graph behind them, so G "
              "is a constant as far as autograd knows and there is nothing to differentiate. Pass "
              "`create_graph=True` to the first `torch.autograd.grad`.",
        "ko": "`create_graph=True`가 없으면 첫 역전파는 그래프가 없는 단순한 숫자를 돌려주므로, autograd가 보기에 G는 "
              "상수이고 미분할 것이 없습니다. 첫 번째 `torch.autograd.grad`에 `create_graph=True`를 넘기세요."},
    "network_gradients.pitfall_twice_title": {"en": "Calling .backward() twice", "ko": ".backward()를 두 번 호출하기"},
    "network_gradients.pitfall_twice_explain": {
        "en": "`.backward()` adds into `.grad` instead of overwriting it, so a second pass silently doubles the "
              "gradient. A training loop calls `optimizer.zero_grad()` (or `net.zero_grad()`) before each backward; "
              "since PyTorch 2.0 it sets `.grad` to `None`, and the next backward starts fresh.",
        "ko": "`.backward()`는 `.grad`를 덮어쓰지 않고 더하기 때문에, 두 번째 호출은 아무 경고 없이 기울기를 두 배로 "
              "만듭니다. 학습 루프에서는 역전파마다 먼저 `optimizer.zero_grad()`(또는 `net.zero_grad()`)를 부릅니다. "
              "PyTorch 2.0부터 이 함수는 `.grad`를 `None`으로 만들고, 다음 역전파가 새로 채웁니다."},
    "network_gradients.pitfall_twice_value": {
        "en": "backward once:           W1.grad[0] = {once}\nbackward again:          W1.grad[0] = {twice}  (twice as large)\n"
              "net.zero_grad():         W1.grad is None → {none}\nbackward after that:     W1.grad[0] = {again}",
        "ko": "역전파 1회:              W1.grad[0] = {once}\n역전파 1회 더:           W1.grad[0] = {twice}  (두 배)\n"
              "net.zero_grad():         W1.grad is None → {none}\n그 뒤 역전파 1회:        W1.grad[0] = {again}"},
    "network_gradients.pitfall_first_title": {"en": "Taking [0] of the gradient list (the original blog's bug)",
                                              "ko": "기울기 리스트에서 [0]만 꺼내기 (원래 블로그의 버그)"},
    "network_gradients.pitfall_first_explain": {
        "en": "`torch.autograd.grad(f, net.parameters())` returns a tuple with one gradient per parameter; `[0]` is "
              "only W1. Keep the whole tuple, or join it with `parameters_to_vector`, as this page does.",
        "ko": "`torch.autograd.grad(f, net.parameters())`는 매개변수마다 기울기 하나씩을 담은 튜플을 돌려주며, `[0]`은 "
              "W1뿐입니다. 이 페이지처럼 튜플 전체를 쓰거나 `parameters_to_vector`로 이어 붙이세요."},
    "network_gradients.pitfall_first_value": {"en": "grads[0].shape = {shape}: {n} of the {total} parameter gradients",
                                              "ko": "grads[0].shape = {shape}: 매개변수 기울기 {total}개 중 {n}개뿐"},
    "network_gradients.train_title": {"en": "Why you would want it: an input-gradient penalty",
                                      "ko": "왜 필요할까: 입력 기울기 벌점"},
    "network_gradients.train_intro": {
        "en": "The same network (same seed, same initial weights, same data) is trained twice on two interleaving "
              "half-moons by full-batch gradient descent: once on the cross-entropy alone, once on cross-entropy + "
              "λ·mean‖∇ₓf‖². The penalty is a function of a gradient, so its own gradient needs double backprop "
              "(`create_graph=True`). It flattens the function around the data: compare the gradient-norm maps.",
        "ko": "같은 신경망(같은 시드, 같은 초기 가중치, 같은 데이터)을 서로 맞물린 두 반달 모양 데이터에 전체 배치 "
              "경사 하강법으로 두 번 학습합니다. 한 번은 교차 엔트로피만, 한 번은 교차 엔트로피 + λ·mean‖∇ₓf‖²로 "
              "학습합니다. 벌점이 기울기의 함수이므로 그 기울기를 구하려면 이중 역전파(`create_graph=True`)가 "
              "필요합니다. 벌점은 데이터 주변에서 함수를 평평하게 만듭니다. 기울기 크기 지도를 비교해 보세요."},
    "network_gradients.penalty": {"en": "Penalty λ", "ko": "벌점 계수 λ"},
    "network_gradients.penalty_help": {"en": "Weight of mean‖∇ₓf‖² in the second run's loss.",
                                       "ko": "두 번째 학습의 손실에서 mean‖∇ₓf‖²에 곱하는 가중치입니다."},
    "network_gradients.lr": {"en": "Learning rate", "ko": "학습률"},
    "network_gradients.lr_help": {
        "en": "Step size of gradient descent. Too large and the penalised run overflows to NaN (ReLU, softplus, "
              "sine); tanh saturates instead and simply stops learning.",
        "ko": "경사 하강법의 보폭입니다. 너무 크면 벌점을 준 학습이 넘쳐서 NaN이 되고(ReLU, softplus, sine), "
              "tanh는 대신 포화되어 더 배우지 못합니다."},
    "network_gradients.steps": {"en": "Training steps", "ko": "학습 단계 수"},
    "network_gradients.plain": {"en": "Without penalty", "ko": "벌점 없음"},
    "network_gradients.penalised": {"en": "With penalty λ = {penalty}", "ko": "벌점 λ = {penalty}"},
    "network_gradients.plain_short": {"en": "without penalty", "ko": "벌점 없음"},
    "network_gradients.penalised_short": {"en": "with penalty", "ko": "벌점 있음"},
    "network_gradients.train_numbers": {
        "en": "Training accuracy {accuracy} · loss {loss} · mean ‖∇ₓf‖ on the data {norm}. Top: p(y=1); bottom: ‖∇ₓf‖ of the logit (same colour scale for both runs).",
        "ko": "학습 정확도 {accuracy} · 손실 {loss} · 데이터에서의 평균 ‖∇ₓf‖ {norm}. 위: p(y=1), 아래: 로짓의 ‖∇ₓf‖ (두 학습이 같은 색 척도)."},
    "network_gradients.mean_norm": {"en": "mean ‖∇ₓf‖ on the data", "ko": "데이터에서의 평균 ‖∇ₓf‖"},
}
