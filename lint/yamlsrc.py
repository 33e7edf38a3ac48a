"""YAML (and JSON) with YAML 1.2-core semantics and a source span for every key and value.

PowerSync parses its config with the npm `yaml` library in `core` (YAML 1.2) mode, so `post_images: off` is
the *string* "off" there. PyYAML's default resolver is YAML 1.1 and would turn it into `False`; we therefore
compose nodes with a 1.2-core resolver and convert them ourselves, which also keeps the marks and means no
Python object is ever constructed from a tag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from lint.span import LineIndex, Span

YamlPath = tuple[str | int, ...]

# Bounds against hostile input (alias bombs, absurd nesting); real configs are a few hundred nodes.
MAX_NODES = 200_000
MAX_DEPTH = 100

ENV_TYPES = ("string", "number", "boolean")


@dataclass(frozen=True)
class EnvRef:
    """`!env NAME[::type]`: a value PowerSync substitutes from its environment at load time."""

    name: str
    type: str = "string"

    @property
    def text(self) -> str:
        return self.name if self.type == "string" else f"{self.name}::{self.type}"


@dataclass(frozen=True)
class Problem:
    """Something a reader could not read. Becomes a `parse-error` (or other reader) finding."""

    kind: str
    message: str
    span: Span


@dataclass(frozen=True)
class Located:
    """A YAML document as plain data plus where each key and value is written."""

    path: str
    data: Any
    spans: dict[YamlPath, Span] = field(default_factory=dict)
    key_spans: dict[YamlPath, Span] = field(default_factory=dict)
    tags: dict[YamlPath, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def at(self, path: YamlPath) -> Span:
        """Span of the value at `path`, or of the nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if p in self.spans:
                return self.spans[p]
            p = p[:-1]
        return self.spans.get((), Span.point(self.path, 1))

    def key_at(self, path: YamlPath) -> Span:
        """Span of the key that introduces `path` (falls back to the value span)."""
        return self.key_spans.get(tuple(path)) or self.at(path)

    def entry_at(self, path: YamlPath) -> Span:
        """From the key to the end of its value: what a reader of `key: value` points at."""
        key = self.key_spans.get(tuple(path))
        value = self.at(path)
        if key is None:
            return value
        return Span(key.path, key.line, key.col, value.end_line, value.end_col)

    def get(self, path: YamlPath, default: Any = None) -> Any:
        node: Any = self.data
        for part in path:
            if isinstance(node, list):
                if not (isinstance(part, int) and 0 <= part < len(node)):
                    return default
                node = node[part]
            elif isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
            else:
                return default
        return node


class _Core12Resolver(BaseResolver):
    """YAML 1.2 core schema: only true/false are booleans, no sexagesimals, no `yes`/`no`/`on`/`off`."""

    # PyYAML keeps resolvers in this class attribute; a fresh dict keeps YAML 1.1's resolvers out.
    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012


_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Core12Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _Loader(Reader, Scanner, Parser, Composer, _Core12Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Core12Resolver.__init__(self)


# YAML also breaks lines at a lone CR, NEL, U+2028 and U+2029; findings count lines the way editors, git and
# GitHub do, by LF only, so marks in a text holding any of those are recomputed from their character offset.
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


class _Positions:
    """0-based (line, column) of a mark, counted by LF."""

    def __init__(self, text: str) -> None:
        self._index = LineIndex(text) if _OTHER_BREAKS.search(text) else None

    def of(self, mark: Mark) -> tuple[int, int]:
        if self._index is None:
            return mark.line, mark.column
        line, col = self._index.position(mark.index)
        return line - 1, col - 1


def _mark_span(path: str, node: Node, positions: _Positions) -> Span:
    (start_line, start_col), (end_line, end_col) = positions.of(node.start_mark), positions.of(node.end_mark)
    end_line += 1
    if end_col == 0 and end_line - 1 > start_line:
        # The node ends at a line break (block scalars): point at the end of the previous line.
        end_line, end_col = end_line - 1, start_col + 1
    return Span(path, start_line + 1, start_col + 1, end_line, max(end_col, 1))


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:int":
        try:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        try:
            return float(value)
        except ValueError:
            return value
    return value


class _Converter:
    def __init__(self, path: str, env_tag: bool, positions: _Positions) -> None:
        self.path = path
        self.positions = positions
        self.env_tag = env_tag
        self.spans: dict[YamlPath, Span] = {}
        self.key_spans: dict[YamlPath, Span] = {}
        self.tags: dict[YamlPath, str] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.stopped = False

    def problem(self, kind: str, message: str, span: Span) -> None:
        self.problems.append(Problem(kind, message, span))

    def convert(self, node: Node, ypath: YamlPath, depth: int) -> Any:
        self.count += 1
        span = _mark_span(self.path, node, self.positions)
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            if not self.stopped:
                self.stopped = True
                what = "nodes" if self.count > MAX_NODES else "levels of nesting"
                limit = MAX_NODES if self.count > MAX_NODES else MAX_DEPTH
                self.problem(
                    "parse",
                    f"document expands to more than {limit} {what} (alias expansion or deep nesting); "
                    "the rest of the file was not read",
                    span,
                )
            return None
        self.spans.setdefault(ypath, span)
        if isinstance(node, ScalarNode):
            return self._convert_scalar(node, ypath, span)
        if isinstance(node, SequenceNode):
            self._check_tag(node, ypath, span, "tag:yaml.org,2002:seq")
            return [self.convert(child, (*ypath, i), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, MappingNode):
            self._check_tag(node, ypath, span, "tag:yaml.org,2002:map")
            return self._convert_mapping(node, ypath, depth)
        return None

    def _check_tag(self, node: Node, ypath: YamlPath, span: Span, default: str) -> None:
        if node.tag != default:
            self.tags[ypath] = node.tag
            if node.tag.startswith("tag:yaml.org,2002:python"):
                self.problem("unsafe-tag", f"tag {node.tag} is not allowed (it would construct a Python object)", span)

    def _convert_scalar(self, node: ScalarNode, ypath: YamlPath, span: Span) -> Any:
        tag = node.tag
        if tag == "!env" and self.env_tag:
            name, _, type_ = str(node.value).strip().partition("::")
            return EnvRef(name=name, type=type_ or "string")
        if tag.startswith("tag:yaml.org,2002:"):
            if tag.startswith("tag:yaml.org,2002:python"):
                self.tags[ypath] = tag
                self.problem("unsafe-tag", f"tag {tag} is not allowed (it would construct a Python object)", span)
                return None
            if tag not in ("tag:yaml.org,2002:str",) and tag.rsplit(":", 1)[-1] not in (
                "bool",
                "null",
                "int",
                "float",
                "str",
            ):
                self.tags[ypath] = tag
            return _scalar(node)
        # Local tags other than !env: keep the text, remember the tag for the reader to judge.
        self.tags[ypath] = tag
        return node.value

    def _convert_mapping(self, node: MappingNode, ypath: YamlPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_span = _mark_span(self.path, key_node, self.positions)
            if not isinstance(key_node, ScalarNode):
                self.problem("parse", "mapping keys must be plain scalars", key_span)
                continue
            raw = _scalar(key_node)
            key = str(raw).lower() if isinstance(raw, bool) else ("null" if raw is None else str(raw))
            if key in out:
                self.problem("parse", f"duplicate key '{key}' (YAML 1.2 requires unique keys)", key_span)
                continue
            child = (*ypath, key)
            self.key_spans[child] = key_span
            out[key] = self.convert(value_node, child, depth + 1)
        return out


def load_located(path: str, text: str, *, env_tag: bool = True) -> Located:
    """Parse one YAML/JSON document. Never raises for bad input: problems are returned instead."""
    docs = _compose(path, text, many=False, env_tag=env_tag)
    return docs[0] if docs else Located(path, None)


def load_all_located(path: str, text: str, *, env_tag: bool = True) -> list[Located]:
    """Every `---` document of a YAML stream (Kubernetes-style manifests hold several), in order.

    A syntax error anywhere yields a single document carrying the problem: PyYAML cannot resume after it.
    """
    return _compose(path, text, many=True, env_tag=env_tag)


def _json_tabs_as_spaces(text: str) -> str:
    """JSON allows tabs between tokens, YAML does not indent with them, and PyYAML reads JSON as YAML: an editor's
    tab-indented connector config would be a syntax error. A raw tab cannot occur inside a JSON string, so in a
    JSON document every tab is whitespace; one space for one tab keeps every offset, line and column."""
    head = text.lstrip(" \t\r\n\ufeff")[:1]
    return text.replace("\t", " ") if head in ("{", "[") and "\t" in text else text


def _compose(path: str, text: str, *, many: bool, env_tag: bool) -> list[Located]:
    text = _json_tabs_as_spaces(text)
    try:
        if many:
            nodes: list[Node | None] = list(yaml.compose_all(text, Loader=_Loader))  # type: ignore[arg-type]
        else:
            single: Node | None = yaml.compose(text, Loader=_Loader)  # type: ignore[arg-type]
            nodes = [single]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (1, 1)
        if mark is not None:
            line, col = (n + 1 for n in _Positions(text).of(mark))
        # Only the problem description: str(exc) would quote the offending source line, which may hold a secret.
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        return [
            Located(
                path,
                None,
                problems=(Problem("parse", f"YAML syntax error: {what}", Span.point(path, line, col)),),
            )
        ]
    except yaml.YAMLError as exc:  # reader errors (bad characters) carry a position too
        pos = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, pos) + 1
        return [
            Located(
                path,
                None,
                problems=(Problem("parse", "YAML could not be read: invalid characters", Span.point(path, line)),),
            )
        ]
    except RecursionError:
        return [
            Located(path, None, problems=(Problem("parse", "YAML nesting is too deep to read", Span.point(path, 1)),))
        ]
    out: list[Located] = []
    positions = _Positions(text)
    for node in nodes:
        if node is None:
            continue
        conv = _Converter(path, env_tag, positions)
        data = conv.convert(node, (), 0)
        out.append(Located(path, data, conv.spans, conv.key_spans, conv.tags, tuple(conv.problems)))
    return out


def describe_type(value: object) -> str:
    """What kind of YAML value this is, for messages ("a string", "!env ::number") — never the value itself."""
    if value is None:
        return "null"
    if isinstance(value, EnvRef):
        return f"!env ::{value.type}"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def walk_env_refs(data: Any, ypath: YamlPath = ()) -> Iterator[tuple[YamlPath, EnvRef]]:
    """Every `!env` value in a document, with its path."""
    if isinstance(data, EnvRef):
        yield ypath, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from walk_env_refs(v, (*ypath, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from walk_env_refs(v, (*ypath, i))
