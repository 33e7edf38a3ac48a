"""Plain data for the cache: replint's frozen dataclasses to JSON text and back, checked against their types.

Why not pickle: reading a pickle runs whatever the pickle names, so a cache file someone else wrote (or a
symlink planted where the cache lives) would run their code. Here decoding is driven by the type the caller
expects: an entry can only become instances of the classes that type's annotations reach, built through their
constructors from strings, numbers, booleans and lists, and anything else — a wrong type, a missing field, a
class the type does not reach, a number too long to convert — is a `PlainError`, which the cache treats as a
miss.

Encoding, for JSON's few shapes:
- a dataclass is a list: its class name, then its fields in declaration order (the name picks the subclass where
  the declared type is a base class, e.g. a `tuple[Event, ...]` of `RoleCreate`, `PrivGrant`, ...);
- tuples, lists and frozensets are lists; a dict is a list of [key, value] pairs (keys need not be strings);
- an enum is its value; a path is its string; str, int, float, bool and None are themselves.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import types
from collections.abc import Callable
from functools import cache
from pathlib import Path, PurePath
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

T = TypeVar("T")

_Decode = Callable[[Any], Any]


class PlainError(ValueError):
    """The data is not a value of the expected type."""


def dumps(value: object) -> bytes:
    """JSON text of a value built from dataclasses, containers, enums, paths and scalars."""
    # ensure_ascii keeps lone surrogates (undecodable file names) as \\udcXX escapes that loads gives back.
    return json.dumps(_encode(value), ensure_ascii=True, separators=(",", ":")).encode("ascii")


def loads(data: bytes, expected: type[T]) -> T:
    """The value `dumps` wrote, as an instance of `expected`; `PlainError` when the data is anything else."""
    try:
        raw = json.loads(data)
        value = _decoder(expected)(raw)
    except PlainError:
        raise
    except (ValueError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        # Malformed JSON, a 5,000-digit number, nesting deeper than the parser allows, a constructor refusing
        # its arguments: all mean "not what was written", never an error of the run.
        raise PlainError(f"{type(exc).__name__}: {exc}") from None
    return value  # type: ignore[no-any-return]


# -- encoding ------------------------------------------------------------------------------------------------


def _encode(value: object) -> Any:
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind in (tuple, list, frozenset, set):
        return [_encode(v) for v in value]  # type: ignore[attr-defined]
    if kind is dict:
        return [[_encode(k), _encode(v)] for k, v in value.items()]  # type: ignore[attr-defined]
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [kind.__qualname__, *(_encode(getattr(value, name)) for name in _field_names(kind))]
    raise PlainError(f"cannot store a {kind.__name__}")


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


# -- decoding, compiled once per type -------------------------------------------------------------------------


_DECODERS: dict[object, _Decode] = {}


def _decoder(hint: object) -> _Decode:
    found = _DECODERS.get(hint)
    if found is None:
        found = _DECODERS[hint] = _compile(hint)
    return found


def _compile(hint: Any) -> _Decode:
    origin = get_origin(hint)
    args = get_args(hint)
    if hint is type(None):
        return _exactly(type(None))
    if hint in (str, bool):
        return _exactly(hint)
    if hint is int:
        return _exactly(int)  # not bool, which JSON keeps apart
    if hint is float:
        return _float
    if origin is Literal:
        return _one_of(frozenset(args))
    if origin in (Union, types.UnionType):
        return _union(tuple(_decoder(a) for a in args), type(None) in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(_decoder(args[0]), tuple)
        return _fixed(tuple(_decoder(a) for a in args))
    if origin in (list, frozenset):
        return _sequence(_decoder(args[0]), origin)
    if origin is dict:
        return _mapping(_decoder(args[0]), _decoder(args[1]))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type) and issubclass(hint, PurePath):
        return lambda raw: Path(_exactly(str)(raw))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    # Any, object, a bare container, a callable: nothing to check a value against, so nothing may be stored there.
    raise TypeError(f"lint.plain cannot decode values of type {hint!r}")


def _exactly(kind: type) -> _Decode:
    def check(raw: Any) -> Any:
        if type(raw) is not kind:
            raise PlainError(f"expected {kind.__name__}, found {type(raw).__name__}")
        return raw

    return check


def _float(raw: Any) -> float:
    if type(raw) not in (int, float):
        raise PlainError(f"expected a number, found {type(raw).__name__}")
    return float(raw)


def _one_of(allowed: frozenset[object]) -> _Decode:
    def check(raw: Any) -> Any:
        if type(raw) not in (str, int, bool) or raw not in allowed:
            raise PlainError(f"unexpected value {raw!r}")
        return raw

    return check


def _union(options: tuple[_Decode, ...], nullable: bool) -> _Decode:
    def pick(raw: Any) -> Any:
        if raw is None and nullable:
            return None
        for option in options:
            try:
                return option(raw)
            except PlainError:
                continue
        raise PlainError("matches none of the declared types")

    return pick


def _sequence(item: _Decode, make: Callable[[Any], Any]) -> _Decode:
    def build(raw: Any) -> Any:
        if type(raw) is not list:
            raise PlainError(f"expected a list, found {type(raw).__name__}")
        return make([item(v) for v in raw])

    return build


def _fixed(items: tuple[_Decode, ...]) -> _Decode:
    def build(raw: Any) -> Any:
        if type(raw) is not list or len(raw) != len(items):
            raise PlainError(f"expected a list of {len(items)}")
        return tuple(dec(v) for dec, v in zip(items, raw, strict=True))

    return build


def _mapping(key: _Decode, value: _Decode) -> _Decode:
    def build(raw: Any) -> Any:
        if type(raw) is not list:
            raise PlainError(f"expected a list of pairs, found {type(raw).__name__}")
        out = {}
        for pair in raw:
            if type(pair) is not list or len(pair) != 2:
                raise PlainError("expected a [key, value] pair")
            out[key(pair[0])] = value(pair[1])
        return out

    return build


def _enum(kind: type[enum.Enum]) -> _Decode:
    members = {m.value: m for m in kind}

    def build(raw: Any) -> Any:
        if type(raw) not in (str, int) or raw not in members:
            raise PlainError(f"not a {kind.__name__}: {raw!r}")
        return members[raw]

    return build


def _dataclass(base: type) -> _Decode:
    # Field decoders are looked up on first use: dataclasses may refer to each other (or to themselves).
    classes = {cls.__qualname__: cls for cls in _dataclass_family(base)}

    def build(raw: Any) -> Any:
        if type(raw) is not list or not raw or type(raw[0]) is not str:
            raise PlainError(f"expected a {base.__qualname__}")
        cls = classes.get(raw[0])
        if cls is None:
            raise PlainError(f"{raw[0]!r} is not a {base.__qualname__}")
        fields = _fields_of(cls)
        if len(raw) != len(fields) + 1:
            raise PlainError(f"{cls.__qualname__} has {len(fields)} fields, found {len(raw) - 1}")
        return cls(*(dec(v) for dec, v in zip(fields, raw[1:], strict=True)))

    return build


def _dataclass_family(base: type) -> list[type]:
    """`base` and its dataclass subclasses, which a field declared as `base` may hold."""
    family = [base]
    for cls in family:
        subs: list[type] = cls.__subclasses__()
        family.extend(sub for sub in subs if dataclasses.is_dataclass(sub) and sub not in family)
    return family


@cache
def _fields_of(cls: type) -> tuple[_Decode, ...]:
    hints = get_type_hints(cls)
    fields = dataclasses.fields(cls)
    if any(not f.init for f in fields):
        raise TypeError(f"lint.plain needs every field of {cls.__qualname__} in its constructor")
    return tuple(_decoder(hints[f.name]) for f in fields)
