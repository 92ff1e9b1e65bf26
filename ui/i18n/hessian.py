"""Strings of the hessian-vector products page."""
STRINGS = {
    "hessian.title": {"en": "Hessian-vector products", "ko": "헤시안-벡터 곱"},
    "hessian.intro": {
        "en": "A small network on a toy regression batch has a loss L(θ) with N parameters, so its Hessian H has N² entries. "
              "Yet H·v for any vector v costs about as much as a gradient: differentiate g·v, where g = ∇L was built with "
              "`create_graph=True`. Eigenvalues, the trace and the whole eigenvalue density follow from such products alone.",
        "ko": "작은 신경망을 장난감 회귀 배치에 학습시키면 파라미터 N개에 대한 손실 L(θ)가 생기고, 그 헤시안 H는 원소가 N²개입니다. "
              "그래도 임의의 벡터 v에 대한 H·v는 기울기 한 번과 비슷한 비용으로 구할 수 있습니다. `create_graph=True`로 만든 "
              "g = ∇L에 대해 g·v를 한 번 더 미분하면 됩니다. 고윳값, 대각합, 고윳값 분포 전체가 이런 곱만으로 나옵니다."},
    "hessian.width": {"en": "Width (units per hidden layer)", "ko": "너비 (은닉층당 유닛 수)"},
    "hessian.width_help": {"en": "N grows like width² × depth: try 64 × 4 to see the full Hessian refused.",
                           "ko": "N은 너비² × 깊이에 비례해 커집니다. 64 × 4로 두면 전체 헤시안 계산이 거부되는 것을 볼 수 있습니다."},
    "hessian.depth": {"en": "Depth (hidden layers)", "ko": "깊이 (은닉층 수)"},
    "hessian.activation": {"en": "Activation", "ko": "활성화 함수"},
    "hessian.activation_help": {
        "en": "tanh by default: a ReLU net's second derivative is zero almost everywhere, so much of its Hessian is exactly 0.",
        "ko": "기본값은 tanh입니다. ReLU의 2계 도함수는 거의 모든 곳에서 0이라 ReLU 신경망의 헤시안은 상당 부분이 정확히 0입니다."},
    "hessian.n_params": {"en": "Parameters N", "ko": "파라미터 수 N"},
    "hessian.loss": {"en": "Loss L(θ)", "ko": "손실 L(θ)"},
    "hessian.hvp_title": {"en": "H·v by double backward", "ko": "이중 역전파로 구하는 H·v"},
    "hessian.hvp_intro": {
        "en": "`g = grad(L, θ, create_graph=True)` keeps the backward pass as a graph; `grad(g·v, θ)` then gives ∇(g·v) = H·v. "
              "Built once, that gradient graph serves every later product (`retain_graph=True`), as PyHessian does. "
              "torch.func's forward-over-reverse (`jvp` of `grad`) and `torch.autograd.functional.hvp`/`vhp` compute the same "
              "vector; where N is small enough, so does the full Hessian times v.",
        "ko": "`g = grad(L, θ, create_graph=True)`는 역전파 과정을 그래프로 남깁니다. 이어서 `grad(g·v, θ)`를 구하면 "
              "∇(g·v) = H·v가 됩니다. 이 기울기 그래프는 한 번만 만들면 이후 모든 곱에 다시 쓸 수 있습니다(`retain_graph=True`). "
              "PyHessian도 이렇게 합니다. torch.func의 forward-over-reverse(`grad`의 `jvp`)와 "
              "`torch.autograd.functional.hvp`/`vhp`도 같은 벡터를 계산하고, N이 충분히 작으면 전체 헤시안에 v를 곱한 값도 같습니다."},
    "hessian.fd_reference": {"en": "float64 central differences of ∇L along v", "ko": "v 방향 ∇L의 float64 중앙 차분"},
    "hessian.col_method": {"en": "method", "ko": "방법"},
    "hessian.col_diff": {"en": "max |Δ| from double backward", "ko": "이중 역전파와의 최대 |차이|"},
    "hessian.col_ms": {"en": "time (ms)", "ko": "시간 (ms)"},
    "hessian.method_double": {"en": "double backward", "ko": "이중 역전파"},
    "hessian.method_reused": {"en": "double backward, gradient graph reused", "ko": "이중 역전파 (기울기 그래프 재사용)"},
    "hessian.method_jvp": {"en": "torch.func.jvp(grad) (forward-over-reverse)", "ko": "torch.func.jvp(grad) (forward-over-reverse)"},
    "hessian.method_hvp": {"en": "torch.autograd.functional.hvp", "ko": "torch.autograd.functional.hvp"},
    "hessian.method_vhp": {"en": "torch.autograd.functional.vhp", "ko": "torch.autograd.functional.vhp"},
    "hessian.method_full": {"en": "torch.func.hessian, then H @ v", "ko": "torch.func.hessian 후 H @ v"},
    "hessian.methods_note": {
        "en": "v is a seeded random vector (change the seed in the sidebar). Times are medians of a few runs on this device; "
              "the reused-graph row leaves out the one gradient it shares with every product.",
        "ko": "v는 시드로 정해지는 난수 벡터입니다(사이드바에서 시드를 바꿀 수 있습니다). 시간은 이 장치에서 몇 번 실행한 중앙값이며, "
              "그래프 재사용 행에는 모든 곱이 함께 쓰는 기울기 계산 한 번이 빠져 있습니다."},
    "hessian.axis_index": {"en": "parameter index i", "ko": "파라미터 번호 i"},
    "hessian.hv_chart_note": {"en": "Line: H·v by double backward; red dots: finite differences (first {shown} entries).",
                              "ko": "선: 이중 역전파로 구한 H·v, 빨간 점: 유한 차분 (앞쪽 {shown}개 원소)."},
    "hessian.graph_caption": {
        "en": "The graph of g·v that the HVP differentiates: red nodes were made by the create_graph=True backward, so "
              "autograd can differentiate the gradient itself.",
        "ko": "HVP가 미분하는 g·v의 그래프입니다. 빨간 노드는 create_graph=True 역전파가 만든 것이어서 autograd가 기울기 자체를 "
              "다시 미분할 수 있습니다."},
    "hessian.full_title": {"en": "The full Hessian", "ko": "전체 헤시안"},
    "hessian.full_refused": {
        "en": "Full Hessian refused: for N = {n} parameters, torch.func.hessian and eigvalsh would need about {need} MiB, "
              "above this page's memory budget of {budget} MiB. Everything below uses H·v products only, which still works.",
        "ko": "전체 헤시안 계산을 거부했습니다. 파라미터 N = {n}개이면 torch.func.hessian과 eigvalsh에 약 {need} MiB가 필요해 "
              "이 페이지의 메모리 한도 {budget} MiB를 넘습니다. 아래 내용은 H·v 곱만 쓰므로 그대로 동작합니다."},
    "hessian.full_running": {"en": "Forming the full Hessian…", "ko": "전체 헤시안을 계산하는 중…"},
    "hessian.heatmap_note": {"en": "H as a heatmap (red positive, blue negative); largest |H − Hᵀ| = {asym}.",
                             "ko": "H를 히트맵으로 나타냈습니다(빨강 양수, 파랑 음수). |H − Hᵀ|의 최댓값 = {asym}."},
    "hessian.heatmap_pooled": {"en": " Each cell is the mean of a block, shown on a {cells} × {cells} grid.",
                               "ko": " 각 칸은 한 블록의 평균이며 {cells} × {cells} 격자로 보여 줍니다."},
    "hessian.running": {"en": "Running H·v products…", "ko": "H·v 곱을 계산하는 중…"},
    "hessian.eigen_title": {"en": "Top eigenvalues by power iteration", "ko": "거듭제곱법으로 구하는 상위 고윳값"},
    "hessian.eigen_intro": {
        "en": "Repeat v ← H·v / |H·v| and the Rayleigh quotient vᵀHv converges to the eigenvalue of largest magnitude. "
              "For the next one, keep v orthogonal to the eigenvectors already found (deflation). It stops when "
              "|Hv − λv| ≤ tol·|λ|, which guarantees an eigenvalue within tol·|λ|.",
        "ko": "v ← H·v / |H·v|를 반복하면 레일리 몫 vᵀHv가 절댓값이 가장 큰 고윳값으로 수렴합니다. 다음 고윳값은 이미 찾은 "
              "고유벡터와 직교하도록 v를 유지해서(디플레이션) 구합니다. |Hv − λv| ≤ tol·|λ|가 되면 멈추며, 이때 tol·|λ| 안에 "
              "실제 고윳값이 있음이 보장됩니다."},
    "hessian.k": {"en": "Eigenvalues k", "ko": "고윳값 개수 k"},
    "hessian.tol": {"en": "Tolerance", "ko": "허용 오차"},
    "hessian.tol_help": {"en": "Stop when the residual |Hv − λv| is below tol·|λ|.",
                         "ko": "잔차 |Hv − λv|가 tol·|λ| 아래로 내려가면 멈춥니다."},
    "hessian.not_converged": {"en": "Some eigenvalues did not converge within {max_iter} iterations: another eigenvalue is too close in magnitude.",
                              "ko": "일부 고윳값이 {max_iter}번 반복 안에 수렴하지 않았습니다. 절댓값이 비슷한 다른 고윳값이 있기 때문입니다."},
    "hessian.axis_iteration": {"en": "iteration", "ko": "반복 횟수"},
    "hessian.axis_estimate": {"en": "Rayleigh quotient vᵀHv", "ko": "레일리 몫 vᵀHv"},
    "hessian.col_power": {"en": "power iteration", "ko": "거듭제곱법"},
    "hessian.col_iterations": {"en": "iterations (H·v products)", "ko": "반복 횟수 (H·v 곱)"},
    "hessian.col_eigvalsh": {"en": "eigvalsh of full H", "ko": "전체 H의 eigvalsh"},
    "hessian.eigvalsh_reference": {"en": "torch.linalg.eigvalsh of the full Hessian", "ko": "전체 헤시안의 torch.linalg.eigvalsh"},
    "hessian.no_reference": {"en": "No full Hessian at this size, so no exact eigenvalues to compare with: the estimates stand alone.",
                             "ko": "이 크기에서는 전체 헤시안이 없어 비교할 정확한 고윳값이 없습니다. 추정값만 보여 줍니다."},
    "hessian.slice_title": {"en": "**The loss along the top eigenvector u₁**", "ko": "**최상위 고유벡터 u₁ 방향의 손실**"},
    "hessian.slice_loss": {"en": "loss L(θ + α·u₁)", "ko": "손실 L(θ + α·u₁)"},
    "hessian.slice_model": {"en": "quadratic model L + α g·u₁ + ½λ₁α²", "ko": "2차 모델 L + α g·u₁ + ½λ₁α²"},
    "hessian.axis_alpha": {"en": "step α along u₁", "ko": "u₁ 방향 이동량 α"},
    "hessian.slice_note": {"en": "Near α = 0 the loss bends like the quadratic with curvature λ₁ = {lam}; farther out the network's nonlinearity takes over.",
                           "ko": "α = 0 근처에서 손실은 곡률 λ₁ = {lam}인 2차식처럼 휘고, 멀어지면 신경망의 비선형성이 드러납니다."},
    "hessian.trace_title": {"en": "The trace by Hutchinson's estimator", "ko": "허친슨 추정량으로 구하는 대각합"},
    "hessian.trace_intro": {
        "en": "For random z with entries ±1, E[zᵀHz] = tr(H). Each sample costs one H·v; the band is the running mean ± one "
              "standard error, which shrinks like 1/√m.",
        "ko": "원소가 ±1인 난수 벡터 z에 대해 E[zᵀHz] = tr(H)입니다. 표본 하나에 H·v 한 번이 들고, 띠는 누적 평균 ± 표준 오차 "
              "한 배로 1/√m처럼 줄어듭니다."},
    "hessian.samples": {"en": "Samples m", "ko": "표본 수 m"},
    "hessian.axis_samples": {"en": "samples m", "ko": "표본 수 m"},
    "hessian.trace_vs_exact": {"en": "Estimate **{est} ± {se}**, exact trace **{exact}** (dashed): {z} standard errors away.",
                               "ko": "추정값 **{est} ± {se}**, 정확한 대각합 **{exact}**(점선): 표준 오차 {z}배만큼 떨어져 있습니다."},
    "hessian.trace_only": {"en": "Estimate **{est} ± {se}** (no full Hessian at this size to compare with).",
                           "ko": "추정값 **{est} ± {se}** (이 크기에서는 비교할 전체 헤시안이 없습니다)."},
    "hessian.density_title": {"en": "Eigenvalue density by stochastic Lanczos quadrature", "ko": "확률적 란초스 구적법으로 구하는 고윳값 분포"},
    "hessian.density_intro": {
        "en": "m Lanczos steps from a random start turn H into an m × m tridiagonal matrix; its eigenvalues and weights are a "
              "quadrature rule for the spectrum. Averaging a few runs and smoothing gives the density, from m H·v products per run.",
        "ko": "난수 시작 벡터에서 란초스 과정을 m단계 진행하면 H가 m × m 삼중대각 행렬로 바뀌고, 그 고윳값과 가중치가 스펙트럼에 "
              "대한 구적 규칙이 됩니다. 몇 번 반복해 평균 내고 매끄럽게 하면 분포가 나오며, 한 번에 H·v 곱 m번이 듭니다."},
    "hessian.steps": {"en": "Lanczos steps m", "ko": "란초스 단계 수 m"},
    "hessian.runs": {"en": "Random starts", "ko": "난수 시작 벡터 수"},
    "hessian.axis_eigenvalue": {"en": "eigenvalue λ", "ko": "고윳값 λ"},
    "hessian.axis_density": {"en": "density", "ko": "밀도"},
    "hessian.density_slq": {"en": "stochastic Lanczos", "ko": "확률적 란초스"},
    "hessian.density_exact": {"en": "exact eigenvalues, same smoothing", "ko": "정확한 고윳값 (같은 평활화)"},
    "hessian.density_note": {
        "en": "Both curves smooth each eigenvalue with the same Gaussian (σ = {sigma}); grey bars: histogram of the exact eigenvalues (eigvalsh). "
              "The sharp peak at 0 is typical: most directions in parameter space barely change the loss.",
        "ko": "두 곡선 모두 각 고윳값을 같은 가우시안(σ = {sigma})으로 매끄럽게 했습니다. 회색 막대는 정확한 고윳값(eigvalsh)의 히스토그램입니다. "
              "0에 솟은 뾰족한 봉우리는 흔한 모습으로, 파라미터 공간의 대부분 방향은 손실을 거의 바꾸지 않습니다."},
    "hessian.density_alone": {"en": "Each Ritz value is smoothed with a Gaussian of σ = {sigma}; no full Hessian at this size to compare with.",
                              "ko": "각 리츠 값을 σ = {sigma}인 가우시안으로 매끄럽게 했습니다. 이 크기에서는 비교할 전체 헤시안이 없습니다."},
    "hessian.scaling_title": {"en": "Scaling: gradient, HVP and full Hessian as N grows", "ko": "규모에 따른 비용: N이 커질 때 기울기, HVP, 전체 헤시안"},
    "hessian.scaling_intro": {
        "en": "Measured live on your device for depth-2 tanh networks of growing width. The full Hessian needs N products, so its "
              "time climbs about N times faster, while one HVP stays a small multiple of one gradient.",
        "ko": "너비를 늘려 가며 깊이 2인 tanh 신경망에서 지금 이 장치로 직접 측정합니다. 전체 헤시안에는 곱이 N번 필요해 시간이 약 "
              "N배 빠르게 늘어나지만, HVP 한 번은 기울기 한 번의 몇 배 수준에 머뭅니다."},
    "hessian.scaling_toggle": {"en": "Measure the timings now", "ko": "지금 시간 측정하기"},
    "hessian.scaling_help": {"en": "Takes a few seconds; each size is measured once per device and then kept.",
                             "ko": "몇 초 걸립니다. 크기마다 장치별로 한 번만 측정하고 결과를 보관합니다."},
    "hessian.scaling_progress": {"en": "Measured {done} of {total} sizes", "ko": "크기 {total}개 중 {done}개 측정함"},
    "hessian.axis_seconds": {"en": "seconds (median)", "ko": "초 (중앙값)"},
    "hessian.time_gradient": {"en": "one gradient", "ko": "기울기 한 번"},
    "hessian.time_hvp": {"en": "one HVP", "ko": "HVP 한 번"},
    "hessian.time_full": {"en": "full Hessian", "ko": "전체 헤시안"},
    "hessian.scaling_note": {"en": "At N = {n}, one HVP took {ratio}× one gradient. The full Hessian is timed only up to N = {limit} to keep this page quick.",
                             "ko": "N = {n}에서 HVP 한 번은 기울기 한 번의 {ratio}배 걸렸습니다. 페이지를 빠르게 유지하려고 전체 헤시안은 N = {limit}까지만 잽니다."},
    "hessian.pitfall_title": {"en": "Pitfalls", "ko": "흔한 실수"},
    "hessian.blog_title": {"en": "A random scalar instead of a random vector", "ko": "난수 벡터 대신 난수 스칼라 하나"},
    "hessian.blog_wrong": {"en": "scalar (wrong)", "ko": "스칼라(틀림)"},
    "hessian.blog_right": {"en": "   H·v (right)", "ko": "   H·v(맞음)"},
    "hessian.blog_explain": {
        "en": "A well-known blog post drew `v` with `rand_like` on a tensor of shape (1,): one number s, broadcast over every "
              "parameter. Then ∇(g·s) = s·H·1, a scaled sum of the Hessian's columns, and it called the result \"the Hessian\". "
              "It is neither H nor H·v for a random v: cosine similarity with the right H·v is {cos}. Give v the parameters' shapes.",
        "ko": "널리 알려진 한 블로그 글은 모양이 (1,)인 텐서에 `rand_like`를 써서 `v`를 만들었습니다. 숫자 하나 s가 모든 파라미터에 "
              "브로드캐스트되므로 ∇(g·s) = s·H·1, 곧 헤시안 열들의 합에 s를 곱한 값이 되는데, 글은 이것을 \"헤시안\"이라고 불렀습니다. "
              "이 값은 H도, 난수 v에 대한 H·v도 아닙니다. 올바른 H·v와의 코사인 유사도는 {cos}입니다. v는 파라미터와 같은 모양으로 만드세요."},
    "hessian.no_graph_title": {"en": "Second grad without create_graph=True", "ko": "create_graph=True 없이 두 번째 미분"},
    "hessian.no_graph_explain": {
        "en": "Without `create_graph=True` the first `grad` returns plain tensors with no `grad_fn`: the backward pass was not "
              "recorded, so there is nothing to differentiate a second time.",
        "ko": "`create_graph=True`가 없으면 첫 번째 `grad`는 `grad_fn`이 없는 평범한 텐서를 돌려줍니다. 역전파 과정이 기록되지 "
              "않았으므로 두 번째로 미분할 대상이 없습니다."},
    "hessian.relu_title": {"en": "A ReLU network's Hessian", "ko": "ReLU 신경망의 헤시안"},
    "hessian.relu_value": {"en": "{zeros}% of the Hessian's entries are exactly 0.0 for the same network with ReLU.",
                           "ko": "같은 신경망을 ReLU로 바꾸면 헤시안 원소의 {zeros}%가 정확히 0.0입니다."},
    "hessian.relu_explain": {
        "en": "ReLU″ = 0 almost everywhere, so no curvature comes through any activation: what is left is the squared-error "
              "term and products of weights across layers, and a unit that is off on the whole batch gives whole rows and "
              "columns of zeros. With {act}, {smooth}% of the entries are exactly zero. Curvature studies use smooth activations for this reason.",
        "ko": "ReLU″는 거의 모든 곳에서 0이라 활성화 함수를 통한 곡률이 전혀 생기지 않습니다. 남는 것은 제곱 오차 항과 층 사이 "
              "가중치의 곱뿐이고, 배치 전체에서 꺼져 있는 유닛은 행과 열 전체를 0으로 만듭니다. {act}에서는 정확히 0인 원소가 "
              "{smooth}%입니다. 곡률을 연구할 때 매끄러운 활성화 함수를 쓰는 이유입니다."},
    "hessian.relu_needs_full": {"en": "The ReLU comparison counts exact zeros in the full Hessian, so it needs a size within the memory budget.",
                                "ko": "ReLU 비교는 전체 헤시안에서 정확히 0인 원소를 세므로, 메모리 한도 안의 크기에서만 할 수 있습니다."},
}
