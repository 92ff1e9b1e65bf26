"""Parse a user's formula in x against a whitelist into a torch function and a sympy expression.

Nothing is ever eval'ed: the text is read by Python's `ast`, every node is checked against the
whitelist below, and both functions are built by walking the checked tree.
"""
from __future__ import annotations

import ast
import inspect
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Callable, NoReturn

import sympy
import torch

MAX_LENGTH = 300  # characters
MAX_DEPTH = 50  # nesting of the syntax tree (a sum of n terms nests n deep)
MAX_LITERAL = 1e6  # |number| written in the formula
MAX_EXPONENT = 64  # |constant exponent|; larger ones only overflow or hang a CAS
# CPython 3.11 builds ast trees with interpreter-wide state: a thread switch while two sessions parse
# can raise "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905). One lock.
PARSER_LOCK = threading.Lock()

_X = sympy.Symbol("x", real=True)

# name -> (torch function, sympy function)
FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "sin": (torch.sin, sympy.sin),
    "cos": (torch.cos, sympy.cos),
    "tan": (torch.tan, sympy.tan),
    "asin": (torch.asin, sympy.asin),
    "acos": (torch.acos, sympy.acos),
    "atan": (torch.atan, sympy.atan),
    "sinh": (torch.sinh, sympy.sinh),
    "cosh": (torch.cosh, sympy.cosh),
    "tanh": (torch.tanh, sympy.tanh),
    "exp": (torch.exp, sympy.exp),
    "log": (torch.log, sympy.log),
    "sqrt": (torch.sqrt, sympy.sqrt),
    "abs": (torch.abs, sympy.Abs),
    "sigmoid": (torch.sigmoid, lambda a: 1 / (1 + sympy.exp(-a))),
    "softplus": (torch.nn.functional.softplus, lambda a: sympy.log(1 + sympy.exp(a))),
    "relu": (torch.relu, lambda a: sympy.Max(0, a)),
    "erf": (torch.erf, sympy.erf),
}
CONSTANTS = {"pi": (math.pi, sympy.pi), "e": (math.e, sympy.E)}
_UNARY = (ast.USub, ast.UAdd)
_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
               ast.Div: lambda a, b: a / b}
# Constructs a formula may not use, by the error code the page explains in words (never Python's node names).
_REFUSED = {ast.Lambda: "lambda", ast.IfExp: "conditional", ast.List: "list", ast.Tuple: "tuple", ast.Set: "set",
            ast.Dict: "dict", ast.ListComp: "comprehension", ast.SetComp: "comprehension",
            ast.DictComp: "comprehension", ast.GeneratorExp: "comprehension", ast.Compare: "comparison",
            ast.BoolOp: "logic", ast.Subscript: "subscript", ast.Slice: "subscript", ast.Starred: "starred",
            ast.JoinedStr: "fstring", ast.FormattedValue: "fstring", ast.NamedExpr: "walrus"}
_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
              ast.BitOr: "|", ast.BitAnd: "&", ast.Invert: "~"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TYPESET = {"×": "*", "·": "*", "÷": "/", "−": "-"}  # typeset operators people paste, and what Python writes


class ExpressionError(ValueError):
    """A formula that is not allowed; `code` and `column` let the UI translate the message."""

    def __init__(self, code: str, message: str, column: int | None = None, detail: str = ""):
        where = f" (column {column})" if column is not None else ""
        super().__init__(message + where)
        self.code, self.column, self.detail = code, column, detail


@dataclass(frozen=True)
class Expression:
    """A checked formula: its text, a torch function of x, and the same formula in sympy."""

    text: str
    torch_fn: Callable[[torch.Tensor], torch.Tensor] = field(compare=False, repr=False)
    sympy_expr: sympy.Expr = field(compare=False)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """f(x) elementwise; a formula without x still gives a tensor shaped like x."""
        value = self.torch_fn(x)
        if not isinstance(value, torch.Tensor) or value.shape != x.shape:
            value = torch.as_tensor(value, dtype=x.dtype, device=x.device).expand_as(x).clone()
        return value


def _column(node: ast.AST) -> int | None:
    offset = getattr(node, "col_offset", None)
    return None if offset is None else offset + 1


def _fail(code: str, message: str, node: ast.AST | None = None, detail: str = "") -> ExpressionError:
    return ExpressionError(code, message, _column(node) if node is not None else None, detail)


def _check(node: ast.AST, depth: int) -> float | None:
    """Check one node and its children; return its float value if it does not depend on x."""
    if depth > MAX_DEPTH:
        raise _fail("too_deep", f"the formula is nested more than {MAX_DEPTH} levels deep", node, str(MAX_DEPTH))
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            shown = repr(node.value)[:20]
            raise _fail("literal", f"only real numbers are allowed, not {shown}", node, shown)
        if not math.isfinite(node.value) or abs(node.value) > MAX_LITERAL:
            raise _fail("number_too_big", f"numbers larger than {MAX_LITERAL:g} are not allowed", node,
                        f"{MAX_LITERAL:,.0f}")
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return None
        if node.id in CONSTANTS:
            return CONSTANTS[node.id][0]
        raise _fail("name", f"the name '{node.id}' is not allowed: use x, pi or e", node, node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, _UNARY):
        value = _check(node.operand, depth + 1)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _FLOAT_OPS:
        left, right = _check(node.left, depth + 1), _check(node.right, depth + 1)
        if isinstance(node.op, ast.Pow) and right is not None and abs(right) > MAX_EXPONENT:
            raise _fail("exponent_too_big", f"exponents larger than {MAX_EXPONENT} are not allowed", node.right,
                        str(MAX_EXPONENT))
        if left is None or right is None:
            return None
        return _fold(node, left, right)
    if isinstance(node, ast.Call):
        return _check_call(node, depth)
    _refuse(node)


def _refuse(node: ast.AST) -> NoReturn:
    """Raise the error that names, in words, a construct formulas do not allow."""
    if isinstance(node, ast.Attribute):
        raise _fail("attribute", "attribute access such as a.b is not allowed", node)
    op = getattr(node, "op", None)
    if isinstance(op, ast.BitXor):
        raise _fail("xor", "^ is XOR in Python: write powers with **", node)
    if isinstance(op, ast.Not):
        raise _fail("logic", "not, and, or are not allowed in a formula", node)
    if type(op) in _OPERATORS:
        symbol_ = _OPERATORS[type(op)]
        raise _fail("operator", f"the operator {symbol_} is not allowed", node, symbol_)
    if type(node) in _REFUSED:
        code = _REFUSED[type(node)]
        raise _fail(code, f"this construct ({code}) is not allowed in a formula", node)
    raise _fail("syntax_node", "this kind of expression is not allowed in a formula", node)


def _check_call(node: ast.Call, depth: int) -> float | None:
    """Check a call: one of FUNCTIONS with one argument; `2(x + 1)` or `x(x + 1)` is a product missing its *."""
    func = node.func
    if isinstance(func, ast.Attribute):
        raise _fail("attribute", "attribute access such as a.b is not allowed", func)
    if isinstance(func, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.Call)) or (
            isinstance(func, ast.Name) and (func.id == "x" or func.id in CONSTANTS)):
        raise _fail("call_product", "to multiply, write * (2*(x + 1), not 2(x + 1))", node)
    if not isinstance(func, ast.Name):
        _refuse(func)
    if func.id not in FUNCTIONS:
        raise _fail("function", f"the function '{func.id}' is not allowed", node, func.id)
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise _fail("arguments", f"{func.id}() takes exactly one argument", node, func.id)
    value = _check(node.args[0], depth + 1)
    return None if value is None else _fold_call(node, func.id, value)


def _fold(node: ast.BinOp, left: float, right: float) -> float:
    """Evaluate a constant operation in plain floats (which overflow instead of hanging), as the built function does."""
    try:
        return float(_FLOAT_OPS[type(node.op)](left, right))
    except OverflowError:
        raise _fail("constant_too_big", "a constant in the formula is too large", node, _shown(node))


def _fold_call(node: ast.Call, name: str, value: float) -> float:
    """Evaluate a whitelisted function of a constant, NaN where it is undefined."""
    with torch.no_grad():
        result = float(FUNCTIONS[name][0](torch.tensor(value, dtype=torch.float64)))
    if math.isinf(result) and math.isfinite(value):
        raise _fail("constant_too_big", "a constant in the formula is too large", node, _shown(node))
    return result


def _shown(node: ast.AST) -> str:
    """The formula's text of a node, cut short for a message."""
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:39] + "…"


def _rewritten(text: str) -> str:
    """`text` as Python writes it: superscript powers as **n, typeset × · ÷ − as * / -."""
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+", lambda run: "**" + run.group().translate(_SUPERSCRIPTS), text)
    return re.sub("[×·÷−]", lambda sign: _TYPESET[sign.group()], text)


def _to_torch(node: ast.AST) -> Callable[[torch.Tensor], torch.Tensor | float]:
    """Build the torch function of a checked tree."""
    if isinstance(node, ast.Constant):
        value = float(node.value)
        return lambda x: value
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x: x
        value = CONSTANTS[node.id][0]
        return lambda x: value
    if isinstance(node, ast.UnaryOp):
        operand = _to_torch(node.operand)
        return (lambda x: -operand(x)) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _to_torch(node.left), _to_torch(node.right)
        op = _FLOAT_OPS[type(node.op)]
        return lambda x: op(left(x), right(x))
    fn, argument = FUNCTIONS[node.func.id][0], _to_torch(node.args[0])
    return lambda x: fn(_as_tensor(argument(x), x))


def _as_tensor(value, like: torch.Tensor) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else torch.full_like(like, value)


def _divide(numerator, denominator):
    """a / b where both may be plain floats: IEEE results (inf, nan) instead of ZeroDivisionError."""
    if not isinstance(numerator, torch.Tensor) and not isinstance(denominator, torch.Tensor) and denominator == 0:
        return math.nan if numerator == 0 else math.copysign(math.inf, numerator)
    return numerator / denominator


def _power(base, exponent):
    """a ** b where either may be a plain float; 0 ** 0 and friends follow torch."""
    if not isinstance(base, torch.Tensor) and not isinstance(exponent, torch.Tensor):
        try:
            return base ** exponent if base >= 0 or float(exponent).is_integer() else math.nan
        except ZeroDivisionError:
            return math.inf
    return base ** exponent


# The arithmetic of formulas, on tensors and on plain floats alike (constants are folded with the same rules).
_FLOAT_OPS = {**_ARITHMETIC, ast.Pow: _power, ast.Div: _divide}


def _to_sympy(node: ast.AST) -> sympy.Expr:
    """Build the sympy expression of a checked tree; integers stay exact."""
    if isinstance(node, ast.Constant):
        return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Rational(repr(node.value))
    if isinstance(node, ast.Name):
        return _X if node.id == "x" else CONSTANTS[node.id][1]
    if isinstance(node, ast.UnaryOp):
        operand = _to_sympy(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _to_sympy(node.left), _to_sympy(node.right)
        return left ** right if isinstance(node.op, ast.Pow) else _ARITHMETIC[type(node.op)](left, right)
    return FUNCTIONS[node.func.id][1](_to_sympy(node.args[0]))


def parse(text: str) -> Expression:
    """Check `text` against the whitelist and return it as an Expression, or raise ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError("empty", "the formula must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError("too_long", f"the formula is longer than {MAX_LENGTH} characters", None,
                              str(MAX_LENGTH))
    stripped = text.strip()
    if not stripped:
        raise ExpressionError("empty", "the formula is empty")
    if "\x00" in stripped:
        raise ExpressionError("syntax", "the formula contains a null character")
    typeset = re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺×·÷−]", stripped)
    if typeset:
        code = "unicode_operator" if typeset.group() in _TYPESET else "superscript"
        raise ExpressionError(code, f"write it as {_rewritten(stripped)}", typeset.start() + 1, _rewritten(stripped))
    try:
        with PARSER_LOCK:
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError("syntax", f"this is not a valid formula: {exc.msg}", exc.offset) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("syntax", "this is not a valid formula") from None
    try:
        _check(tree.body, 1)
    except ExpressionError as error:
        if error.code != "xor":
            raise
        # The whole formula with ** for every ^, which is what was meant.
        raise ExpressionError("xor", str(error), error.column, stripped.replace("^", "**")) from None
    try:
        symbolic = _to_sympy(tree.body)
    except (ValueError, TypeError):  # e.g. relu(acos(2)): sympy's Max cannot compare a value that is not real
        raise ExpressionError("not_real", "a part of the formula has no real value", None, stripped) from None
    return Expression(stripped, _to_torch(tree.body), symbolic)


def source(obj) -> str:
    """inspect.getsource of a function or class, under the parser lock (for a class it parses the module with ast)."""
    with PARSER_LOCK:
        return inspect.getsource(obj)


def symbol() -> sympy.Symbol:
    """The sympy symbol that stands for x in every parsed expression."""
    return _X
