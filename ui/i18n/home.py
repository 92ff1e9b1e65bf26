"""Strings of the home page."""
STRINGS = {
    "home.title": {"en": "Home", "ko": "홈"},
    "home.tagline": {
        "en": "See and touch PyTorch autograd: seven use cases, each with sliders, charts, the autograd graph, the exact code that ran, a check against an independent method, and the wrong version run for real.",
        "ko": "PyTorch autograd를 직접 보고 만져 보세요. 일곱 가지 사용 사례마다 슬라이더, 차트, autograd 그래프, 실제로 실행된 코드, 독립적인 방법과의 비교, 그리고 잘못된 버전을 실제로 실행한 결과가 있습니다."},
    "home.cases": {"en": "Use cases", "ko": "사용 사례"},
    "home.you_see": {"en": "You will see", "ko": "볼 수 있는 것"},
    "home.open": {"en": "Open", "ko": "열기"},
    "home.derivatives_blurb": {"en": "Differentiate a formula again and again with create_graph=True.",
                               "ko": "create_graph=True로 식을 거듭 미분합니다."},
    "home.derivatives_see": {"en": "f, f′, … f⁽⁶⁾ checked against sympy, the graph of a gradient being built, the error without create_graph.",
                             "ko": "sympy와 비교한 f, f′, … f⁽⁶⁾, 기울기의 그래프가 만들어지는 모습, create_graph 없이 생기는 오류."},
    "home.network_gradients_blurb": {"en": "Gradients of a network with respect to its input and to every weight, and the gradient of a gradient.",
                                     "ko": "신경망의 입력과 모든 가중치에 대한 기울기, 그리고 기울기의 기울기."},
    "home.network_gradients_see": {"en": "A gradient field over the input plane, per-layer weight gradients, double backprop, an input-gradient penalty trained live.",
                                   "ko": "입력 평면의 기울기장, 층별 가중치 기울기, 이중 역전파, 실시간으로 학습하는 입력 기울기 페널티."},
    "home.maml_blurb": {"en": "Meta-learning with second-order meta-gradients through an inner update.",
                        "ko": "내부 업데이트를 거치는 2차 메타 기울기로 메타러닝을 합니다."},
    "home.maml_see": {"en": "Sinusoid few-shot regression trained live, second-order vs first-order MAML, what forgetting create_graph silently does.",
                      "ko": "실시간으로 학습하는 사인파 퓨샷 회귀, 2차 MAML과 1차 MAML 비교, create_graph를 빼먹으면 조용히 일어나는 일."},
    "home.hessian_blurb": {"en": "Hessian-vector products and the curvature they reveal without forming the Hessian.",
                           "ko": "헤시안을 만들지 않고 헤시안-벡터 곱으로 곡률을 알아냅니다."},
    "home.hessian_see": {"en": "Four HVP methods agreeing, top eigenvalues, Hutchinson's trace, the spectrum, and how cost scales.",
                         "ko": "서로 일치하는 네 가지 HVP 방법, 최대 고윳값, Hutchinson 대각합, 스펙트럼, 그리고 비용이 커지는 방식."},
    "home.inr_blurb": {"en": "A neural network that is your picture, fitted to its pixels or to its gradients only.",
                       "ko": "내 사진 그 자체가 되는 신경망을 픽셀 또는 기울기만으로 학습합니다."},
    "home.inr_see": {"en": "Live reconstruction of an uploaded picture, autograd derivative images, super-resolution rendering.",
                     "ko": "업로드한 사진의 실시간 복원, autograd로 구한 미분 이미지, 고해상도 렌더링."},
    "home.pinn_blurb": {"en": "A network whose loss is a differential equation's residual, built from its own derivatives.",
                        "ko": "자기 도함수로 만든 미분방정식의 잔차를 손실로 쓰는 신경망입니다."},
    "home.pinn_see": {"en": "An oscillator and Burgers' equation solved live against their exact solutions, ζ learned from noisy data, the cost of higher orders.",
                      "ko": "정확한 해와 비교하며 실시간으로 푸는 진동자와 버거스 방정식, 잡음 섞인 데이터로 학습한 ζ, 고계 도함수의 비용."},
    "home.multi_backward_blurb": {"en": "Several backward passes through one shared graph, and the errors around them.",
                                  "ko": "하나의 공유 그래프를 여러 번 역전파할 때와 그때 생기는 오류."},
    "home.multi_backward_see": {"en": "retain_graph, summed gradients on a shared trunk, the in-place error after optimizer.step(), saved-tensor memory.",
                                "ko": "retain_graph, 공유 몸통에 더해지는 기울기, optimizer.step() 뒤의 in-place 오류, 저장된 텐서의 메모리."},
    "home.primer_title": {"en": "What is autograd?", "ko": "autograd란?"},
    "home.primer": {
        "en": "When a tensor has `requires_grad=True`, PyTorch records every operation on it in a graph. "
              "Calling `backward()` or `torch.autograd.grad` walks that graph from the output back to the inputs, applying the chain rule at each node. "
              "Move the slider: $y = {f}$ is computed, its graph recorded, and $dy/dx = {df}$ comes from autograd.",
        "ko": "텐서에 `requires_grad=True`가 있으면 PyTorch는 그 텐서에 대한 모든 연산을 그래프에 기록합니다. "
              "`backward()`나 `torch.autograd.grad`를 호출하면 출력에서 입력 쪽으로 그래프를 거슬러 가며 각 노드에서 연쇄 법칙을 적용합니다. "
              "슬라이더를 움직여 보세요. $y = {f}$을(를) 계산하면서 그래프가 기록되고, $dy/dx = {df}$이(가) autograd로 나옵니다."},
    "home.primer_x": {"en": "x", "ko": "x"},
    "home.primer_result": {"en": "y = {y:.4g} · dy/dx by autograd = {dy:.4g} · by hand (sympy), ${df}$ = {hand:.4g}",
                           "ko": "y = {y:.4g} · autograd로 구한 dy/dx = {dy:.4g} · 손으로 구한(sympy) ${df}$ = {hand:.4g}"},
}
