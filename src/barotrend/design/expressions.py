"""Row selections from text without running code: a column, a mask, or a small expression.

A ``subset=`` given as text is **data, never code**. It is either the name of a boolean column,
or an expression in a small language that is parsed (Python's :mod:`ast`) and interpreted here
over the frame's columns -- never handed to ``eval``, ``DataFrame.eval``/``query`` (whose
python engine reaches attributes and methods: ``"x.to_csv('f')"`` writes a file) or patsy.
The language:

* names of columns: ``stype``; a name that is not an identifier in backticks, as pandas
  does: ```sch.wide` == 1`` (a backtick cannot occur inside such a name);
* constants: numbers, strings, ``True``, ``False``, ``None``; a list or tuple of constants
  on the right of ``in`` / ``not in``;
* comparisons ``== != < <= > >= in not in`` (chained comparisons are joined by *and*),
  ``and``, ``or``, ``not`` and their elementwise forms ``&``, ``|``, ``~``, ``^``;
* arithmetic ``+ - * / // %`` on numbers and numeric columns (no ``**``, no strings).

Anything else -- attribute access, calls, subscripts, lambdas, comprehensions, names that are
not columns -- is refused with a ``ValueError`` naming it. A missing value compares as False
(pandas' elementwise comparison), so rows with a missing value in a compared column fall
outside the domain.
"""

from __future__ import annotations

import ast
import operator

import numpy as np
import pandas as pd

_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_LOGIC = {ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod}
_PREFIX = "__barotrend_col_"


def _backticks(text: str) -> tuple[str, dict[str, str]]:
    """Replace each ```name``` outside string literals by a placeholder identifier."""
    out, names, i, quote = [], {}, 0, None
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ValueError(f"an unclosed backtick at position {i}")
            key = f"{_PREFIX}{len(names)}__"
            names[key] = text[i + 1:end]
            out.append(key)
            i = end
        else:
            out.append(ch)
        i += 1
    return "".join(out), names


class _Interpreter:
    def __init__(self, frame: pd.DataFrame, quoted: dict[str, str]):
        self.frame, self.quoted = frame, quoted

    def refuse(self, node, what):
        try:
            text = ast.unparse(node)
        except Exception:  # an unusual node: name the kind only
            text = type(node).__name__
        text = text if len(text) <= 60 else text[:59] + "\u2026"
        raise ValueError(f"{what} is not allowed: {text!r}")

    def constant(self, node):
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(
                node.value, bool | int | float | str)):
            return node.value
        self.refuse(node, f"{type(node).__name__} inside a list")

    def __call__(self, node):
        if isinstance(node, ast.Expression):
            return self(node.body)
        if isinstance(node, ast.Name):
            name = self.quoted.get(node.id, node.id)
            if name not in self.frame.columns:
                cols = ", ".join(map(repr, list(self.frame.columns)[:20]))
                raise ValueError(f"{name!r} is not a column (columns: {cols})")
            return self.frame[name]
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp):
            op = operator.and_ if isinstance(node.op, ast.And) else operator.or_
            vals = [self.boolean(self(v), v) for v in node.values]
            out = vals[0]
            for v in vals[1:]:
                out = op(out, v)
            return out
        if isinstance(node, ast.UnaryOp):
            val = self(node.operand)
            if isinstance(node.op, ast.Not | ast.Invert):
                return ~self.boolean(val, node.operand)
            if isinstance(node.op, ast.USub | ast.UAdd):
                val = self.number(val, node.operand)
                return -val if isinstance(node.op, ast.USub) else val
        if isinstance(node, ast.BinOp):
            if type(node.op) in _LOGIC:
                return _LOGIC[type(node.op)](self.boolean(self(node.left), node.left),
                                             self.boolean(self(node.right), node.right))
            if type(node.op) in _ARITH:
                return _ARITH[type(node.op)](self.number(self(node.left), node.left),
                                             self.number(self(node.right), node.right))
            self.refuse(node, f"the operator {type(node.op).__name__}")
        kinds = {ast.Attribute: "attribute access", ast.Call: "a function call",
                 ast.Subscript: "a subscript", ast.Lambda: "a lambda"}
        self.refuse(node, kinds.get(type(node), f"{type(node).__name__}"))

    def compare(self, node):
        left, out = self(node.left), None
        for k, (op, right_node) in enumerate(zip(node.ops, node.comparators, strict=True)):
            if isinstance(op, ast.In | ast.NotIn):
                if k < len(node.ops) - 1:
                    self.refuse(node, "a comparison chained after 'in'")
                if not isinstance(right_node, ast.List | ast.Tuple | ast.Set):
                    self.refuse(right_node, "'in' with anything but a list of constants")
                values = [self.constant(e) for e in right_node.elts]
                if not isinstance(left, pd.Series):
                    self.refuse(node, "'in' with a constant on the left")
                res = left.isin(values)
                res = ~res if isinstance(op, ast.NotIn) else res
                right = None
            elif type(op) in _COMPARE:
                right = self(right_node)
                res = _COMPARE[type(op)](left, right)
            else:
                self.refuse(node, f"the comparison {type(op).__name__}")
            res = self.boolean(res, node)
            out = res if out is None else out & res
            left = right
        return out

    def boolean(self, val, node):
        if isinstance(val, bool | np.bool_):
            return pd.Series(bool(val), index=self.frame.index)
        if isinstance(val, pd.Series) and pd.api.types.is_bool_dtype(val.dtype):
            # nullable booleans ("boolean", or "bool[pyarrow]" from a pyarrow-backed string
            # column): a missing comparison is not a match
            return val if val.dtype == bool else val.fillna(False).astype(bool)
        self.refuse(node, f"a non-boolean operand ({_what(val)}) of a logical operator")

    def number(self, val, node):
        if isinstance(val, bool) or not (isinstance(val, int | float) or (
                isinstance(val, pd.Series) and pd.api.types.is_numeric_dtype(val)
                and not pd.api.types.is_bool_dtype(val))):
            self.refuse(node, f"arithmetic on {_what(val)}")
        return val


def _what(val) -> str:
    return f"column of dtype {val.dtype}" if isinstance(val, pd.Series) else repr(val)


def evaluate(frame: pd.DataFrame, expression: str) -> pd.Series:
    """Evaluate ``expression`` (the language of the module docstring) over ``frame``'s columns.

    Examples
    --------
    >>> df = pd.DataFrame({"stype": ["E", "H", "M"], "api": [700, 650, 600],
    ...                    "sch.wide": ["Yes", "No", "Yes"]})
    >>> evaluate(df, "stype in ['E', 'M'] and api > 620").tolist()
    [True, False, False]
    >>> evaluate(df, "`sch.wide` == 'Yes'").tolist()
    [True, False, True]
    >>> evaluate(df, "stype.to_csv('x.csv')")
    Traceback (most recent call last):
    ...
    ValueError: a function call is not allowed: "stype.to_csv('x.csv')"
    """
    text, quoted = _backticks(expression)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as err:
        detail = getattr(err, "msg", None) or str(err) or "too long or nested too deeply"
        raise ValueError(f"not an expression ({type(err).__name__}: {detail})") from None
    try:
        return _Interpreter(frame, quoted)(tree)
    except RecursionError:
        raise ValueError("the expression is nested too deeply") from None
    except (TypeError, ArithmeticError) as err:  # e.g. '<' on an unordered category, 1 / 0
        raise ValueError(f"cannot be evaluated over the columns ({type(err).__name__}: "
                         f"{' '.join(str(err).split())})") from None


def row_mask(frame: pd.DataFrame, subset, name: str = "subset"):
    """Boolean row mask (ndarray) of ``subset``, or None for all rows.

    ``subset`` is a boolean column's name, an expression (module docstring) or a boolean
    mask (array or Series) of ``len(frame)`` values. Errors name the argument and the value.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1, 2, 3], "keep": [True, False, True]})
    >>> row_mask(df, "keep").tolist(), row_mask(df, "x >= 2").tolist()
    ([True, False, True], [False, True, True])
    """
    if subset is None:
        return None
    if isinstance(subset, str):
        if subset in frame.columns:
            col, what = frame[subset], f"column {subset!r}"
        else:
            try:
                col = evaluate(frame, subset)
            except ValueError as err:
                raise ValueError(f"{name}: {subset!r} is neither a column nor an expression "
                                 f"over the columns ({err}; see barotrend.design.expressions "
                                 "for what an expression may hold)") from None
            what = f"expression {subset!r}"
    else:
        col, what = subset, "mask"
    mask = col if isinstance(col, np.ndarray) else pd.Series(col).to_numpy()
    if mask.shape != (len(frame),):
        raise ValueError(f"{name}: the {what} has {mask.shape[0] if mask.ndim else 0} values "
                         f"for {len(frame)} rows")
    if mask.dtype != bool:
        raise ValueError(f"{name}: the {what} must be boolean (True in the domain), got "
                         f"dtype {mask.dtype}")
    if not mask.any():
        raise ValueError(f"{name}: the {what} selects no row")
    return mask
