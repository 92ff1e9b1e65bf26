"""Strings of the maml meta-learning page."""
STRINGS = {
    "maml.title": {"en": "MAML meta-learning", "ko": "MAML 메타러닝"},
    "maml.intro": {
        "en": "Model-Agnostic Meta-Learning on the paper's sinusoids y = A·sin(x − φ): learn initial weights from which "
              "**a few SGD steps on K points** fit a new sinusoid. The meta-gradient flows *through* the inner gradient "
              "step, which needs `create_graph=True`; switch it off to get first-order MAML and compare.",
        "ko": "논문의 사인파 과제 y = A·sin(x − φ)로 MAML(모델 무관 메타러닝)을 해 봅니다. **K개의 점으로 SGD를 몇 번만** "
              "밟아도 새 사인파에 맞춰지는 초기 가중치를 학습합니다. 메타 기울기는 내부 기울기 단계를 *거쳐서* 흐르므로 "
              "`create_graph=True`가 필요합니다. 이를 끄면 1차 MAML이 되니 둘을 비교해 보세요."},
    "maml.alpha": {"en": "Inner step size α", "ko": "내부 스텝 크기 α"},
    "maml.alpha_help": {"en": "Learning rate of the SGD steps that adapt the weights to one task's support points.",
                        "ko": "한 과제의 서포트 점에 가중치를 적응시키는 SGD 단계의 학습률입니다."},
    "maml.steps": {"en": "Inner steps", "ko": "내부 단계 수"},
    "maml.steps_help": {"en": "SGD steps per task during meta-training; the meta-gradient goes through all of them.",
                        "ko": "메타 학습 중 과제마다 밟는 SGD 단계 수입니다. 메타 기울기는 이 단계들을 모두 거쳐 흐릅니다."},
    "maml.k": {"en": "K (points per task)", "ko": "K (과제당 점 개수)"},
    "maml.k_help": {"en": "K support points to adapt on and K query points to score the adapted model.",
                    "ko": "적응에 쓰는 서포트 점 K개와, 적응된 모델을 평가하는 쿼리 점 K개입니다."},
    "maml.batch": {"en": "Meta-batch (tasks)", "ko": "메타 배치 (과제 수)"},
    "maml.batch_help": {"en": "Tasks per meta-iteration, computed together in one batched pass.",
                        "ko": "메타 반복 한 번에 쓰는 과제 수입니다. 한 번의 배치 연산으로 함께 계산합니다."},
    "maml.meta_lr": {"en": "Meta learning rate (Adam)", "ko": "메타 학습률 (Adam)"},
    "maml.meta_lr_help": {"en": "Step size of Adam on the initial weights.", "ko": "초기 가중치를 갱신하는 Adam의 스텝 크기입니다."},
    "maml.iters": {"en": "Meta-iterations", "ko": "메타 반복 횟수"},
    "maml.iters_help": {"en": "The paper's setting reaches a good initialisation in a few thousand iterations.",
                        "ko": "논문 설정에서는 수천 번 반복하면 좋은 초기값에 도달합니다."},
    "maml.create_graph": {"en": "create_graph=True", "ko": "create_graph=True"},  # a short label: a quarter of a projector's width
    "maml.create_graph_help": {
        "en": "On: second-order MAML. The inner gradient is part of the graph, so the meta-gradient includes the Hessian term. "
              "Off: first-order MAML, cheaper per iteration.",
        "ko": "켜면 2차 MAML입니다. 내부 기울기가 그래프에 포함되어 메타 기울기에 헤세 행렬 항이 들어갑니다. "
              "끄면 반복당 비용이 더 싼 1차 MAML이 됩니다."},
    "maml.diverged": {
        "en": "Training stopped: the meta-loss became NaN or infinite. Lower the inner step size α, the inner steps "
              "or the meta learning rate, then press Start again.",
        "ko": "메타 손실이 NaN 또는 무한대가 되어 학습을 멈췄습니다. 내부 스텝 크기 α, 내부 단계 수 또는 메타 학습률을 "
              "낮춘 뒤 다시 시작을 누르세요."},
    "maml.train_title": {"en": "Meta-training", "ko": "메타 학습"},
    "maml.iteration": {"en": "meta-iteration", "ko": "메타 반복"},
    "maml.meta_loss": {"en": "meta-loss (query MSE after adaptation)", "ko": "메타 손실 (적응 후 쿼리 MSE)"},
    "maml.speed": {"en": "{ms} ms per meta-iteration on {device}, {seconds} s of training so far.",
                   "ko": "{device}에서 메타 반복당 {ms} ms, 지금까지 학습 시간 {seconds}초."},
    "maml.agreement_title": {"en": "Second- vs first-order meta-gradient during training",
                             "ko": "학습 중 2차 메타 기울기와 1차 메타 기울기 비교"},
    "maml.agreement_caption": {
        "en": "Every {every} iterations both meta-gradients are computed on the same meta-batch. A cosine below 1 and a "
              "relative norm above 0 are the part of the gradient that only `create_graph=True` gives.",
        "ko": "{every}번 반복마다 같은 메타 배치에서 두 메타 기울기를 계산합니다. 코사인이 1보다 작고 상대 노름이 0보다 큰 "
              "만큼이 `create_graph=True`로만 얻는 기울기 성분입니다."},
    "maml.agreement_wait": {"en": "The first comparison comes after {every} iterations.",
                            "ko": "첫 비교는 {every}번 반복 뒤에 나옵니다."},
    "maml.cosine": {"en": "cosine(g₂, g₁)", "ko": "코사인(g₂, g₁)"},
    "maml.relative_norm": {"en": "‖g₂ − g₁‖ / ‖g₂‖", "ko": "‖g₂ − g₁‖ / ‖g₂‖"},
    "maml.results_title": {"en": "Adapting to a held-out task", "ko": "처음 보는 과제에 적응하기"},
    "maml.results_idle": {"en": "Train a model above to see how it adapts to new sinusoids.",
                          "ko": "위에서 모델을 학습하면 새 사인파에 어떻게 적응하는지 볼 수 있습니다."},
    "maml.results_running": {"en": "Held-out results appear when training stops (press Stop) or finishes.",
                             "ko": "테스트 과제 결과는 학습을 멈추거나(정지) 끝나면 나타납니다."},
    "maml.task": {"en": "Held-out task number", "ko": "테스트 과제 번호"},
    "maml.task_help": {"en": "Each number draws a sinusoid (A, φ) and K support points never used in training.",
                       "ko": "번호마다 학습에 쓰지 않은 사인파 (A, φ)와 서포트 점 K개를 뽑습니다."},
    "maml.redraw": {"en": "Draw a new task", "ko": "새 과제 뽑기"},
    "maml.task_caption": {"en": "Task: A = {amplitude}, φ = {phase}; {k} support points; SGD with α = {alpha}.",
                          "ko": "과제: A = {amplitude}, φ = {phase}; 서포트 점 {k}개; α = {alpha}인 SGD."},
    "maml.truth": {"en": "true sinusoid", "ko": "실제 사인파"},
    "maml.after_steps": {"en": "after {n} steps", "ko": "{n}단계 후"},
    "maml.curve": {"en": "curve", "ko": "곡선"},
    "maml.heldout_title": {"en": "Your model: held-out MSE against adaptation steps ({n} tasks, ± standard error)",
                           "ko": "내 모델: 적응 단계에 따른 테스트 MSE (과제 {n}개, ± 표준오차)"},
    "maml.adapt_steps": {"en": "SGD steps on the support points", "ko": "서포트 점에서 밟은 SGD 단계 수"},
    "maml.mse": {"en": "held-out MSE", "ko": "테스트 MSE"},
    "maml.compare_title": {"en": "Second-order vs first-order MAML vs a pretrained baseline",
                           "ko": "2차 MAML, 1차 MAML, 사전학습 기준 모델 비교"},
    "maml.compare_toggle": {"en": "Run the comparison", "ko": "비교 실행"},
    "maml.compare_help": {
        "en": "Trains all three from the same initial weights with the settings above. Results are cached; switch it "
              "off to stop a running comparison.",
        "ko": "위 설정으로 세 방법을 같은 초기 가중치에서 학습합니다. 결과는 캐시되며, 실행 중에 끄면 비교가 멈춥니다."},
    "maml.compare_iters": {"en": "Iterations per method", "ko": "방법별 반복 횟수"},
    "maml.compare_iters_help": {"en": "A short budget so the page stays responsive; bench/bench_maml.py runs it at full scale.",
                                "ko": "페이지가 느려지지 않도록 짧게 잡은 예산입니다. 전체 규모는 bench/bench_maml.py에서 실행합니다."},
    "maml.compare_running_method": {"en": "Training {method}…", "ko": "{method} 학습 중…"},
    "maml.compare_idle": {"en": "Switch the comparison on to train the three methods.",
                          "ko": "비교를 켜면 세 방법을 학습합니다."},
    "maml.compare_failed": {"en": "{method} diverged with these settings; its curves stop where the loss became NaN.",
                            "ko": "이 설정에서 {method}이(가) 발산했습니다. 손실이 NaN이 된 지점에서 곡선이 끝납니다."},
    "maml.adapt_diverged": {
        "en": "Adapting with α = {alpha} diverges on held-out tasks: from step {step} the MSE is no longer finite, so the "
              "charts stop there. Lower α, or meta-train with settings that do not diverge.",
        "ko": "α = {alpha}로 적응시키면 새 과제에서 발산합니다. {step}번째 스텝부터 MSE가 유한하지 않아 차트는 그 앞에서 "
              "끝납니다. α를 낮추거나, 발산하지 않는 설정으로 메타 학습하세요."},
    "maml.compare_adapt_diverged": {
        "en": "Adapting {method} with α = {alpha} diverges on held-out tasks: its curves leave out the steps where the "
              "MSE is no longer finite.",
        "ko": "{method}: α = {alpha}로 적응시키면 새 과제에서 발산합니다. MSE가 유한하지 않은 스텝은 곡선에서 "
              "뺐습니다."},
    "maml.second_order": {"en": "second-order MAML", "ko": "2차 MAML"},
    "maml.first_order": {"en": "first-order MAML", "ko": "1차 MAML"},
    "maml.pretrained": {"en": "pretrained on all tasks", "ko": "모든 과제로 사전학습"},
    "maml.compare_steps": {"en": "After training: held-out MSE against adaptation steps (± standard error)",
                           "ko": "학습 후: 적응 단계에 따른 테스트 MSE (± 표준오차)"},
    "maml.compare_iterations": {"en": "Held-out MSE after {n} step(s) against meta-iterations",
                                "ko": "메타 반복 횟수에 따른 {n}단계 적응 후 테스트 MSE"},
    "maml.compare_seconds": {"en": "The same against training seconds", "ko": "같은 값을 학습 시간(초)에 따라"},
    "maml.seconds": {"en": "training seconds", "ko": "학습 시간 (초)"},
    "maml.compare_caption": {
        "en": "Per iteration, second-order MAML usually adapts best; per second, first-order catches up because each "
              "iteration is cheaper. The pretrained baseline learns the average wave and barely adapts.",
        "ko": "반복 횟수로 보면 대개 2차 MAML이 가장 잘 적응하지만, 시간으로 보면 반복당 비용이 싼 1차 MAML이 따라잡습니다. "
              "사전학습 기준 모델은 평균 파형만 배워 거의 적응하지 못합니다."},
    "maml.graph_title": {"en": "The meta-loss graph of one task", "ko": "과제 하나의 메타 손실 그래프"},
    "maml.graph_caption": {
        "en": "With create_graph=True the graph has {second} nodes, {created} of them made by the inner backward (red); "
              "without it, {first} nodes and none red: the meta-gradient cannot see how the inner step depends on the weights.",
        "ko": "create_graph=True이면 그래프의 노드는 {second}개이고, 그중 {created}개는 내부 역전파가 만든 노드(빨강)입니다. "
              "끄면 노드 {first}개에 빨간 노드가 없습니다. 메타 기울기가 내부 단계의 가중치 의존성을 보지 못합니다."},
    "maml.check_title": {"en": "Check of the meta-gradient", "ko": "메타 기울기 검증"},
    "maml.reference": {"en": "batched autograd (float32) vs torch.func per-task grad-of-grad (float64)",
                       "ko": "배치 autograd (float32) 대 과제별 torch.func 이중 grad (float64)"},
    "maml.query_note": {
        "en": "The meta-loss is measured on each task's **query** points. A widely copied blog snippet fed the support "
              "points in again at this step; that trains the net to fit points it has already seen.",
        "ko": "메타 손실은 각 과제의 **쿼리** 점에서 잽니다. 널리 복사된 한 블로그 코드는 이 단계에 서포트 점을 다시 넣었는데, "
              "그러면 이미 본 점에 맞추는 법만 배웁니다."},
    "maml.code_reference": {"en": "The per-task loop that the batched version is tested against:",
                            "ko": "배치 버전을 검증할 때 기준으로 삼는 과제별 반복문:"},
    "maml.pitfall_title": {"en": "Forgetting create_graph=True", "ko": "create_graph=True를 빠뜨리면"},
    "maml.pitfall_value": {
        "en": "meta-gradient without create_graph vs first-order MAML (detached inner gradient): largest difference {first}\n"
              "meta-gradient without create_graph vs second-order MAML: relative difference {second}",
        "ko": "create_graph 없는 메타 기울기 대 1차 MAML (내부 기울기 detach): 최대 차이 {first}\n"
              "create_graph 없는 메타 기울기 대 2차 MAML: 상대 차이 {second}"},
    "maml.pitfall_explain": {
        "en": "Without `create_graph=True` the inner gradient is returned as a constant, so training runs, the loss "
              "falls, and nothing warns you: you are silently training first-order MAML.",
        "ko": "`create_graph=True`가 없으면 내부 기울기가 상수로 반환됩니다. 학습은 돌아가고 손실도 줄어들며 아무 경고도 "
              "없지만, 실제로는 조용히 1차 MAML을 학습하고 있는 것입니다."},
}
