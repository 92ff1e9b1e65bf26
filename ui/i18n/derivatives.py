"""Strings of the higher-order derivatives page."""
STRINGS = {
    "derivatives.title": {"en": "Higher-order derivatives", "ko": "고계 도함수"},
    "derivatives.intro": {
        "en": "Type a function of x. Autograd differentiates it, then differentiates the derivative, and so on: "
              "each `torch.autograd.grad(..., create_graph=True)` records a new graph that the next call can differentiate.",
        "ko": "x에 대한 함수를 입력하세요. Autograd가 함수를 미분하고, 그 도함수를 다시 미분합니다. "
              "`torch.autograd.grad(..., create_graph=True)`를 호출할 때마다 다음 호출이 미분할 수 있는 새 그래프가 기록됩니다."},
    "derivatives.expression": {"en": "f(x) =", "ko": "f(x) ="},
    "derivatives.expression_help": {
        "en": "Numbers, x, + - * / **, pi, e and the functions sin cos tan asin acos atan sinh cosh tanh exp log sqrt abs sigmoid softplus relu erf.",
        "ko": "숫자, x, + - * / **, pi, e, 그리고 함수 sin cos tan asin acos atan sinh cosh tanh exp log sqrt abs sigmoid softplus relu erf를 쓸 수 있습니다."},
    "derivatives.x": {"en": "Point x", "ko": "점 x"},
    "derivatives.order": {"en": "Highest order n", "ko": "최고 차수 n"},
    "derivatives.range": {"en": "Chart range ±", "ko": "그래프 범위 ±"},
    "derivatives.table_title": {"en": "Derivatives at x = {x}", "ko": "x = {x}에서의 도함수"},
    "derivatives.col_order": {"en": "order", "ko": "차수"},
    "derivatives.col_autograd": {"en": "autograd", "ko": "autograd"},
    "derivatives.col_sympy": {"en": "sympy (exact)", "ko": "sympy (정확한 값)"},
    "derivatives.col_fd": {"en": "finite difference (float64)", "ko": "유한 차분 (float64)"},
    "derivatives.reference": {"en": "sympy (exact)", "ko": "sympy (정확한 값)"},
    "derivatives.fd_note": {
        "en": "Finite differences lose accuracy at high orders (rounding error grows like 1/hⁿ): autograd does not.",
        "ko": "유한 차분은 차수가 높을수록 정확도가 떨어집니다(반올림 오차가 1/hⁿ처럼 커집니다). autograd는 그렇지 않습니다."},
    "derivatives.domain": {
        "en": "f or one of its derivatives is undefined or infinite at x = {x} (for example log of a negative number or a division by zero). "
              "The table shows NaN or inf there and the chart leaves a gap.",
        "ko": "x = {x}에서 f 또는 도함수가 정의되지 않거나 무한대입니다(예: 음수의 로그, 0으로 나누기). 표에는 NaN 또는 inf로 표시되고 그래프에는 빈 곳이 생깁니다."},
    "derivatives.chart_title": {"en": "f and its derivatives, all points in one batched autograd pass",
                                "ko": "f와 도함수들 (모든 점을 한 번의 배치 autograd로 계산)"},
    "derivatives.chart_gaps": {"en": "Gaps in the chart are points where a curve is undefined or infinite.",
                               "ko": "그래프의 빈 곳은 곡선이 정의되지 않거나 무한대인 점입니다."},
    "derivatives.curve": {"en": "curve", "ko": "곡선"},
    "derivatives.graph_title": {"en": "The graph of the n-th derivative", "ko": "n계 도함수의 그래프"},
    "derivatives.graph_caption": {
        "en": "Red nodes were recorded by the backward passes themselves: with create_graph=True, differentiating builds a new graph, which is what the next derivative differentiates.",
        "ko": "빨간 노드는 역전파 자체가 기록한 것입니다. create_graph=True이면 미분하는 과정이 새 그래프를 만들고, 다음 도함수는 그 그래프를 미분합니다."},
    "derivatives.leaf_note": {
        "en": "The gradient returned with create_graph=True is **not a leaf**: is_leaf = {is_leaf}, requires_grad = {requires_grad}, grad_fn = {grad_fn}. "
              "It is the output of the recorded backward graph, which is exactly why it can be differentiated again. (The original blog post called it a leaf; it is not.)",
        "ko": "create_graph=True로 얻은 기울기는 **리프가 아닙니다**: is_leaf = {is_leaf}, requires_grad = {requires_grad}, grad_fn = {grad_fn}. "
              "기록된 역전파 그래프의 출력이기 때문에 다시 미분할 수 있는 것입니다. (원래 블로그 글은 이것을 리프라고 했지만 틀렸습니다.)"},
    "derivatives.pitfall_title": {"en": "Pitfall: the second derivative without create_graph=True",
                                  "ko": "함정: create_graph=True 없이 2계 도함수 구하기"},
    "derivatives.pitfall_explain": {
        "en": "Without create_graph=True, autograd computes the first derivative as a plain number and records nothing about how it was computed, so there is no graph to differentiate a second time.",
        "ko": "create_graph=True가 없으면 autograd는 1계 도함수를 그냥 숫자로 계산하고 그 계산 과정을 기록하지 않습니다. 그래서 두 번째로 미분할 그래프가 없습니다."},
    "derivatives.pitfall_constant": {
        "en": "Here f′ does not depend on x through a recorded graph, so both versions agree; try a formula such as 2*x**3.",
        "ko": "이 식에서는 f′가 기록된 그래프로 x에 의존하지 않아 두 버전이 같습니다. 2*x**3 같은 식을 시도해 보세요."},
    "derivatives.error_title": {"en": "This formula is not allowed: {message}", "ko": "허용되지 않는 식입니다: {message}"},
    "derivatives.err_column": {"en": " (at character {column})", "ko": " ({column}번째 글자)"},
    "derivatives.err_too_long": {"en": "it is too long", "ko": "식이 너무 깁니다"},
    "derivatives.err_empty": {"en": "it is empty", "ko": "식이 비어 있습니다"},
    "derivatives.err_syntax": {"en": "it is not a valid formula", "ko": "올바른 수식이 아닙니다"},
    "derivatives.err_too_deep": {"en": "it is nested too deeply", "ko": "너무 깊게 중첩되어 있습니다"},
    "derivatives.err_literal": {"en": "only numbers may appear, not {detail} values", "ko": "숫자만 쓸 수 있고 {detail} 값은 쓸 수 없습니다"},
    "derivatives.err_number_too_big": {"en": "a number in it is too large", "ko": "식 안의 수가 너무 큽니다"},
    "derivatives.err_exponent_too_big": {"en": "an exponent is larger than 64", "ko": "지수가 64보다 큽니다"},
    "derivatives.err_name": {"en": "the name “{detail}” is unknown; use x, pi or e", "ko": "“{detail}”라는 이름은 쓸 수 없습니다. x, pi, e를 쓰세요"},
    "derivatives.err_attribute": {"en": "attribute access (a.b) is not allowed", "ko": "속성 접근(a.b)은 허용되지 않습니다"},
    "derivatives.err_function": {"en": "the function “{detail}” is not in the list", "ko": "“{detail}” 함수는 목록에 없습니다"},
    "derivatives.err_arguments": {"en": "{detail}() takes exactly one argument", "ko": "{detail}()에는 인자가 정확히 하나 있어야 합니다"},
    "derivatives.err_syntax_node": {"en": "{detail} is not allowed in a formula", "ko": "수식에는 {detail}을(를) 쓸 수 없습니다"},
}
