"""Policy files: load, validate against schemas/policy.schema.json, compile every CEL expression once.

A bad policy file is a usage error with file:line (exit 2), never skipped: a linter that silently drops a
check gives a false all-clear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lint.findings.finding import Severity
from lint.model.items import COLLECTIONS
from lint.resources import policies_dir, schema_path
from lint.span import Span
from lint.yamlsrc import Located, load_located


class PolicyError(Exception):
    """A policy file cannot be used. `errors` are (span, message) pairs."""

    def __init__(self, errors: list[tuple[Span, str]]) -> None:
        super().__init__("; ".join(f"{s.path}:{s.line}:{s.col}: {m}" for s, m in errors))
        self.errors = errors


@dataclass(frozen=True)
class Program:
    """A compiled CEL expression with the place it was written, for runtime error reports."""

    source: str
    compiled: Any
    span: Span
    uses_project: bool
    tree: Any = None  # lint.policy.cel_ast's parse, read before the runtime ever sees the text


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    severity: Severity
    for_each: str
    var: str
    condition: Program
    message: Program
    severity_when: tuple[tuple[Program, Severity], ...]
    location: Program | None
    related: Program | None
    fingerprint: Program | None
    fix: Program | None
    rationale: str
    remediation: str
    references: tuple[str, ...]
    examples: dict[str, Any]  # {bad|good: {description?, files: {path: content}}}
    aliases: tuple[str, ...]
    path: str  # where the file is (for messages)
    builtin: bool
    suppressible: bool = True  # False: inline `replint: ignore[...]` comments cannot silence it
    reads: frozenset[tuple[str, str]] = frozenset()  # (record, field) its expressions read, from the type-check


@cache
def _policy_schema() -> dict[str, Any]:
    with open(schema_path("policy.schema.json"), encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


# Far above any real policy (the longest built-in expression is a few thousand characters): a bigger one is
# refused before the CEL compiler sees it.
MAX_EXPRESSION_CHARS = 20_000


def _compile(doc: Located, key: tuple[str | int, ...], source: str, errors: list[tuple[Span, str]]) -> Program | None:
    from lint.policy.celrt import cel as runtime

    if len(source) > MAX_EXPRESSION_CHARS:
        errors.append((doc.at(key), f"{'.'.join(map(str, key))}: expression longer than {MAX_EXPRESSION_CHARS} "
                       "characters; split the policy"))
        return None

    from lint.policy.cel_ast import CelSyntaxError, parse

    span = doc.at(key)
    try:  # parsed and bounded first: the runtime's own parser and evaluator are native code
        tree = parse(source)
    except CelSyntaxError as exc:
        errors.append((span, f"{'.'.join(map(str, key))}: CEL does not compile: {exc}"))
        return None
    cel = runtime()
    try:
        compiled = cel.compile(source)
    except (ValueError, RuntimeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid expression"
        errors.append((span, f"{'.'.join(map(str, key))}: CEL does not compile: {first}"))
        return None
    try:
        uses_project = "project" in compiled.variables()
    except Exception:
        uses_project = True
    return Program(source, compiled, span, uses_project, tree)


def _type_check(
    text: str, for_each: str, key: tuple[str | int, ...], program: Program, errors: list[tuple[Span, str]]
) -> frozenset[tuple[str, str]]:
    """Check one expression against the collection's declared fields; returns the (record, field) pairs it reads."""
    from lint.model.items import DECLARED
    from lint.policy.check import check, environment

    label = ".".join(map(str, key))
    result = check(program.tree, DECLARED, environment(DECLARED, for_each))  # parsed by _compile
    for err in result.errors:
        errors.append((locate(text, program.span, program.source, err.offset, err.length), f"{label}: {err.message}"))
    return frozenset(result.reads)


def locate(text: str, span: Span, source: str, offset: int, length: int) -> Span:
    """The file position of `source[offset:offset+length]`, where `source` is the YAML value at `span`.

    A folded or quoted scalar's text differs from the file's (line breaks folded, escapes decoded), so the
    token is found by its text: the n-th occurrence in the expression is the n-th in the value's lines."""
    token = source[offset : offset + max(length, 1)]
    nth = source.count(token, 0, offset) if token.strip() else 0
    lines = text.splitlines()
    start = span.line - 1
    for i in range(start, min(span.end_line, len(lines))):
        line = lines[i]
        col = (span.col - 1) if i == start else 0
        while True:
            col = line.find(token, col)
            if col < 0:
                break
            if nth == 0:
                return Span(span.path, i + 1, col + 1, i + 1, col + len(token))
            nth -= 1
            col += len(token)
    return span


def load_policy_file(path: Path, display: str, *, builtin: bool) -> Policy:
    """Load one policy file or raise PolicyError with every problem found."""
    from lint.files import read_text

    text, problem = read_text(path, display)
    if problem is not None:
        raise PolicyError([(problem.span, f"cannot read policy file: {problem.message}")])
    assert text is not None
    doc = load_located(display, text, env_tag=False)
    if doc.problems:
        raise PolicyError([(p.span, p.message) for p in doc.problems])
    if not isinstance(doc.data, dict):
        raise PolicyError([(Span.point(display, 1), "a policy file must be a YAML mapping")])
    errors: list[tuple[Span, str]] = []
    from jsonschema import Draft202012Validator

    from lint.schemamsg import violation

    for err in Draft202012Validator(_policy_schema()).iter_errors(doc.data):
        where = tuple(err.absolute_path)
        label = ".".join(map(str, where)) or "(top level)"
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for key in extra:
                errors.append((doc.key_at((*where, key)), f"unknown key '{key}' in {label}"))
            continue
        errors.append((doc.at(where), f"{label} {violation(err)}"))  # never err.message: it quotes the value
    if errors:
        raise PolicyError(errors)
    data = doc.data
    stem = Path(display).name.rsplit(".", 1)[0]
    if data["id"] != stem:
        errors.append((doc.at(("id",)), f"id '{data['id']}' must equal the file name '{stem}'"))
    if data["for_each"] not in COLLECTIONS:
        errors.append(
            (
                doc.at(("for_each",)),
                f"unknown collection '{data['for_each']}' (known: {', '.join(sorted(COLLECTIONS))})",
            )
        )
    programs: dict[str, Program | None] = {}
    for key in ("condition", "message", "location", "related", "fingerprint", "fix"):
        if key in data:
            programs[key] = _compile(doc, (key,), str(data[key]), errors)
    when: list[tuple[Program, Severity]] = []
    for i, item in enumerate(data.get("severity_when", [])):
        prog = _compile(doc, ("severity_when", i, "when"), str(item["when"]), errors)
        if prog is not None:
            when.append((prog, Severity.parse(item["severity"])))
            programs[f"severity_when.{i}.when"] = prog
    if errors:
        raise PolicyError(errors)
    reads: set[tuple[str, str]] = set()
    for name, prog in programs.items():
        if prog is not None:
            key = tuple(int(k) if k.isdigit() else k for k in name.split("."))
            reads |= _type_check(text, data["for_each"], key, prog, errors)
    if errors:
        raise PolicyError(errors)
    condition, message = programs["condition"], programs["message"]
    assert condition is not None and message is not None
    return Policy(
        id=data["id"],
        title=data["title"],
        severity=Severity.parse(data["severity"]),
        for_each=data["for_each"],
        var=COLLECTIONS[data["for_each"]],
        condition=condition,
        message=message,
        severity_when=tuple(when),
        location=programs.get("location"),
        related=programs.get("related"),
        fingerprint=programs.get("fingerprint"),
        fix=programs.get("fix"),
        rationale=str(data["rationale"]).strip(),
        remediation=str(data["remediation"]).strip(),
        references=tuple(data.get("references", [])),
        examples=data["examples"],
        aliases=tuple(data.get("aliases", [])),
        path=display,
        builtin=builtin,
        suppressible=bool(data.get("suppressible", True)),
        reads=frozenset(reads),
    )


def load_policies(extra_dirs: list[Path] | None = None) -> list[Policy]:
    """Built-in policies plus the user's; raises PolicyError listing every bad or duplicate file."""
    errors: list[tuple[Span, str]] = []
    policies: list[Policy] = []
    sources: list[tuple[Path, str, bool]] = []
    for p in sorted(policies_dir().glob("*.yaml")):
        sources.append((p, f"policies/{p.name}", True))
    for d in extra_dirs or []:
        from lint.files import inspect, shown

        state = inspect(d)
        if state.kind != "dir":
            why = f"cannot inspect it: {state.problem}" if state.kind == "unknown" else (
                "is not a folder" if state.exists else "does not exist"
            )
            errors.append((Span.point(shown(d), 1), f"policy directory {why}"))
            continue
        files = sorted([*d.glob("*.yaml"), *d.glob("*.yml")])
        if not files:
            errors.append((Span.point(str(d), 1), "policy directory contains no .yaml policy files"))
        sources.extend((p, str(p), False) for p in files)
    seen: dict[str, Policy] = {}
    for path, display, builtin in sources:
        try:
            policy = load_policy_file(path, display, builtin=builtin)
        except PolicyError as exc:
            errors.extend(exc.errors)
            continue
        for name in (policy.id, *policy.aliases):
            if name in seen:
                errors.append(
                    (
                        Span.point(display, 1),
                        f"duplicate policy id '{name}' (already defined in {seen[name].path})",
                    )
                )
        seen.setdefault(policy.id, policy)
        policies.append(policy)
    if errors:
        raise PolicyError(errors)
    return policies
