"""A parser for CEL expressions, for checking policies before they run (not for running them).

The CEL runtime replint uses compiles an expression without telling what it reads, so a policy that reads
`role.superuserr` loads fine and only fails on a project that has roles. This parser follows the grammar of
https://github.com/google/cel-spec/blob/master/doc/langdef.md (operators, precedence, literals, member
access, calls and the standard macros) and keeps the offset of every node, so `lint.policy.check` can point
at the exact token. It never evaluates anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal as TypingLiteral
from typing import NamedTuple


class CelSyntaxError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


LiteralKind = TypingLiteral["int", "uint", "double", "string", "bytes", "bool", "null"]


@dataclass(frozen=True)
class Node:
    offset: int  # where the node's own token starts in the expression text


@dataclass(frozen=True)
class Literal(Node):
    kind: LiteralKind
    value: object


@dataclass(frozen=True)
class Ident(Node):
    name: str


@dataclass(frozen=True)
class Select(Node):
    operand: Expr
    field: str
    test_only: bool = False  # has(x.f)


@dataclass(frozen=True)
class Index(Node):
    operand: Expr
    index: Expr


@dataclass(frozen=True)
class Call(Node):
    function: str
    args: tuple[Expr, ...]
    target: Expr | None = None  # x.f(args): the receiver


@dataclass(frozen=True)
class Comprehension(Node):
    """A macro over a list or map: all, exists, exists_one, map, filter."""

    macro: str
    target: Expr
    var: str
    body: tuple[Expr, ...]  # map(x, p, e) has a filter and a transform


@dataclass(frozen=True)
class ListExpr(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class MapExpr(Node):
    entries: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Conditional(Node):
    cond: Expr
    then: Expr
    otherwise: Expr


Expr = Literal | Ident | Select | Index | Call | Comprehension | ListExpr | MapExpr | Unary | Binary | Conditional

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
MAX_DEPTH = 60  # nesting beyond this is refused (each level is ~10 Python frames), never a RecursionError


class _Tok(NamedTuple):  # a tuple: the tokenizer makes thousands, a frozen dataclass is slower to build
    kind: str  # "id", "int", "uint", "double", "string", "bytes", "op", "end"
    text: str
    offset: int
    value: object = None


_OCTAL_OR_CODE = re.compile(r"x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2}")
_PLAIN = {'"': re.compile(r'[^"\\\n]+'), "'": re.compile(r"[^'\\\n]+")}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "`": "`", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v", "?": "?"}


def _string(text: str, at: int) -> tuple[str, int, bool]:
    """Decode the string literal starting at `at`: (value, end offset, is bytes)."""
    i = at
    raw = is_bytes = False
    while i < len(text) and text[i] in "rRbB":
        raw |= text[i] in "rR"
        is_bytes |= text[i] in "bB"
        i += 1
    quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else text[i]
    i += len(quote)
    out: list[str] = []
    while True:
        if i >= len(text):
            raise CelSyntaxError("unterminated string", at)
        if text.startswith(quote, i):
            return "".join(out), i + len(quote), is_bytes
        plain = _PLAIN[quote[0]].match(text, i)
        if plain is not None and (len(quote) == 1 or quote[0] not in plain.group()):
            out.append(plain.group())
            i = plain.end()
            continue
        ch = text[i]
        if ch == "\n" and len(quote) == 1:
            raise CelSyntaxError("line break in a string (use a triple-quoted string)", at)
        if ch == "\\" and not raw:
            nxt = text[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            m = _OCTAL_OR_CODE.match(text, i + 1)
            if m is None:
                raise CelSyntaxError(f"invalid escape \\{nxt}", i)
            code = m.group()
            out.append(chr(int(code, 8) if code[0].isdigit() else int(code[1:], 16)))
            i = m.end()
            continue
        out.append(ch)
        i += 1


_TOKEN = re.compile(
    r"""(?P<space>(?:\s+|//[^\n]*)+)
    |(?P<str>[rRbB]{0,2}["'])
    |(?P<double>\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\.\d+(?:[eE][+-]?\d+)?)
    |(?P<hex>0[xX][0-9a-fA-F]+[uU]?)
    |(?P<int>\d+[uU]?)
    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op>\|\||&&|==|!=|<=|>=|[<>+\-*/%!?:.,()\[\]{}])""",
    re.X,
)


def tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    match = _TOKEN.match
    while i < n:
        m = match(text, i)
        if m is None:
            raise CelSyntaxError(f"unexpected character {text[i]!r}", i)
        kind = m.lastgroup
        if kind == "space":
            i = m.end()
            continue
        if kind == "str":
            value, end, is_bytes = _string(text, i)
            out.append(_Tok("bytes" if is_bytes else "string", text[i:end], i, value))
            i = end
            continue
        word = m.group()
        if kind == "double":
            out.append(_Tok("double", word, i, float(word)))
        elif kind in ("hex", "int"):
            unsigned = word[-1] in "uU"
            digits = word[:-1] if unsigned else word
            out.append(_Tok("uint" if unsigned else "int", word, i, int(digits, 16 if kind == "hex" else 10)))
        else:
            out.append(_Tok(kind or "op", word, i))
        i = m.end()
    out.append(_Tok("end", "", n))
    return out


# Binary operators by precedence (CEL: || < && < relations < + - < * / %), parsed by precedence climbing.
_PRECEDENCE: dict[str, int] = {
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3, "in": 3,
    "+": 4, "-": 4, "*": 5, "/": 5, "%": 5,
}



class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = tokens(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def at(self, text: str) -> bool:
        tok = self.toks[self.i]
        return tok.text == text and tok.kind == "op"

    def take(self, text: str) -> _Tok:
        if not self.at(text):
            found = self.tok.text or "the end"
            raise CelSyntaxError(f"expected '{text}' but found {found!r}", self.tok.offset)
        tok = self.tok
        self.i += 1
        return tok

    def parse(self) -> Expr:
        expr = self.expr()
        if self.tok.kind != "end":
            raise CelSyntaxError(f"unexpected {self.tok.text!r}", self.tok.offset)
        return expr

    def expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CelSyntaxError(f"expression nested more than {MAX_DEPTH} deep", self.tok.offset)
        try:
            cond = self.binary(1)
            if self.at("?"):
                at = self.take("?").offset
                then = self.binary(1)
                self.take(":")
                return Conditional(at, cond, then, self.expr())
            return cond
        finally:
            self.depth -= 1

    def binary(self, min_prec: int) -> Expr:
        left = self.unary()
        while True:
            tok = self.tok
            prec = _PRECEDENCE.get(tok.text, 0) if tok.kind in ("op", "id") else 0
            if tok.kind == "id" and tok.text != "in":
                prec = 0
            if prec == 0 or prec < min_prec:
                return left
            self.i += 1
            left = Binary(tok.offset, tok.text, left, self.binary(prec + 1))

    def unary(self) -> Expr:
        if self.at("!") or self.at("-"):
            tok = self.tok
            self.i += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise CelSyntaxError(f"expression nested more than {MAX_DEPTH} deep", tok.offset)
            try:
                return Unary(tok.offset, tok.text, self.unary())
            finally:
                self.depth -= 1
        return self.member()

    def member(self) -> Expr:
        expr = self.primary()
        while True:
            if self.at("."):
                self.i += 1
                name = self.ident()
                if self.at("("):
                    args = self.args(")")
                    expr = self.method(expr, name, args)
                else:
                    expr = Select(name.offset, expr, name.text)
            elif self.at("["):
                at = self.take("[").offset
                index = self.expr()
                self.take("]")
                expr = Index(at, expr, index)
            else:
                return expr

    def method(self, target: Expr, name: _Tok, args: list[Expr]) -> Expr:
        if name.text in MACROS and len(args) in (2, 3) and isinstance(args[0], Ident):
            if len(args) == 3 and name.text != "map":
                raise CelSyntaxError(f"{name.text}() takes a variable and one expression", name.offset)
            return Comprehension(name.offset, name.text, target, args[0].name, tuple(args[1:]))
        return Call(name.offset, name.text, tuple(args), target)

    def ident(self) -> _Tok:
        if self.tok.kind != "id":
            raise CelSyntaxError(f"expected a name but found {self.tok.text or 'the end'!r}", self.tok.offset)
        tok = self.tok
        self.i += 1
        return tok

    def args(self, close: str) -> list[Expr]:
        self.take("(" if close == ")" else "[")
        out: list[Expr] = []
        while not self.at(close):
            out.append(self.expr())
            if not self.at(close):
                self.take(",")
        self.take(close)
        return out

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "op":
            if tok.text == "(":
                self.i += 1
                inner = self.expr()
                self.take(")")
                return inner
            if tok.text == "[":
                return ListExpr(tok.offset, tuple(self.args("]")))
            if tok.text == "{":
                return self.map_literal()
            if tok.text == ".":  # a leading dot names the root namespace
                self.i += 1
                return self.primary()
            raise CelSyntaxError(f"unexpected {tok.text!r}", tok.offset)
        self.i += 1
        if tok.kind in ("int", "uint", "double", "string", "bytes"):
            return Literal(tok.offset, tok.kind, tok.value)  # type: ignore[arg-type]
        if tok.kind == "end":
            raise CelSyntaxError("the expression ends too early", tok.offset)
        if tok.text in ("true", "false"):
            return Literal(tok.offset, "bool", tok.text == "true")
        if tok.text == "null":
            return Literal(tok.offset, "null", None)
        if self.at("("):
            args = self.args(")")
            if tok.text == "has":
                if len(args) != 1 or not isinstance(args[0], Select):
                    raise CelSyntaxError("has() takes one field selection, such as has(item.field)", tok.offset)
                sel = args[0]
                return Select(sel.offset, sel.operand, sel.field, test_only=True)
            return Call(tok.offset, tok.text, tuple(args))
        return Ident(tok.offset, tok.text)

    def map_literal(self) -> Expr:
        at = self.take("{").offset
        entries: list[tuple[Expr, Expr]] = []
        while not self.at("}"):
            key = self.expr()
            self.take(":")
            entries.append((key, self.expr()))
            if not self.at("}"):
                self.take(",")
        self.take("}")
        return MapExpr(at, tuple(entries))


# The CEL runtime evaluates recursively in native code: a chain of 20,000 `+` crashes the process (a segfault,
# no Python error to catch). Built-in policies are at most 23 levels high; anything above this is refused.
MAX_HEIGHT = 200


def children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Conditional):
        return (node.cond, node.then, node.otherwise)
    if isinstance(node, Unary | Select):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return (*node.args, *((node.target,) if node.target is not None else ()))
    if isinstance(node, Comprehension):
        return (node.target, *node.body)
    if isinstance(node, ListExpr):
        return node.items
    if isinstance(node, MapExpr):
        return tuple(x for kv in node.entries for x in kv)
    return ()


def height(node: Expr) -> int:
    """Levels of the tree, counted without recursion (the tree may be very deep)."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in children(current))
    return best


def parse(text: str) -> Expr:
    tree = _Parser(text).parse()
    levels = height(tree)
    if levels > MAX_HEIGHT:
        raise CelSyntaxError(
            f"the expression is {levels} levels deep; replint evaluates at most {MAX_HEIGHT} (split it up)", 0
        )
    return tree
