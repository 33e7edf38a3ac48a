"""Reading the collection declarations: field types and meanings as data.

`lint.model.collections` declares every collection once, as `TypedDict` records whose fields are
`Annotated[type, "meaning"]`. mypy checks the places items are built against those records; this module turns
the same declarations into plain data (`Collection`, `Record`, `Field`, `Type`) for everything else that needs
them: the list of collections, the policy type-checker, `schemas/model.schema.json`, the model reference page,
`list-policies --collections` and `replint model`.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

Kind = Literal["string", "int", "float", "bool", "null", "list", "map", "record", "any", "union"]


@dataclass(frozen=True)
class Type:
    """A field's type as a policy sees it (CEL's view of the plain data: string, int, bool, list, map, …)."""

    kind: Kind
    of: tuple[Type, ...] = ()  # list: (element,); map: (value,); union: members
    record: str = ""  # kind "record": the record's name

    def describe(self) -> str:
        if self.kind == "list":
            return f"list of {self.of[0].describe()}"
        if self.kind == "map":
            return f"map of string to {self.of[0].describe()}"
        if self.kind == "record":
            return self.record
        if self.kind == "union":
            return " or ".join(t.describe() for t in self.of)
        return self.kind

    @property
    def nullable(self) -> bool:
        return self.kind == "null" or (self.kind == "union" and any(t.kind == "null" for t in self.of))

    def without_null(self) -> Type:
        if self.kind != "union":
            return self
        rest = tuple(t for t in self.of if t.kind != "null")
        return rest[0] if len(rest) == 1 else Type("union", rest)


@dataclass(frozen=True)
class Field:
    name: str
    type: Type
    meaning: str


@dataclass(frozen=True)
class Record:
    name: str
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


@dataclass(frozen=True)
class Meta:
    """The annotation on a collection of `Collections`: the CEL variable for one item, and what an item is."""

    var: str
    doc: str
    live: bool = False


@dataclass(frozen=True)
class Collection:
    name: str
    var: str
    doc: str
    live: bool
    item: str  # the record's name


_SCALARS: dict[Any, Kind] = {str: "string", int: "int", float: "float", bool: "bool", type(None): "null"}


def _type_of(hint: Any, records: dict[str, type]) -> Type:
    origin = get_origin(hint)
    if origin is typing.Annotated:
        return _type_of(get_args(hint)[0], records)
    if hint in _SCALARS:
        return Type(_SCALARS[hint])
    if hint is Any or hint is object:
        return Type("any")
    if origin in (Union, types.UnionType):
        return Type("union", tuple(_type_of(a, records) for a in get_args(hint)))
    if origin is list:
        return Type("list", (_type_of(get_args(hint)[0], records),))
    if origin is dict:
        return Type("map", (_type_of(get_args(hint)[1], records),))
    if typing.is_typeddict(hint):
        records[hint.__name__] = hint
        return Type("record", record=hint.__name__)
    raise TypeError(f"model declaration: unsupported field type {hint!r}")


def _meaning(hint: Any, owner: str, name: str) -> str:
    extras = getattr(hint, "__metadata__", ())
    texts = [e if isinstance(e, str) else e.doc for e in extras if isinstance(e, str | Meta)]
    if not texts or not texts[0].strip():
        raise TypeError(f"model declaration: {owner}.{name} has no meaning (Annotated[type, 'meaning'])")
    return texts[0]


def _doc(cls: type) -> str:
    return " ".join((cls.__doc__ or "").split())


@dataclass(frozen=True)
class Declarations:
    collections: tuple[Collection, ...]
    records: dict[str, Record]
    project: Record  # the `project` variable

    def collection(self, name: str) -> Collection | None:
        for c in self.collections:
            if c.name == name:
                return c
        return None

    def item(self, collection: str) -> Record:
        c = self.collection(collection)
        assert c is not None, collection
        return self.records[c.item]


def _record(cls: type, pending: dict[str, type]) -> Record:
    hints = get_type_hints(cls, include_extras=True)
    fields = tuple(Field(n, _type_of(h, pending), _meaning(h, cls.__name__, n)) for n, h in hints.items())
    return Record(cls.__name__, _doc(cls), fields)


def read(collections: type, project: type) -> Declarations:
    """Turn the `Collections` TypedDict (one field per collection) into data, with every record it reaches."""
    out: list[Collection] = []
    pending: dict[str, type] = {}
    for name, hint in get_type_hints(collections, include_extras=True).items():
        meta = next((m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Meta)), None)
        if meta is None:
            raise TypeError(f"model declaration: collection {name} has no Meta annotation")
        t = _type_of(hint, pending)
        if t.kind != "list" or t.of[0].kind != "record":
            raise TypeError(f"model declaration: collection {name} must be a list of a record type")
        out.append(Collection(name, meta.var, meta.doc, meta.live, t.of[0].record))
    records: dict[str, Record] = {}
    while pending:
        name, cls = pending.popitem()
        if name not in records:
            records[name] = _record(cls, pending)
    return Declarations(tuple(out), records, _record(project, {}))


def reachable(root: type) -> tuple[Record, dict[str, Record]]:
    """A record and every record its fields reach, by name (for a JSON schema of a whole document)."""
    pending: dict[str, type] = {}
    top = _record(root, pending)
    records: dict[str, Record] = {}
    while pending:
        name, cls = pending.popitem()
        if name not in records and name != top.name:
            records[name] = _record(cls, pending)
    return top, records


def violations(decl: Declarations, collections: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Where built items differ from their declaration (missing or undeclared keys, wrong value types).
    The test suite runs this on every project it builds; mypy checks the build sites statically."""
    out: list[str] = []
    for c in decl.collections:
        for i, item in enumerate(collections.get(c.name, [])):
            out.extend(_check_record(decl, decl.records[c.item], item, f"{c.name}[{i}]"))
    extra = sorted(set(collections) - {c.name for c in decl.collections})
    out.extend(f"undeclared collection {name}" for name in extra)
    return out


def record_violations(decl: Declarations, rec: Record, value: dict[str, Any], where: str) -> list[str]:
    return _check_record(decl, rec, value, where)


@cache
def _python_kinds() -> dict[Kind, tuple[type, ...]]:
    return {"string": (str,), "int": (int,), "float": (float, int), "bool": (bool,), "list": (list,), "map": (dict,)}


def _check_record(decl: Declarations, rec: Record, value: Any, where: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: {type(value).__name__} where a {rec.name} map belongs"]
    out: list[str] = []
    declared = {f.name for f in rec.fields}
    out.extend(f"{where}: undeclared field {k} in {rec.name}" for k in sorted(set(value) - declared))
    for f in rec.fields:
        if f.name not in value:
            out.append(f"{where}: missing field {rec.name}.{f.name}")
        else:
            out.extend(_check_value(decl, f.type, value[f.name], f"{where}.{f.name}"))
    return out


def _check_value(decl: Declarations, t: Type, value: Any, where: str) -> list[str]:
    if t.kind == "any":
        return []
    if t.kind == "null":
        return [] if value is None else [f"{where}: {type(value).__name__} where null belongs"]
    if t.kind == "union":
        results = [_check_value(decl, m, value, where) for m in t.of]
        return [] if any(not r for r in results) else [f"{where}: {_shape(value)} is not {t.describe()}"]
    if t.kind == "record":
        return _check_record(decl, decl.records[t.record], value, where)
    if t.kind == "bool" and not isinstance(value, bool):
        return [f"{where}: {_shape(value)} where bool belongs"]
    if t.kind in ("int", "float") and isinstance(value, bool):
        return [f"{where}: bool where {t.kind} belongs"]
    if not isinstance(value, _python_kinds()[t.kind]):
        return [f"{where}: {_shape(value)} where {t.describe()} belongs"]
    if isinstance(value, list):
        return [e for i, v in enumerate(value) for e in _check_value(decl, t.of[0], v, f"{where}[{i}]")]
    if isinstance(value, dict):
        return [e for k, v in value.items() for e in _check_value(decl, t.of[0], v, f"{where}[{k!r}]")]
    return []


def _shape(value: Any) -> str:
    return "null" if value is None else type(value).__name__
