"""Strings of the multiple backwards page."""
STRINGS = {
    "multi_backward.title": {"en": "Multiple backwards", "ko": "여러 번의 역전파"},
    "multi_backward.intro": {
        "en": "A shared trunk turns the input x into h; two heads turn h into **loss1** and **loss2**. Both losses hang on the "
              "same trunk nodes, so the trunk gets a gradient from each. Every scenario below runs for real, line by line, on the "
              "network the controls describe: the tables show which parameters each line wrote `.grad` into, what it changed in "
              "place, the trunk's gradient after it, and the saved tensors the graph still holds.",
        "ko": "공유 몸통(trunk)이 입력 x를 h로 바꾸고, 두 개의 머리(head)가 h로부터 **loss1**과 **loss2**를 계산합니다. 두 손실이 "
              "같은 몸통 노드에 매달려 있으므로 몸통은 양쪽에서 기울기를 받습니다. 아래의 모든 시나리오는 위 설정대로 만든 신경망에서 "
              "한 줄씩 실제로 실행됩니다. 표에는 각 줄이 어느 매개변수의 `.grad`에 값을 더했는지, 무엇을 제자리(in-place)에서 바꿨는지, "
              "그 직후 몸통의 기울기, 그래프가 아직 붙잡고 있는 저장 텐서가 나옵니다."},
    "multi_backward.x1": {"en": "Input x₁", "ko": "입력 x₁"},
    "multi_backward.x2": {"en": "Input x₂", "ko": "입력 x₂"},
    "multi_backward.lr": {"en": "Learning rate (SGD)", "ko": "학습률 (SGD)"},
    "multi_backward.lr_help": {"en": "Used by optimizer.step() in scenario 3.",
                               "ko": "시나리오 3의 optimizer.step()에서 쓰입니다."},
    "multi_backward.depth": {"en": "Trunk depth (Linear layers)", "ko": "몸통 깊이 (Linear 층 수)"},
    "multi_backward.depth_help": {
        "en": "1 is the original example: the trunk is a single nn.Linear. Each extra layer adds Tanh and Linear.",
        "ko": "1이 원래 예제입니다. 몸통이 nn.Linear 하나뿐입니다. 층을 하나 늘릴 때마다 Tanh와 Linear가 추가됩니다."},
    "multi_backward.xgrad": {"en": "`x.requires_grad`", "ko": "`x.requires_grad`"},  # code reads the same in both
    "multi_backward.xgrad_help": {
        "en": "With x.requires_grad=True the trunk's first Linear must also keep its weight, to compute the gradient with respect to x.",
        "ko": "x.requires_grad=True이면 몸통의 첫 Linear도 x에 대한 기울기를 계산하기 위해 가중치를 저장해야 합니다."},
    "multi_backward.graph_title": {"en": "The graph: one trunk, two heads", "ko": "그래프: 몸통 하나, 머리 둘"},
    "multi_backward.graph_before": {"en": "after the forward pass", "ko": "순전파 직후"},
    "multi_backward.graph_after": {"en": "after loss1.backward() without retain_graph", "ko": "retain_graph 없이 loss1.backward() 한 뒤"},
    "multi_backward.graph_caption": {
        "en": "Purple boxes: the shared trunk, reached from both losses. Sage-green boxes: head 1's branch (loss1 only). "
              "Pink boxes: head 2's branch (loss2 only).",
        "ko": "보라색 상자: 두 손실 모두에서 닿는 공유 몸통. 회녹색 상자: 머리 1의 가지(loss1만). 분홍색 상자: 머리 2의 가지(loss2만)."},
    "multi_backward.graph_after_caption": {
        "en": "The same graph after loss1.backward() without retain_graph: the saved tensors on loss1's path (head 1 and the trunk) "
              "are marked freed, while head 2's are still there. A second backward through the trunk has nothing left to work with.",
        "ko": "retain_graph 없이 loss1.backward()를 실행한 뒤의 같은 그래프입니다. loss1이 지나간 경로(머리 1과 몸통)의 저장 텐서는 "
              "freed(해제됨)로 표시되고, 머리 2의 저장 텐서는 그대로 남아 있습니다. 몸통을 다시 지나가는 두 번째 역전파는 쓸 값이 없습니다."},
    "multi_backward.scenarios_title": {"en": "Four scenarios, each run for real", "ko": "실제로 실행되는 네 가지 시나리오"},
    "multi_backward.tab1": {"en": "1 · retain_graph=True", "ko": "1 · retain_graph=True"},
    "multi_backward.tab2": {"en": "2 · without retain_graph", "ko": "2 · retain_graph 없이"},
    "multi_backward.tab3": {"en": "3 · optimizer.step() in between", "ko": "3 · 중간에 optimizer.step()"},
    "multi_backward.tab4": {"en": "4 · correct ways", "ko": "4 · 올바른 방법"},
    "multi_backward.tab5": {"en": "Memory", "ko": "메모리"},
    "multi_backward.col_line": {"en": "line", "ko": "코드 줄"},
    "multi_backward.col_result": {"en": "result", "ko": "결과"},
    "multi_backward.col_accumulated": {"en": ".grad written to", "ko": ".grad가 더해진 매개변수"},
    "multi_backward.col_modified": {"en": "changed in place", "ko": "제자리에서 바뀐 매개변수"},
    "multi_backward.col_trunk_norm": {"en": "‖trunk .grad‖", "ko": "‖몸통 .grad‖"},
    "multi_backward.col_saved": {"en": "saved tensors held", "ko": "붙잡힌 저장 텐서 수"},
    "multi_backward.col_bytes": {"en": "bytes held", "ko": "붙잡힌 바이트"},
    "multi_backward.col_entry": {"en": "entry", "ko": "원소"},
    "multi_backward.axis_entry": {"en": "entry of the first trunk layer", "ko": "몸통 첫 층의 원소"},
    "multi_backward.axis_grad": {"en": ".grad", "ko": ".grad"},
    "multi_backward.reference": {"en": "torch.func.grad of each head's loss", "ko": "각 머리 손실에 대한 torch.func.grad"},
    "multi_backward.s1_explain": {
        "en": "**retain_graph=True** keeps the saved tensors after `loss1.backward`, so `loss2.backward()` can go through the trunk "
              "again. `.grad` accumulates: after the second line the trunk holds g₁ + g₂, while each head holds only its own gradient.",
        "ko": "**retain_graph=True**를 주면 `loss1.backward` 뒤에도 저장 텐서가 남아 있어 `loss2.backward()`가 몸통을 다시 지나갈 수 "
              "있습니다. `.grad`는 누적되므로 두 번째 줄 뒤 몸통에는 g₁ + g₂가 쌓이고, 각 머리에는 자기 기울기만 있습니다."},
    "multi_backward.s1_check_note": {
        "en": "Checked: the trunk's .grad after line 1 against g₁ and after line 2 against g₁ + g₂, both from torch.func.grad of "
              "each head's loss (no .backward, no .grad).",
        "ko": "검증: 1번 줄 뒤 몸통의 .grad를 g₁과, 2번 줄 뒤를 g₁ + g₂와 비교합니다. 둘 다 각 머리 손실에 torch.func.grad를 "
              "적용해 구했습니다(.backward도 .grad도 쓰지 않음)."},
    "multi_backward.s2_explain": {
        "en": "Without retain_graph, `loss1.backward()` frees the saved tensors of every node it passes through: head 1 and the "
              "whole trunk. Head 2's nodes are not on its path, so they keep theirs.",
        "ko": "retain_graph 없이 `loss1.backward()`를 호출하면 지나가는 모든 노드, 즉 머리 1과 몸통 전체의 저장 텐서가 해제됩니다. "
              "머리 2의 노드는 그 경로에 없으므로 저장 텐서를 그대로 갖고 있습니다."},
    "multi_backward.s2_title": {"en": "loss2.backward() after loss1.backward() without retain_graph",
                                "ko": "retain_graph 없이 loss1.backward() 후 loss2.backward()"},
    "multi_backward.s2_pitfall": {
        "en": "The second backward runs through head 2, whose saved tensors are intact, and fails when it reaches the trunk's "
              "freed ones. Whatever it wrote to `.grad` before failing stays there (see the table): the gradients are left half "
              "updated. Fix: `retain_graph=True` on the first backward, or one of the ways in tab 4.",
        "ko": "두 번째 역전파는 저장 텐서가 멀쩡한 머리 2를 지나가다가 이미 해제된 몸통에 닿는 순간 실패합니다. 실패하기 전에 `.grad`에 "
              "쓴 값은 그대로 남으므로(표 참고) 기울기가 반쯤만 갱신된 상태가 됩니다. 해결: 첫 역전파에 `retain_graph=True`를 주거나, "
              "4번 탭의 방법 중 하나를 쓰세요."},
    "multi_backward.s3_explain": {
        "en": "A common mistake: update the weights between the two backwards. `optimizer.step()` changes the parameters **in "
              "place** (`p.add_(grad, alpha=-lr)`), and every in-place change bumps the tensor's version counter `p._version`. "
              "Each saved tensor remembers the version it was saved at, and backward refuses one whose version has moved. "
              "(Counters need not start at 0: initialising the weights already changed them in place.)",
        "ko": "흔한 실수는 두 역전파 사이에 가중치를 갱신하는 것입니다. `optimizer.step()`은 매개변수를 **제자리에서** "
              "(`p.add_(grad, alpha=-lr)`) 바꾸고, 제자리 연산이 일어날 때마다 텐서의 버전 카운터 `p._version`이 올라갑니다. "
              "저장 텐서는 저장될 때의 버전을 기억하고, 역전파는 버전이 바뀐 저장 텐서를 거부합니다. "
              "(카운터가 0에서 시작하지 않을 수 있습니다. 가중치 초기화가 이미 제자리 연산이기 때문입니다.)"},
    "multi_backward.versions_title": {
        "en": "**Version counters around `optimizer.step()`**, and whether loss2's graph saved the parameter:",
        "ko": "**`optimizer.step()` 전후의 버전 카운터**, 그리고 loss2의 그래프가 그 매개변수를 저장했는지 여부:"},
    "multi_backward.col_parameter": {"en": "parameter", "ko": "매개변수"},
    "multi_backward.col_needed": {"en": "saved for loss2.backward()", "ko": "loss2.backward()용으로 저장됨"},
    "multi_backward.col_before": {"en": "_version before step", "ko": "step 전 _version"},
    "multi_backward.col_after": {"en": "_version after step", "ko": "step 후 _version"},
    "multi_backward.s3_title": {"en": "optimizer.step() between loss1.backward() and loss2.backward()",
                                "ko": "loss1.backward()와 loss2.backward() 사이의 optimizer.step()"},
    "multi_backward.s3_raised": {
        "en": "`optimizer.step()` updated {names} in place: the version went from {before} to {after}. loss2's graph had saved "
              "it at version {before}, as `W.t()` (a view sharing the weight's version counter, which is why the message shows "
              "the shape transposed), to compute the gradient with respect to that layer's input. At `loss2.backward()` PyTorch "
              "found version {is_at} where it expected {expected} and refused: the gradient would have mixed the new weights "
              "with the old activations. Fix: run both backwards (or sum the losses) before `optimizer.step()`, or recompute the "
              "forward pass after it (tab 4).",
        "ko": "`optimizer.step()`이 {names}을(를) 제자리에서 갱신해 버전이 {before}에서 {after}로 바뀌었습니다. loss2의 그래프는 그 "
              "층의 입력에 대한 기울기를 계산하려고 이 가중치를 버전 {before}일 때 `W.t()`로 저장해 두었습니다(가중치와 버전 "
              "카운터를 공유하는 뷰라서 오류 메시지의 모양이 전치되어 보입니다). `loss2.backward()`에서 PyTorch는 기대한 버전 "
              "{expected} 대신 {is_at}을 발견하고 계산을 거부했습니다. 그대로 계산했다면 새 가중치와 옛 활성값이 섞였을 것입니다. "
              "해결: `optimizer.step()` 전에 두 역전파를 모두 하거나(또는 손실을 더하거나), step 뒤에 순전파를 다시 계산하세요(4번 탭)."},
    "multi_backward.s3_silent": {
        "en": "With the original example's trunk, one `nn.Linear` on an input that does not require grad, nothing raises. The "
              "trunk's weight *was* changed in place (see the version table), but the graph never saved it: the gradient of "
              "`x @ W.t() + b` with respect to W needs only x, and no gradient with respect to x is wanted. Head 1's weight was "
              "saved and changed too, but `loss2.backward()` never visits head 1; head 2's weight had no `.grad` yet, so SGD left "
              "it alone.\n\n"
              "So the second backward runs, but on **stale activations**: loss2's graph holds the h and loss2 computed with the "
              "weights *before* the step. Above, what the graph held next to what a new forward pass with the updated weights "
              "gives. The gradient it adds is g₂ at the old weights, not the new ones (chart below), and it lands on top of g₁, "
              "which is still in `.grad` although the step already applied it: the next `optimizer.step()` would apply g₁ a "
              "second time unless `zero_grad()` runs first.",
        "ko": "원래 예제처럼 몸통이 `nn.Linear` 하나이고 입력이 기울기를 요구하지 않으면 오류가 나지 않습니다. 몸통의 가중치는 "
              "제자리에서 바뀌었지만(버전 표 참고) 그래프가 그것을 저장한 적이 없습니다. `x @ W.t() + b`의 W에 대한 기울기에는 x만 "
              "필요하고, x에 대한 기울기는 필요 없기 때문입니다. 머리 1의 가중치도 저장되었고 바뀌었지만 `loss2.backward()`는 "
              "머리 1을 지나가지 않습니다. 머리 2의 가중치는 아직 `.grad`가 없어서 SGD가 건드리지 않았습니다.\n\n"
              "그래서 두 번째 역전파는 실행되지만 **낡은 활성값**을 씁니다. loss2의 그래프에는 step *이전* 가중치로 계산한 h와 "
              "loss2가 들어 있습니다. 위에 그래프가 갖고 있던 값과, 갱신된 가중치로 순전파를 다시 한 값을 나란히 보였습니다. "
              "이때 더해지는 기울기는 새 가중치가 아니라 옛 가중치에서의 g₂이고(아래 그래프), 게다가 step이 이미 적용한 g₁이 "
              "`.grad`에 그대로 남아 있는 위에 더해집니다. `zero_grad()`를 먼저 부르지 않으면 다음 `optimizer.step()`이 g₁을 "
              "한 번 더 적용합니다."},
    "multi_backward.held": {"en": "held by loss2's graph", "ko": "loss2의 그래프가 가진 값"},
    "multi_backward.recomputed": {"en": "recomputed after the step", "ko": "step 뒤 다시 계산한 값"},
    "multi_backward.g2_stale": {"en": "g₂ added by loss2.backward() (old weights)", "ko": "loss2.backward()가 더한 g₂ (옛 가중치)"},
    "multi_backward.g2_fresh": {"en": "g₂ after recomputing the forward pass (new weights)",
                                "ko": "순전파를 다시 계산한 뒤의 g₂ (새 가중치)"},
    "multi_backward.reference_step": {"en": "torch.func.grad of loss2 at θ and at θ − lr·g₁",
                                      "ko": "θ와 θ − lr·g₁에서 loss2에 대한 torch.func.grad"},
    "multi_backward.s3_check_note": {
        "en": "Checked: the stale g₂ equals torch.func.grad of loss2 at the old weights θ, and the recomputed g₂ equals it at "
              "θ − lr·g₁ (one SGD step on loss1, computed without the optimizer).",
        "ko": "검증: 낡은 g₂는 옛 가중치 θ에서 loss2에 torch.func.grad를 적용한 값과 같고, 다시 계산한 g₂는 θ − lr·g₁(옵티마이저 "
              "없이 계산한 loss1에 대한 SGD 한 단계)에서의 값과 같습니다."},
    "multi_backward.s4_explain": {
        "en": "Three correct ways to train both heads on one forward pass, each run on a fresh copy of the network:\n"
              "- `(loss1 + loss2).backward()`: one backward; the gradient of the sum is g₁ + g₂.\n"
              "- `torch.autograd.backward([loss1, loss2])`: one backward from both roots at once; the trunk is traversed once "
              "with both gradients added.\n"
              "- recompute: `loss1.backward()` frees its graph, and a new forward pass builds a new one for `loss2.backward()`.",
        "ko": "한 번의 순전파로 두 머리를 함께 학습하는 올바른 방법 세 가지입니다. 각각 새로 만든 같은 신경망에서 실행합니다.\n"
              "- `(loss1 + loss2).backward()`: 역전파 한 번. 합의 기울기가 곧 g₁ + g₂입니다.\n"
              "- `torch.autograd.backward([loss1, loss2])`: 두 뿌리에서 동시에 역전파 한 번. 몸통은 두 기울기를 더한 채로 한 번만 "
              "지나갑니다.\n"
              "- 다시 계산: `loss1.backward()`가 그래프를 해제하고, 새 순전파가 `loss2.backward()`를 위한 새 그래프를 만듭니다."},
    "multi_backward.col_method": {"en": "way", "ko": "방법"},
    "multi_backward.col_diff": {"en": "largest difference from the first way", "ko": "첫 번째 방법과의 최대 차이"},
    "multi_backward.col_peak": {"en": "most saved tensors held at once", "ko": "동시에 붙잡힌 저장 텐서 최대 수"},
    "multi_backward.col_saved_end": {"en": "saved tensors held at the end", "ko": "끝났을 때 붙잡힌 저장 텐서 수"},
    "multi_backward.s4_notes": {
        "en": "All three give the same g₁ + g₂, up to rounding. The first two walk the trunk once and need no retain_graph; "
              "recomputing costs a second forward pass but holds only one graph at a time. To take an `optimizer.step()` between "
              "the two losses (alternating updates), recompute the forward pass after the step: only then does loss2 see the "
              "new weights (tab 3 shows the difference in numbers).",
        "ko": "세 방법 모두 반올림 오차 범위에서 같은 g₁ + g₂를 줍니다. 앞의 두 방법은 몸통을 한 번만 지나가고 retain_graph가 "
              "필요 없습니다. 다시 계산하는 방법은 순전파를 한 번 더 하는 대신 한 번에 그래프 하나만 붙잡습니다. 두 손실 사이에 "
              "`optimizer.step()`을 넣고 싶다면(번갈아 갱신), step 뒤에 순전파를 다시 계산하세요. 그래야 loss2가 새 가중치를 "
              "봅니다(차이는 3번 탭에 숫자로 나옵니다)."},
    "multi_backward.memory_explain": {
        "en": "**What the graph holds.** A saved tensor stays alive until a backward without retain_graph passes through its "
              "node, or until the graph itself is dropped. Counted after each line by reading every node's `_saved_*` "
              "attributes (the tests cross-check the numbers with `torch.autograd.graph.saved_tensors_hooks`).",
        "ko": "**그래프가 붙잡고 있는 것.** 저장 텐서는 retain_graph 없는 역전파가 그 노드를 지나가거나 그래프 자체가 사라질 때까지 "
              "살아 있습니다. 각 줄이 끝날 때마다 모든 노드의 `_saved_*` 속성을 읽어 셉니다(테스트에서 "
              "`torch.autograd.graph.saved_tensors_hooks`로 같은 수인지 교차 검증합니다)."},
    "multi_backward.without_retain": {"en": "without retain_graph", "ko": "retain_graph 없이"},
    "multi_backward.axis_step": {"en": "after line (numbered as in the table)", "ko": "실행한 줄 (표의 번호)"},
    "multi_backward.col_scenario": {"en": "scenario", "ko": "시나리오"},
    "multi_backward.memory_notes": {
        "en": "With retain_graph=True, `loss1.backward` frees nothing; `loss2.backward()` (without it) then frees the trunk and "
              "head 2, but head 1's tensors stay: no later backward passes through head 1, so they live until loss1 itself is "
              "deleted. Without retain_graph, `loss1.backward()` frees head 1 and the trunk at once, and the failed second "
              "backward frees head 2's on its way. Some saved tensors are `W.t()`, views sharing the weight's memory: the bytes "
              "count what the graph refers to, not only new allocations.",
        "ko": "retain_graph=True이면 `loss1.backward`는 아무것도 해제하지 않습니다. 이어서 (retain_graph 없는) `loss2.backward()`가 "
              "몸통과 머리 2를 해제하지만 머리 1의 텐서는 남습니다. 이후 머리 1을 지나가는 역전파가 없으므로 loss1 자체가 지워질 "
              "때까지 살아 있습니다. retain_graph가 없으면 `loss1.backward()`가 머리 1과 몸통을 한꺼번에 해제하고, 실패한 두 번째 "
              "역전파가 지나가면서 머리 2의 것도 해제합니다. 저장 텐서 중 일부는 가중치와 메모리를 공유하는 뷰인 `W.t()`이므로, "
              "바이트 수는 새로 할당된 메모리만이 아니라 그래프가 가리키는 모든 텐서를 셉니다."},
}
