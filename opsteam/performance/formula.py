"""Score formulas entered by HR (e.g. ``0.7 * kpi + 0.3 * competency``), safely.

Pure (no Django). A formula is parsed into a small whitelisted expression tree and validated
when it is saved; it is never evaluated as Python code. Allowed: numbers, the variables the
cycle provides, + - * /, parentheses, unary minus and the functions min, max, round and clip.
Evaluation is vectorised (numpy arrays in, an array out), and ``explain`` gives each term's
share of one person's result.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

FUNCTIONS: dict[str, tuple[int, int]] = {
    "min": (2, 8),
    "max": (2, 8),
    "round": (1, 2),
    "clip": (3, 3),
}
MAX_LENGTH = 300


class FormulaError(ValueError):
    """The formula is not allowed; ``position`` is the character offset of the problem."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Formula:
    source: str
    variables: frozenset[str]  # the variables the formula uses
    evaluate: Callable[[Mapping[str, np.ndarray]], np.ndarray]


def _check(node: ast.AST, allowed: frozenset[str], used: set[str]) -> None:
    position = getattr(node, "col_offset", 0)
    if isinstance(node, ast.Expression):
        _check(node.body, allowed, used)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, int | float) or isinstance(node.value, bool):
            raise FormulaError("only numbers are allowed as constants", position)
    elif isinstance(node, ast.Name):
        if node.id not in allowed:
            names = ", ".join(sorted(allowed))
            raise FormulaError(f"unknown variable {node.id!r}; use {names}", position)
        used.add(node.id)
    elif isinstance(node, ast.BinOp):
        if not isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
            raise FormulaError("only + - * / are allowed", position)
        _check(node.left, allowed, used)
        _check(node.right, allowed, used)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError("only a leading minus is allowed", position)
        _check(node.operand, allowed, used)
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise FormulaError(f"only the functions {', '.join(FUNCTIONS)} are allowed", position)
        low, high = FUNCTIONS[node.func.id]
        if node.keywords or not low <= len(node.args) <= high:
            raise FormulaError(f"{node.func.id}() takes {low} to {high} values", position)
        for argument in node.args:
            _check(argument, allowed, used)
    else:
        raise FormulaError(f"{type(node).__name__} is not allowed in a formula", position)


def _compile(node: ast.AST) -> Callable[[Mapping[str, np.ndarray]], np.ndarray]:
    if isinstance(node, ast.Expression):
        return _compile(node.body)
    if isinstance(node, ast.Constant):
        value = float(node.value)
        return lambda env: np.float64(value)
    if isinstance(node, ast.Name):
        name = node.id
        return lambda env: np.asarray(env[name], dtype=float)
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand)
        return (lambda env: -operand(env)) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        if isinstance(node.op, ast.Add):
            return lambda env: left(env) + right(env)
        if isinstance(node.op, ast.Sub):
            return lambda env: left(env) - right(env)
        if isinstance(node.op, ast.Mult):
            return lambda env: left(env) * right(env)

        def divide(env: Mapping[str, np.ndarray]) -> np.ndarray:
            numerator, denominator = left(env), right(env)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(denominator == 0, np.nan, numerator / denominator)

        return divide
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise FormulaError(f"{type(node).__name__} is not allowed in a formula")
    arguments = [_compile(argument) for argument in node.args]
    name = node.func.id
    if name == "min":
        return lambda env: np.minimum.reduce([argument(env) for argument in arguments])
    if name == "max":
        return lambda env: np.maximum.reduce([argument(env) for argument in arguments])
    if name == "clip":
        value, low, high = arguments
        return lambda env: np.clip(value(env), low(env), high(env))
    if len(arguments) == 2:
        value, digits = arguments
        return lambda env: np.round(value(env), int(digits(env)))
    value = arguments[0]
    return lambda env: np.round(value(env))


def parse_formula(source: str, *, variables: frozenset[str] | set[str]) -> Formula:
    """Parse and validate ``source``; raise FormulaError naming the problem and its position."""
    text = (source or "").strip()
    if not text:
        raise FormulaError("the formula is empty")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid formula: {exc.msg}", (exc.offset or 1) - 1) from exc
    used: set[str] = set()
    _check(tree, frozenset(variables), used)
    if not used:
        raise FormulaError("the formula uses none of the scores")
    return Formula(source=text, variables=frozenset(used), evaluate=_compile(tree))


def explain(formula: Formula, values: Mapping[str, float]) -> dict[str, float]:
    """How much each variable moves one person's result: result minus the result with that
    variable at 0 (exact for the usual weighted sums, indicative otherwise)."""
    base = float(formula.evaluate({k: np.array([v]) for k, v in values.items()})[0])
    shares = {}
    for name in sorted(formula.variables):
        without = {k: np.array([0.0 if k == name else v]) for k, v in values.items()}
        shares[name] = base - float(formula.evaluate(without)[0])
    return shares
