"""Catalogue of the backward stepper: its controls, its side panel, and one sentence per common node type."""

STRINGS = {
    "stepper.title": {"en": "Step through the backward pass", "ko": "역전파를 한 단계씩 따라가기"},
    "stepper.intro": {
        "en": "This is PyTorch's own engine on real tensors: a hook on every node recorded, in the order the engine "
              "ran them, what gradient arrived and what it sent on. Blue edges have carried a gradient; the node "
              "with the thick blue outline is running; faded, dashed nodes are still waiting.",
        "ko": "실제 텐서 위에서 돌아간 PyTorch 엔진 그대로입니다. 모든 노드에 건 훅이 엔진이 실행한 순서대로, 어떤 기울기가 "
              "들어오고 무엇을 내보냈는지 기록했습니다. 파란 간선은 기울기를 이미 실어 나른 간선이고, 두꺼운 파란 테두리의 "
              "노드가 지금 실행 중이며, 흐리고 점선인 노드는 아직 기다리는 중입니다.",
    },
    "stepper.step": {"en": "Step of the backward pass", "ko": "역전파 단계"},
    "stepper.previous": {"en": "◀ Previous", "ko": "◀ 이전"},
    "stepper.next": {"en": "Next ▶", "ko": "다음 ▶"},
    "stepper.play": {"en": "▶ Play", "ko": "▶ 재생"},
    "stepper.pause": {"en": "⏸ Pause", "ko": "⏸ 일시 정지"},
    "stepper.position": {"en": "Step {step} of {total}: `{name}`", "ko": "{total}단계 중 {step}단계: `{name}`"},
    "stepper.legend": {
        "en": "✓ done · thick blue outline: running · faded and dashed: waiting · dotted: not needed for these inputs",
        "ko": "✓ 끝남 · 두꺼운 파란 테두리: 실행 중 · 흐린 점선: 대기 중 · 점 테두리: 이 입력들에는 필요 없음",
    },
    "stepper.incoming": {"en": "Arriving gradient", "ko": "들어온 기울기"},
    "stepper.outgoing": {"en": "Gradients sent on", "ko": "내보낸 기울기"},
    "stepper.to_node": {"en": "to `{name}`", "ko": "`{name}`(으)로"},
    "stepper.none_sent": {"en": "Nothing is sent on from here.", "ko": "여기서 더 내보내는 기울기는 없습니다."},
    "stepper.no_gradient": {"en": "none (no gradient flows there)", "ko": "없음 (그쪽으로는 기울기가 흐르지 않음)"},
    "stepper.summed": {
        "en": "Gradients from {n} nodes arrived here; the engine added them up before running this node.",
        "ko": "노드 {n}개에서 온 기울기가 여기 도착했고, 엔진은 이 노드를 실행하기 전에 그것들을 더했습니다.",
    },
    "stepper.created": {
        "en": "This node was recorded by an earlier backward with `create_graph=True`: that pass built it, this "
              "pass runs it.",
        "ko": "이 노드는 앞선 `create_graph=True` 역전파가 기록한 노드입니다. 그 역전파가 만들었고, 이번 역전파가 실행합니다.",
    },
    "stepper.wrote_leaf": {"en": "Written to `{leaf}.grad`.", "ko": "`{leaf}.grad`에 쌓였습니다."},
    "stepper.captured": {
        "en": "`torch.autograd.grad` takes this as its result for `{leaf}` (no `.grad` is written).",
        "ko": "`torch.autograd.grad`는 이것을 `{leaf}`에 대한 결과로 가져갑니다 (`.grad`에는 쓰지 않음).",
    },
    "stepper.raised": {
        "en": "The engine raised here, at `{name}`, and the pass stopped:",
        "ko": "엔진은 여기 `{name}`에서 예외를 일으켰고, 역전파는 멈췄습니다:",
    },
    "stepper.failed_before": {
        "en": "The engine raised before any node ran:",
        "ko": "엔진은 어떤 노드도 실행하기 전에 예외를 일으켰습니다:",
    },
    "stepper.finished": {
        "en": "The pass ran {n} steps without an error.",
        "ko": "역전파는 오류 없이 {n}단계를 실행했습니다.",
    },
    "stepper.capped": {
        "en": "This graph has {total} nodes; the picture shows the {shown} nearest the running one in the engine's "
              "order (the slider still walks every step).",
        "ko": "이 그래프에는 노드가 {total}개 있습니다. 그림은 엔진의 실행 순서에서 지금 실행 중인 노드에 가장 가까운 "
              "{shown}개만 보여 줍니다 (슬라이더로는 모든 단계를 볼 수 있습니다).",
    },
    "stepper.entries": {
        "en": "shape {shape}, norm {norm}, first entries {values}",
        "ko": "모양 {shape}, 노름 {norm}, 앞쪽 원소 {values}",
    },
    # One sentence per node type: what its backward computes from the gradient g that arrives.
    "stepper.node_add": {"en": "Addition passes g unchanged to both of its inputs.",
                         "ko": "덧셈은 g를 그대로 두 입력 모두에 넘깁니다."},
    "stepper.node_sub": {"en": "Subtraction passes g to its first input and −g to its second.",
                         "ko": "뺄셈은 첫째 입력에 g를, 둘째 입력에 −g를 넘깁니다."},
    "stepper.node_mul": {"en": "For a·b it sends g·b to a and g·a to b, using the factors it saved in the forward pass.",
                         "ko": "a·b에 대해 a로는 g·b를, b로는 g·a를 보냅니다. 순전파 때 저장한 인수를 씁니다."},
    "stepper.node_div": {"en": "For a/b it sends g/b to a and −g·a/b² to b.",
                         "ko": "a/b에 대해 a로는 g/b를, b로는 −g·a/b²을 보냅니다."},
    "stepper.node_neg": {"en": "Negation sends −g.", "ko": "부호 반전은 −g를 보냅니다."},
    "stepper.node_pow": {"en": "For xⁿ it sends g·n·xⁿ⁻¹ (and, for a tensor exponent, g·xⁿ·ln x to the exponent).",
                         "ko": "xⁿ에 대해 g·n·xⁿ⁻¹을 보냅니다 (지수가 텐서이면 지수로 g·xⁿ·ln x도 보냅니다)."},
    "stepper.node_sqrt": {"en": "For √x it sends g / (2√x), reusing the result it saved.",
                          "ko": "√x에 대해 g / (2√x)를 보냅니다. 저장해 둔 결과를 다시 씁니다."},
    "stepper.node_sin": {"en": "For sin x it sends g·cos x, from the x it saved.",
                         "ko": "sin x에 대해 저장한 x로 g·cos x를 보냅니다."},
    "stepper.node_cos": {"en": "For cos x it sends −g·sin x, from the x it saved.",
                         "ko": "cos x에 대해 저장한 x로 −g·sin x를 보냅니다."},
    "stepper.node_tan": {"en": "For tan x it sends g·(1 + tan²x), from the result it saved.",
                         "ko": "tan x에 대해 저장한 결과로 g·(1 + tan²x)를 보냅니다."},
    "stepper.node_exp": {"en": "For eˣ it sends g·eˣ, reusing the result it saved.",
                         "ko": "eˣ에 대해 g·eˣ를 보냅니다. 저장해 둔 결과를 다시 씁니다."},
    "stepper.node_log": {"en": "For ln x it sends g / x.", "ko": "ln x에 대해 g / x를 보냅니다."},
    "stepper.node_tanh": {"en": "For tanh x it sends g·(1 − tanh²x), from the result it saved.",
                          "ko": "tanh x에 대해 저장한 결과로 g·(1 − tanh²x)를 보냅니다."},
    "stepper.node_sigmoid": {"en": "For σ(x) it sends g·σ(x)·(1 − σ(x)), from the result it saved.",
                             "ko": "σ(x)에 대해 저장한 결과로 g·σ(x)·(1 − σ(x))를 보냅니다."},
    "stepper.node_relu": {"en": "ReLU lets g through where its input was positive and sends 0 elsewhere.",
                          "ko": "ReLU는 입력이 양수였던 곳에서만 g를 통과시키고, 나머지에는 0을 보냅니다."},
    "stepper.node_softplus": {"en": "For softplus x it sends g·σ(x).", "ko": "softplus x에 대해 g·σ(x)를 보냅니다."},
    "stepper.node_abs": {"en": "For |x| it sends g·sign(x).", "ko": "|x|에 대해 g·sign(x)를 보냅니다."},
    "stepper.node_mm": {"en": "For A·B it sends g·Bᵀ to A and Aᵀ·g to B: two matrix products.",
                        "ko": "A·B에 대해 A로는 g·Bᵀ를, B로는 Aᵀ·g를 보냅니다. 행렬곱 두 번입니다."},
    "stepper.node_addmm": {"en": "For b + A·W (a Linear layer) it sends g to the bias (summed over the batch), g·Wᵀ "
                                 "to A and Aᵀ·g to W.",
                           "ko": "b + A·W(Linear 층)에 대해 편향으로는 g를(배치에 걸쳐 합산), A로는 g·Wᵀ를, W로는 Aᵀ·g를 "
                                 "보냅니다."},
    "stepper.node_t": {"en": "A transpose sends gᵀ.", "ko": "전치는 gᵀ를 보냅니다."},
    "stepper.node_sum": {"en": "A sum sends g to every entry it added up (g broadcast to the input's shape).",
                         "ko": "합은 더한 모든 원소에 g를 보냅니다 (g를 입력의 모양으로 브로드캐스트)."},
    "stepper.node_mean": {"en": "A mean of n entries sends g / n to each of them.",
                          "ko": "원소 n개의 평균은 각 원소에 g / n을 보냅니다."},
    "stepper.node_expand": {"en": "Expand copied its input; its backward sums g over the copied dimensions.",
                            "ko": "expand는 입력을 복사했으므로, 역전파는 복사된 차원에 걸쳐 g를 더합니다."},
    "stepper.node_view": {"en": "A view or reshape sends g back in the input's shape; no arithmetic.",
                          "ko": "view나 reshape는 g를 입력의 모양으로 되돌려 보낼 뿐, 계산은 없습니다."},
    "stepper.node_squeeze": {"en": "Squeeze sends g back with the dropped dimension of size 1 restored.",
                             "ko": "squeeze는 없앤 크기 1짜리 차원을 되살려 g를 보냅니다."},
    "stepper.node_unsqueeze": {"en": "Unsqueeze sends g back without the dimension it added.",
                               "ko": "unsqueeze는 추가했던 차원을 빼고 g를 보냅니다."},
    "stepper.node_accumulategrad": {
        "en": "A leaf tensor's node: it adds the arriving gradient into the leaf's `.grad`.",
        "ko": "리프 텐서의 노드입니다. 도착한 기울기를 리프의 `.grad`에 더합니다.",
    },
    "stepper.node_input": {"en": "The gradient with respect to this input, as it arrived.",
                           "ko": "이 입력에 대한 기울기가 도착한 그대로입니다."},
    "stepper.node_backward": {
        "en": "The backward of a backward node: recorded by a `create_graph=True` pass, it differentiates that "
              "pass's own arithmetic.",
        "ko": "역전파 노드의 역전파입니다. `create_graph=True` 역전파가 기록했으며, 그 역전파 자신의 계산을 미분합니다.",
    },
    "stepper.node_generic": {
        "en": "It multiplies the arriving gradient by its operation's local derivative (a vector–Jacobian product) "
              "and sends one result to each input.",
        "ko": "도착한 기울기에 자기 연산의 국소 도함수를 곱하고(벡터–야코비안 곱) 입력마다 결과를 하나씩 보냅니다.",
    },
    "stepper.pass": {"en": "Which backward pass", "ko": "어느 역전파"},
    "stepper.primer_pass1": {
        "en": "`torch.autograd.grad(y, x, create_graph=True)`: the engine walks y's graph once and records, as it goes, "
              "a new graph for dy/dx.",
        "ko": "`torch.autograd.grad(y, x, create_graph=True)`: 엔진이 y의 그래프를 한 번 거슬러 가면서, 그동안 dy/dx를 위한 새 "
              "그래프를 기록합니다.",
    },
    "stepper.primer_pass2": {
        "en": "The backward of dy/dx: its red nodes are the ones the first `create_graph=True` pass recorded, and this "
              "pass runs them to give d²y/dx².",
        "ko": "dy/dx의 역전파입니다. 빨간 노드는 첫 `create_graph=True` 역전파가 기록한 노드이고, 이번 역전파가 그것들을 "
              "실행해 d²y/dx²을 구합니다.",
    },
    "stepper.deriv_pass": {
        "en": "Pass {k} computes {name} from the graph of the derivative before it; red nodes were recorded by the "
              "earlier `create_graph=True` passes.",
        "ko": "{k}번째 역전파는 앞 도함수의 그래프로부터 {name}을(를) 구합니다. 빨간 노드는 앞선 `create_graph=True` 역전파가 "
              "기록한 노드입니다.",
    },
    "stepper.ng_grad": {
        "en": "`torch.autograd.grad(f, [x, *net.parameters()])`: one pass gives ∇ₓf and every ∂f/∂θ; each "
              "`AccumulateGrad` is where `torch.autograd.grad` takes one of them.",
        "ko": "`torch.autograd.grad(f, [x, *net.parameters()])`: 한 번의 역전파로 ∇ₓf와 모든 ∂f/∂θ를 얻습니다. 각 "
              "`AccumulateGrad`에서 `torch.autograd.grad`가 그중 하나를 가져갑니다.",
    },
    "stepper.ng_double": {
        "en": "Double backprop: the backward of G = Σ(∂f/∂θ)². The red nodes were recorded by the `create_graph=True` "
              "pass that made ∂f/∂θ; this pass differentiates them.",
        "ko": "이중 역전파: G = Σ(∂f/∂θ)²의 역전파입니다. 빨간 노드는 ∂f/∂θ를 만든 `create_graph=True` 역전파가 기록했고, "
              "이번 역전파가 그것들을 미분합니다.",
    },
    "stepper.mb_shared": {
        "en": "Both losses in one pass: each head sends its gradient down, and the trunk's last node runs once, after "
              "both have arrived and been added (the step that says so).",
        "ko": "두 손실을 한 번에 역전파합니다. 각 헤드가 기울기를 내려보내고, 몸통의 마지막 노드는 두 기울기가 모두 도착해 "
              "더해진 뒤에 한 번만 실행됩니다 (그렇다고 알려 주는 단계를 찾아보세요).",
    },
    "stepper.mb_freed": {
        "en": "`loss1.backward()` freed the trunk's saved tensors; the traced `loss2.backward()` runs loss2's own head, "
              "then fails at the first trunk node that needs what was freed.",
        "ko": "`loss1.backward()`가 몸통의 저장된 텐서를 해제했습니다. 추적한 `loss2.backward()`는 loss2의 헤드는 실행하지만, "
              "해제된 텐서가 필요한 첫 몸통 노드에서 실패합니다.",
    },
    "stepper.mb_in_place": {
        "en": "With a trunk of {depth} layers and SGD at lr = {lr}: `optimizer.step()` changed saved weights in place, "
              "so the pass fails at the node that saved one of them.",
        "ko": "몸통 {depth}층, 학습률 {lr}의 SGD: `optimizer.step()`이 저장된 가중치를 제자리에서 바꿨으므로, 역전파는 그중 "
              "하나를 저장한 노드에서 실패합니다.",
    },
    "stepper.deriv_constant": {
        "en": "{name} is a constant: no graph recorded it, so there is no backward pass to step through.",
        "ko": "{name}은(는) 상수입니다. 이를 기록한 그래프가 없으므로 따라갈 역전파가 없습니다.",
    },
}
