"""Type-check a policy's CEL expressions against the model's declarations, when the policy loads.

Like Kubernetes checking a ValidatingAdmissionPolicy against the resource schema: a field the collection does
not declare, or a comparison of a field with a value of another type, is a load error at the expression's
file:line:col with a "did you mean", whether or not the project has items of that collection — never a
silent false or a run-time `policy-error` on some projects only.

The checker is deliberately forgiving where CEL is dynamic: a value of unknown type (`dyn`, a function it
does not know, a heterogeneous list) is accepted everywhere, and a nullable field may be compared with null.
It also records every field each expression reads, for the model reference ("which policies read it").
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from lint.model.declare import Declarations, Record, Type
from lint.policy.cel_ast import (
    Binary,
    Call,
    Comprehension,
    Conditional,
    Expr,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Select,
    Unary,
)

ANY = Type("any")
BOOL = Type("bool")
INT = Type("int")
FLOAT = Type("float")
STRING = Type("string")
NULL = Type("null")

# Names CEL resolves as types (`type(x) == string`, `dyn(x)`), accepted as identifiers of unknown type.
_TYPE_NAMES = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type", "dyn", "timestamp",
     "duration"}
)
# Namespaces of CEL's extension libraries (cel-go ext), which the runtime replint uses does not provide.
_EXTENSIONS = frozenset({"math", "lists", "strings", "sets", "base64", "optional", "encoders", "proto"})
# Return types of the standard functions and methods; anything else is of unknown type.
_RETURNS: dict[str, Type] = {
    "size": INT,
    "int": INT,
    "uint": INT,
    "double": FLOAT,
    "string": STRING,
    "bool": BOOL,
    "startsWith": BOOL,
    "endsWith": BOOL,
    "contains": BOOL,
    "matches": BOOL,
    "lowerAscii": STRING,
    "upperAscii": STRING,
    "lower": STRING,
    "upper": STRING,
    "trim": STRING,
    "replace": STRING,
    "substring": STRING,
    "charAt": STRING,
    "join": STRING,
    "format": STRING,
    "indexOf": INT,
    "lastIndexOf": INT,
    "split": Type("list", (STRING,)),
}


@dataclass(frozen=True)
class Problem:
    offset: int
    length: int
    message: str


@dataclass
class Result:
    errors: list[Problem] = field(default_factory=list)
    reads: set[tuple[str, str]] = field(default_factory=set)  # (record, field)


class _Checker:
    def __init__(self, decl: Declarations, env: dict[str, Type]) -> None:
        self.decl = decl
        self.env = env
        self.out = Result()

    def error(self, node: Expr, length: int, message: str) -> None:
        self.out.errors.append(Problem(node.offset, length, message))

    def infer(self, node: Expr, scope: dict[str, Type]) -> Type:
        if isinstance(node, Literal):
            return _literal_type(node)
        if isinstance(node, Ident):
            return self.ident(node, scope)
        if isinstance(node, Select):
            return self.select(node, scope)
        if isinstance(node, Index):
            return self.index(node, scope)
        if isinstance(node, Call):
            return self.call(node, scope)
        if isinstance(node, Comprehension):
            return self.comprehension(node, scope)
        if isinstance(node, ListExpr):
            kinds = {self.infer(i, scope) for i in node.items}
            return Type("list", (kinds.pop() if len(kinds) == 1 else ANY,))
        if isinstance(node, MapExpr):
            for k, v in node.entries:
                self.infer(k, scope)
                self.infer(v, scope)
            return Type("map", (ANY,))
        if isinstance(node, Unary):
            inner = self.infer(node.operand, scope)
            return BOOL if node.op == "!" else inner
        if isinstance(node, Binary):
            return self.binary(node, scope)
        assert isinstance(node, Conditional)
        self.infer(node.cond, scope)
        then, otherwise = self.infer(node.then, scope), self.infer(node.otherwise, scope)
        return then if then == otherwise else ANY

    def ident(self, node: Ident, scope: dict[str, Type]) -> Type:
        if node.name in scope:
            return scope[node.name]
        if node.name in self.env:
            return self.env[node.name]
        if node.name in _TYPE_NAMES:
            return ANY
        known = sorted({*self.env, *scope})
        self.error(node, len(node.name), f"unknown variable '{node.name}'{_did_you_mean(node.name, known)}"
                   f" (this policy can read: {', '.join(known)})")
        return ANY

    def select(self, node: Select, scope: dict[str, Type]) -> Type:
        base = self.infer(node.operand, scope).without_null()
        return self.member(node, base, node.field)

    def member(self, node: Expr, base: Type, name: str) -> Type:
        if base.kind == "record":
            rec = self.decl.records.get(base.record, self.decl.project)
            found = rec.field(name)
            self.out.reads.add((rec.name, name))
            if found is None:
                self.error(node, len(name), _unknown_field(rec, name, _path(node)))
                return ANY
            return found.type
        if base.kind == "map":
            return base.of[0]
        if base.kind in ("any", "union"):
            return ANY
        self.error(node, len(name), f"'{_path(node)}': {base.describe()} has no field '{name}'")
        return ANY

    def index(self, node: Index, scope: dict[str, Type]) -> Type:
        base = self.infer(node.operand, scope).without_null()
        key = self.infer(node.index, scope)
        if base.kind == "list":
            if key.kind not in ("int", "any"):
                self.error(node, 1, f"a list is indexed by an int, not by {key.describe()}")
            return base.of[0]
        if base.kind == "record" and isinstance(node.index, Literal) and isinstance(node.index.value, str):
            return self.member(node, base, node.index.value)
        if base.kind == "map":
            return base.of[0]
        return ANY

    def call(self, node: Call, scope: dict[str, Type]) -> Type:
        target = node.target
        if isinstance(target, Ident) and target.name in _EXTENSIONS and target.name not in {*scope, *self.env}:
            self.error(target, len(target.name), f"{target.name}.{node.function}(): CEL's '{target.name}' extension "
                       "library is not available in replint, only the standard functions and macros")
            return ANY
        if target is not None:
            self.infer(target, scope)
        for a in node.args:
            self.infer(a, scope)
        return _RETURNS.get(node.function, ANY)

    def comprehension(self, node: Comprehension, scope: dict[str, Type]) -> Type:
        target = self.infer(node.target, scope).without_null()
        if target.kind == "list":
            element = target.of[0]
        elif target.kind == "map":
            element = STRING  # a macro over a map ranges over its keys
        elif target.kind == "any":
            element = ANY
        else:
            self.error(node, len(node.macro), f"{node.macro}() ranges over a list or map, not {target.describe()}")
            element = ANY
        inner = {**scope, node.var: element}
        results = [self.infer(b, inner) for b in node.body]
        if node.macro in ("all", "exists", "exists_one"):
            return BOOL
        if node.macro == "filter":
            return target if target.kind == "list" else Type("list", (ANY,))
        return Type("list", (results[-1],))

    def binary(self, node: Binary, scope: dict[str, Type]) -> Type:
        left, right = self.infer(node.left, scope), self.infer(node.right, scope)
        if node.op in ("&&", "||"):
            return BOOL
        if node.op in ("==", "!="):
            self.compare(node, left, right)
            return BOOL
        if node.op in ("<", "<=", ">", ">="):
            if _definite(left) and _definite(right) and not (_numeric(left) and _numeric(right)) and not (
                left.without_null().kind == right.without_null().kind == "string"
            ):
                self.error(node, len(node.op), f"'{node.op}' compares {_what(node.left, left)} with "
                           f"{_what(node.right, right)}")
            return BOOL
        if node.op == "in":
            base = right.without_null()
            if base.kind == "list" and _definite(left) and _definite(base.of[0]) and not _compatible(left, base.of[0]):
                self.error(node, 2, f"'in' looks for {_what(node.left, left)} in a list of {base.of[0].describe()}")
            return BOOL
        # A nullable operand is taken as its value: policies guard null in the condition, and a null that
        # slips through is a run-time policy-error, not a type error.
        lk, rk = left.without_null(), right.without_null()
        if node.op == "+" and lk.kind == rk.kind and lk.kind in ("string", "list", "int", "float"):
            return lk
        same = lk.kind == rk.kind and lk.kind in ("string", "list") and node.op == "+"
        if _definite(lk) and _definite(rk) and lk.kind != "union" and rk.kind != "union" and not same and not (
            _numeric(lk) and _numeric(rk)
        ):
            verb = {"+": "adds", "-": "subtracts", "*": "multiplies", "/": "divides", "%": "takes the remainder of"}
            self.error(node, len(node.op), f"'{node.op}' {verb.get(node.op, 'combines')} {_what(node.left, left)} "
                       f"and {_what(node.right, right)}: CEL has no such operation")
            return ANY
        return FLOAT if _numeric(left) and _numeric(right) and FLOAT in (left, right) else (
            INT if left == right == INT else ANY
        )

    def compare(self, node: Binary, left: Type, right: Type) -> None:
        if not (_definite(left) and _definite(right)) or _compatible(left, right):
            return
        # Name the field side first: "compares connection.port (int or null) with a string".
        self.error(node, len(node.op), f"'{node.op}' compares {_what(node.left, left)} with "
                   f"{_what(node.right, right)}: the result is always {'false' if node.op == '==' else 'true'}")


def _literal_type(node: Literal) -> Type:
    return {"int": INT, "uint": INT, "double": FLOAT, "string": STRING, "bool": BOOL, "null": NULL}.get(
        node.kind, ANY
    )


def _definite(t: Type) -> bool:
    """A type the checker is sure of (no `dyn` anywhere in it)."""
    if t.kind == "any":
        return False
    return all(_definite(m) for m in t.of)


def _numeric(t: Type) -> bool:
    return t.without_null().kind in ("int", "float")


def _members(t: Type) -> tuple[Type, ...]:
    return t.of if t.kind == "union" else (t,)


def _compatible(a: Type, b: Type) -> bool:
    """Whether values of the two types can ever be equal (numbers compare across int and double)."""
    for x in _members(a):
        for y in _members(b):
            if x.kind == y.kind or (x.kind in ("int", "float") and y.kind in ("int", "float")):
                return True
    return False


def _path(node: Expr) -> str:
    """`connection.role.superuser` for a chain of selections, for messages."""
    if isinstance(node, Ident):
        return node.name
    if isinstance(node, Select):
        return f"{_path(node.operand)}.{node.field}"
    if isinstance(node, Index) and isinstance(node.index, Literal):
        return f"{_path(node.operand)}[{node.index.value!r}]"
    return "the value"


def _what(node: Expr, t: Type) -> str:
    if isinstance(node, Literal):
        if node.kind == "null":
            return "null"
        kind = t.describe()
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} ({node.value!r})"
    return f"{_path(node)} ({t.describe()})"


def _did_you_mean(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unknown_field(rec: Record, name: str, path: str) -> str:
    fields = [f.name for f in rec.fields]
    hint = _did_you_mean(name, fields)
    return f"'{path}': {rec.name} has no field '{name}'{hint or ' (replint list-policies --collections lists them)'}"


def check(expr: Expr, decl: Declarations, env: dict[str, Type]) -> Result:
    checker = _Checker(decl, env)
    checker.infer(expr, {})
    return checker.out


def environment(decl: Declarations, collection: str) -> dict[str, Type]:
    """The variables a policy over `collection` sees: one item, and `project`."""
    c = decl.collection(collection)
    assert c is not None, collection
    return {c.var: Type("record", record=c.item), "project": Type("record", record=decl.project.name)}
