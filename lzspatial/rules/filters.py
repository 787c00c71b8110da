r"""The filter language of rule selections: a small, safe grammar.

A filter picks features of a layer by their properties, for example
``kind == 'bonded_zone'`` or ``tags contains 'industrial_strong_town' and rank != 'seat'``.
It is tokenised and parsed here by a recursive-descent parser into a tiny
tree of comparisons; nothing is ever passed to :func:`eval`, so a filter can
name fields and literals and nothing else.

Grammar::

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" expr ")" | comparison
    comparison := FIELD ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
                | FIELD ["not"] "in" "[" [literal ("," literal)* [","]] "]"
                | FIELD "contains" literal
    literal    := STRING | NUMBER | true | false | null

Strings take single or double quotes (``\`` escapes the quote or itself).
``true``/``false``/``null`` may also be written ``True``/``False``/``None``.

Semantics: ``==`` never equates a boolean with a number or a string with a
number; missing values (``null``/NaN) equal only ``null``; ``<``-style
comparisons are false unless both sides are numbers or both are strings;
``contains`` tests membership in a list property or a substring of a string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lzspatial.errors import RuleError

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "Filter", "parse_filter"]

#: Longest filter text accepted (characters).
MAX_LENGTH = 2000
#: Deepest nesting of parentheses and ``not`` accepted.
MAX_DEPTH = 40

_KEYWORDS = {"and", "or", "not", "in", "contains"}
_LITERAL_WORDS = {"true": True, "True": True, "false": False, "False": False, "null": None, "None": None}
_COMPARE_OPS = ("==", "!=", "<=", ">=", "<", ">")
_TOKEN_RE = re.compile(
    r"""(?P<ws>\s+)
      | (?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<op>==|!=|<=|>=|<|>)
      | (?P<punct>[()\[\],])
      | (?P<quote>['"])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # name, keyword, literal, op, punct, end
    value: Any
    pos: int


class _FilterSyntax(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 < len(text) and text[i + 1] in (quote, "\\"):
                out.append(text[i + 1])
                i += 2
                continue
            raise _FilterSyntax(
                f"unknown escape {text[i : i + 2]!r} (only \\{quote} and \\\\ are allowed)", i
            )
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise _FilterSyntax(f"string starting with {quote} is not closed", start)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = "; use '==' to compare" if ch == "=" else ""
            raise _FilterSyntax(f"unexpected character {ch!r}{hint}", pos)
        kind = m.lastgroup
        if kind == "quote":
            value, end = _read_string(text, pos)
            tokens.append(_Token("literal", value, pos))
            pos = end
            continue
        word = m.group()
        if kind == "number":
            num = float(word)
            if not math.isfinite(num):
                raise _FilterSyntax(f"number {word!r} is not finite", pos)
            tokens.append(_Token("literal", int(word) if word.lstrip("-").isdigit() else num, pos))
        elif kind == "name":
            if word in _LITERAL_WORDS:
                tokens.append(_Token("literal", _LITERAL_WORDS[word], pos))
            else:
                tokens.append(_Token("keyword" if word in _KEYWORDS else "name", word, pos))
        elif kind in ("op", "punct"):
            tokens.append(_Token(kind, word, pos))
        pos = m.end()
    tokens.append(_Token("end", None, len(text)))
    return tokens


# -- evaluation of single values ------------------------------------------------


class _TypeMismatch(Exception):
    """A text value compared with a number (or the reverse): a rule-writing mistake."""

    def __init__(self, value: Any, literal: Any, field: str = "") -> None:
        super().__init__(value, literal, field)
        self.value, self.literal, self.field = value, literal, field


def _check_types(v: Any, lit: Any) -> None:
    if (isinstance(v, str) and _is_number(lit)) or (_is_number(v) and isinstance(lit, str)):
        raise _TypeMismatch(v, lit)


def value_key(v: Any) -> Any:
    """Return a hashable key of a property value, shared only by values every test treats alike.

    Scalars keep their type (``1``, ``1.0`` and ``True`` differ); a list or tuple becomes the
    tuple of its items' keys. Raises TypeError for anything else unhashable (an array, a nested list).
    """
    t = type(v)
    if t is list or t is tuple:
        return (t, tuple([(type(x), x) for x in v]))
    return (t, v)


class Coded:
    """A column as codes into its distinct values (by :func:`value_key`), to test each value once.

    Rules often filter the same field of a layer (``kind``, ``functions``): a
    :class:`~lzspatial.rules.context.Context` codes each column once, and every filter
    test then runs on the distinct values only. Unhashable values stay apart.
    """

    def __init__(self, values: Sequence[Any]) -> None:
        seen: dict[Any, int] = {}
        uniques: list[Any] = []
        codes = np.empty(len(values), dtype=np.intp)
        for i, v in enumerate(values):
            try:
                key = value_key(v)
                code = seen.get(key)
                if code is None:
                    code = seen[key] = len(uniques)
                    uniques.append(v)
            except TypeError:  # not hashable: its own value
                code = len(uniques)
                uniques.append(v)
            codes[i] = code
        self.codes, self.uniques = codes, uniques

    def __len__(self) -> int:
        return len(self.codes)


def is_null(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not is_null(v)


def _plain(v: Any) -> Any:
    """Turn numpy scalars into Python values."""
    if hasattr(v, "item") and not isinstance(v, (list, tuple, str)) and getattr(v, "ndim", 0) == 0:
        return v.item()
    return v


def _equal(v: Any, lit: Any) -> bool:
    v = _plain(v)
    if lit is None or is_null(v):
        return lit is None and is_null(v)
    if isinstance(lit, bool) or isinstance(v, bool):
        return isinstance(lit, bool) and isinstance(v, bool) and v == lit
    _check_types(v, lit)
    if _is_number(lit):
        return _is_number(v) and v == lit
    return isinstance(v, str) and v == lit


def _order(op: str) -> Callable[[Any, Any], bool]:
    import operator

    fn = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

    def compare(v: Any, lit: Any) -> bool:
        v = _plain(v)
        _check_types(v, lit)
        if _is_number(v) and _is_number(lit):
            return bool(fn(v, lit))
        if isinstance(v, str) and isinstance(lit, str):
            return bool(fn(v, lit))
        return False

    return compare


def _contains(v: Any, lit: Any) -> bool:
    if isinstance(v, str):
        return isinstance(lit, str) and lit in v
    if isinstance(v, (list, tuple)) or (hasattr(v, "tolist") and getattr(v, "ndim", 0) == 1):
        return any(_equal(item, lit) for item in v)
    return False


# -- the tree ------------------------------------------------------------------


@dataclass(frozen=True)
class _Test:
    """A leaf: FIELD <test> literal(s)."""

    field: str
    pred: Callable[[Any], bool]

    def evaluate(self, columns: Mapping[str, Sequence[Any] | Coded], n: int) -> Any:

        values = columns[self.field]
        pred = self.pred
        if isinstance(values, Coded):  # distinct values in order of first row: the same first error
            try:
                hits = np.fromiter((pred(v) for v in values.uniques), dtype=bool, count=len(values.uniques))
            except _TypeMismatch as err:
                raise _TypeMismatch(err.value, err.literal, self.field) from None
            return hits[values.codes]
        seen: dict[Any, bool] = {}  # a column repeats few values (kinds, ranks): test each once

        def test(v: Any) -> bool:
            try:
                key = value_key(v)
                hit = seen.get(key)
            except TypeError:  # not hashable (an array, a nested list)
                return pred(v)
            if hit is None:
                hit = seen[key] = pred(v)
            return hit

        try:
            return np.fromiter((test(v) for v in values), dtype=bool, count=n)
        except _TypeMismatch as err:
            raise _TypeMismatch(err.value, err.literal, self.field) from None


@dataclass(frozen=True)
class _Bool:
    op: str  # and, or, not
    parts: tuple[Any, ...]

    def evaluate(self, columns: Mapping[str, Sequence[Any] | Coded], n: int) -> Any:

        if self.op == "not":
            return ~self.parts[0].evaluate(columns, n)
        out = self.parts[0].evaluate(columns, n)
        for part in self.parts[1:]:
            out = (out & part.evaluate(columns, n)) if self.op == "and" else (out | part.evaluate(columns, n))
        return np.asarray(out, dtype=bool)


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.fields: set[str] = set()

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str, value: str, what: str) -> _Token:
        tok = self.take()
        if tok.kind != kind or tok.value != value:
            raise _FilterSyntax(f"expected {what}, got {_describe(tok)}", tok.pos)
        return tok

    def parse(self) -> Any:
        node = self.or_expr()
        tok = self.peek()
        if tok.kind != "end":
            raise _FilterSyntax(f"expected 'and', 'or' or the end, got {_describe(tok)}", tok.pos)
        return node

    def _chain(self, op: str, sub: Callable[[], Any]) -> Any:
        parts = [sub()]
        while self.peek().kind == "keyword" and self.peek().value == op:
            self.take()
            parts.append(sub())
        return parts[0] if len(parts) == 1 else _Bool(op, tuple(parts))

    def or_expr(self) -> Any:
        return self._chain("or", self.and_expr)

    def and_expr(self) -> Any:
        return self._chain("and", self.not_expr)

    def not_expr(self) -> Any:
        tok = self.peek()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _FilterSyntax(f"nested more than {MAX_DEPTH} levels deep", tok.pos)
        try:
            if tok.kind == "keyword" and tok.value == "not":
                self.take()
                return _Bool("not", (self.not_expr(),))
            if tok.kind == "punct" and tok.value == "(":
                self.take()
                node = self.or_expr()
                self.expect("punct", ")", "')'")
                return node
            return self.comparison()
        finally:
            self.depth -= 1

    def comparison(self) -> Any:
        tok = self.take()
        if tok.kind != "name":
            raise _FilterSyntax(f"expected a field name, got {_describe(tok)}", tok.pos)
        field = tok.value
        self.fields.add(field)
        op = self.take()
        if op.kind == "op":
            lit = self.literal()
            if op.value in ("==", "!="):
                neg = op.value == "!="
                return _Test(field, (lambda v: not _equal(v, lit)) if neg else (lambda v: _equal(v, lit)))
            if lit is None or isinstance(lit, bool):
                raise _FilterSyntax(f"{op.value!r} needs a number or a string, got {lit!r}", op.pos)
            order = _order(op.value)
            return _Test(field, lambda v: order(v, lit))
        negate = False
        if op.kind == "keyword" and op.value == "not":
            negate = True
            op = self.take()
            if not (op.kind == "keyword" and op.value == "in"):
                raise _FilterSyntax(f"expected 'in' after 'not', got {_describe(op)}", op.pos)
        if op.kind == "keyword" and op.value == "in":
            items = self.literal_list()
            return _Test(field, lambda v: any(_equal(v, x) for x in items) != negate)
        if op.kind == "keyword" and op.value == "contains":
            lit = self.literal()
            return _Test(field, lambda v: _contains(v, lit))
        raise _FilterSyntax(
            f"expected an operator (==, !=, <, <=, >, >=, in, not in, contains) after field "
            f"{field!r}, got {_describe(op)}",
            op.pos,
        )

    def literal(self) -> Any:
        tok = self.take()
        if tok.kind != "literal":
            hint = " (quote strings: 'text')" if tok.kind == "name" else ""
            raise _FilterSyntax(
                f"expected a value (string, number, true, false, null){hint}, got {_describe(tok)}", tok.pos
            )
        return tok.value

    def literal_list(self) -> tuple[Any, ...]:
        self.expect("punct", "[", "'[' starting a list of values")
        items: list[Any] = []
        while not (self.peek().kind == "punct" and self.peek().value == "]"):
            items.append(self.literal())
            tok = self.peek()
            if tok.kind == "punct" and tok.value == ",":
                self.take()
            elif not (tok.kind == "punct" and tok.value == "]"):
                raise _FilterSyntax(f"expected ',' or ']' in the list, got {_describe(tok)}", tok.pos)
        self.take()
        return tuple(items)


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return "the end of the filter"
    if tok.kind == "literal":
        return f"value {tok.value!r}"
    return f"{tok.value!r}"


@dataclass(frozen=True)
class Filter:
    """A parsed filter.

    Attributes
    ----------
    text : str
        The filter as written.
    fields : frozenset of str
        The field names it reads.
    """

    text: str
    fields: frozenset[str]
    _root: Any = field(repr=False, compare=False)
    _where: str = field(default="", repr=False, compare=False)

    def evaluate(self, columns: Mapping[str, Sequence[Any] | Coded], n: int | None = None) -> Any:
        """Return a boolean numpy array: which rows match.

        Parameters
        ----------
        columns : mapping of str to sequence
            Field name -> values (a DataFrame works). Every field in
            :attr:`fields` must be present.
        n : int, optional
            The number of rows (taken from the first column when omitted).
        """
        if n is None:
            shape = getattr(columns, "shape", None)
            n = int(shape[0]) if shape is not None else len(next(iter(dict(columns).values()), ()))
        cols = {f: c if isinstance(c := columns[f], Coded) else list(c) for f in self.fields}
        try:
            return self._root.evaluate(cols, n)
        except _TypeMismatch as err:
            kind = "text" if isinstance(err.value, str) else "a number"
            fix = "quote the value" if kind == "text" else "unquote the number"
            raise RuleError(
                f'{self._where}filter "{self.text}": field {err.field!r} holds {kind} ({err.value!r}) but is '
                f"compared with {err.literal!r}; {fix}"
            ) from None

    def matches(self, props: Mapping[str, Any]) -> bool:
        """Return whether one feature's properties match.

        Examples
        --------
        >>> f = parse_filter("tags contains 'industrial_strong_town' and rank != 'seat'")
        >>> f.matches({"tags": ["industrial_strong_town"], "rank": "key"})
        True
        >>> f.matches({"tags": [], "rank": "key"})
        False
        """
        return bool(self.evaluate({f: [props.get(f)] for f in self.fields}, 1)[0])


def parse_filter(
    text: str, *, rule_id: str | None = None, key: str = "where", source: str | None = None
) -> Filter:
    """Parse a filter expression; never evaluates code.

    Parameters
    ----------
    text : str
        The filter, for example ``"kind in ['bonded_zone', 'logistics_park']"``.
    rule_id, key, source : str, optional
        The rule id, the key and the file, named in error messages.

    Returns
    -------
    Filter

    Raises
    ------
    RuleError
        A syntax error, naming the rule, key and character position.

    Examples
    --------
    >>> sorted(parse_filter("kind == 'a' or (rank in ['key', 'seat'] and not score < 2)").fields)
    ['kind', 'rank', 'score']
    >>> parse_filter("__import__('os')", rule_id="r1")
    Traceback (most recent call last):
    ...
    lzspatial.errors.RuleError: rule 'r1': key 'where': bad filter "__import__('os')": expected \
an operator (==, !=, <, <=, >, >=, in, not in, contains) after field '__import__', got '(' at position 10
    """
    where = (f"{source}: " if source else "") + (f"rule {rule_id!r}: " if rule_id else "") + f"key {key!r}: "
    if not isinstance(text, str):
        raise RuleError(f"{where}a filter must be a string, got {text!r}")
    if len(text) > MAX_LENGTH:
        raise RuleError(f"{where}filter is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise RuleError(f"{where}filter is empty; leave the key out to select every feature")
    try:
        parser = _Parser(text)
        root = parser.parse()
    except _FilterSyntax as err:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise RuleError(f'{where}bad filter "{shown}": {err} at position {err.pos}') from err
    return Filter(text, frozenset(parser.fields), root, where)
