"""`.replint.yaml`: discovered by walking up from the working directory, validated by its JSON Schema.

Unknown keys are errors (exit 2), never ignored: a misspelt `severty:` that silently does nothing is exactly
the kind of mistake replint exists to catch in other tools' configs.
"""

from __future__ import annotations

import json
from contextlib import suppress
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from lint.findings.filter import IgnoreGlob
from lint.findings.finding import Severity
from lint.resources import schema_path
from lint.span import Span
from lint.yamlsrc import Located, load_located

CONFIG_NAMES = (".replint.yaml", ".replint.yml")


class ConfigError(Exception):
    def __init__(self, span: Span, message: str) -> None:
        super().__init__(f"{span.path}:{span.line}:{span.col}: {message}")
        self.span = span
        self.message = message


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    paths: tuple[Path, ...] = ()
    policy_dirs: tuple[Path, ...] = ()
    fail_on: Severity | None = None
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] = field(default_factory=dict)
    ignores: dict[str, tuple[IgnoreGlob, ...]] = field(default_factory=dict)
    inline_suppressions: bool = True
    unsuppressible: frozenset[str] = frozenset()
    extends: str | None = None
    rule_spans: dict[str, Span] = field(default_factory=dict)  # where each of the user's rule ids is written
    postgres_version: tuple[int, str] | None = None  # (major, "path:line" that sets it)

    def rule_ids(self) -> tuple[tuple[str, Span | None], ...]:
        """Every rule id the configuration names, for the caller to check against the loaded policies."""
        ids = {*self.disabled, *self.severities, *self.ignores, *self.unsuppressible}
        return tuple((rule, self.rule_spans.get(rule)) for rule in sorted(ids))


def discover(start: Path) -> Path | None:
    from lint.files import inspect

    try:
        current = start.resolve()
    except (OSError, RuntimeError):
        current = start.absolute()
    for directory in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if inspect(candidate).exists:  # a FIFO or device there is refused when read, not ignored
                return candidate
    return None


def load_config(path: Path) -> Config:
    """Read, validate and resolve one `.replint.yaml` (its preset first, this file's settings on top)."""
    from lint.files import read_text

    text, problem = read_text(path, str(path))
    if problem is not None:
        raise ConfigError(problem.span, f"cannot read configuration: {problem.message}")
    assert text is not None
    doc = _validated(str(path), text)
    data: dict[str, Any] = doc.data
    preset: dict[str, Any] = _preset(data["extends"]) if "extends" in data else {}
    base = path.parent
    rules = _merged_rules(preset.get("rules", {}), data.get("rules", {}))
    fail_on = data.get("fail_on", preset.get("fail_on"))
    return Config(
        path=path,
        paths=tuple(base / p for p in data.get("paths", [])),
        policy_dirs=tuple(base / p for p in data.get("policies", [])),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        disabled=frozenset(k for k, v in rules.items() if v.get("enabled") is False),
        severities={k: Severity.parse(v["severity"]) for k, v in rules.items() if "severity" in v},
        ignores={k: _globs(doc, k, v["ignore"], data.get("rules", {})) for k, v in rules.items() if "ignore" in v},
        inline_suppressions=bool(data.get("inline_suppressions", preset.get("inline_suppressions", True))),
        unsuppressible=frozenset(k for k, v in rules.items() if v.get("suppressible") is False),
        extends=data.get("extends"),
        # Only the user's own rule keys get a location: an unknown id in a preset is replint's bug, not theirs.
        rule_spans={k: doc.key_at(("rules", k)) for k in data.get("rules", {})},
        postgres_version=_version(doc, data),
    )


def _version(doc: Located, data: dict[str, Any]) -> tuple[int, str] | None:
    if "postgres_version" not in data:
        return None
    span = doc.at(("postgres_version",))
    path = Path(span.path)
    with suppress(ValueError):  # said as the user would type it: relative to where replint runs, when below
        path = path.relative_to(Path.cwd())
    return int(data["postgres_version"]), f"{path}:{span.line}"


def _globs(doc: Located, rule: str, patterns: list[str], own: dict[str, Any]) -> tuple[IgnoreGlob, ...]:
    """A rule's globs; located when this file (not its preset) sets them."""
    mine = "ignore" in own.get(rule, {})
    spans = [doc.at(("rules", rule, "ignore", i)) if mine else None for i in range(len(patterns))]
    return tuple(IgnoreGlob(pattern, span) for pattern, span in zip(patterns, spans, strict=True))


def _validated(display: str, text: str) -> Located:
    doc = load_located(display, text, env_tag=False)
    if doc.problems:
        p = doc.problems[0]
        raise ConfigError(p.span, p.message)
    if doc.data is None:
        doc = replace(doc, data={})
    if not isinstance(doc.data, dict):
        raise ConfigError(Span.point(display, 1), "the configuration must be a YAML mapping")
    from jsonschema import Draft202012Validator

    from lint.schemamsg import violation

    errors = Draft202012Validator(_schema()).iter_errors(doc.data)
    for err in sorted(errors, key=lambda e: list(map(str, e.path))):
        where = tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            known = ", ".join(sorted(err.schema.get("properties", {})))
            hint = _close(extra[0], list(err.schema.get("properties", {})))
            raise ConfigError(
                doc.key_at((*where, extra[0])), f"unknown key '{extra[0]}'{hint} (known keys here: {known})"
            )
        label = ".".join(map(str, where)) or "(top level)"
        raise ConfigError(doc.at(where), f"{label} {violation(err)}")  # never err.message: it quotes the value
    return doc


def _close(word: str, candidates: list[str]) -> str:
    import difflib

    match = difflib.get_close_matches(word, candidates, n=1)
    return f" — did you mean '{match[0]}'?" if match else ""


@cache
def _schema() -> dict[str, Any]:
    with open(schema_path("config.schema.json"), encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


def _preset(name: str) -> dict[str, Any]:
    """A preset is a configuration file shipped with replint; it may only set rules, fail_on and suppressions."""
    path = Path(__file__).resolve().parent / "presets" / f"{name}.yaml"
    data: dict[str, Any] = _validated(f"<preset {name}>", path.read_text(encoding="utf-8")).data
    return data


def _merged_rules(preset: dict[str, Any], own: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per rule and per key, the project's setting wins over the preset's."""
    merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in preset.items()}
    for rule, settings in own.items():
        merged.setdefault(rule, {}).update(settings)
    return merged
