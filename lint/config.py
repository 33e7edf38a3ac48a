"""`.replint.yaml`: discovered by walking up from the working directory, validated by its JSON Schema.

Unknown keys are errors (exit 2), never ignored: a misspelt `severty:` that silently does nothing is exactly
the kind of mistake replint exists to catch in other tools' configs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lint.finding import Severity
from lint.resources import schema_path
from lint.span import Span
from lint.yamlsrc import load_located

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
    ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)


def discover(start: Path) -> Path | None:
    current = start.resolve()
    for directory in (current, *current.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Span.point(str(path), 1), f"cannot read configuration: {exc}") from None
    doc = load_located(str(path), text, env_tag=False)
    if doc.problems:
        p = doc.problems[0]
        raise ConfigError(p.span, p.message)
    data: Any = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(Span.point(str(path), 1), "the configuration must be a YAML mapping")
    from jsonschema import Draft202012Validator

    with open(schema_path("config.schema.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.path))):
        where = tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            known = ", ".join(sorted(err.schema.get("properties", {})))
            raise ConfigError(doc.key_at((*where, extra[0])), f"unknown key '{extra[0]}' (known keys here: {known})")
        label = ".".join(map(str, where)) or "(top level)"
        raise ConfigError(doc.at(where), f"{label}: {err.message}")
    base = path.parent
    rules = data.get("rules", {})
    return Config(
        path=path,
        paths=tuple(base / p for p in data.get("paths", [])),
        policy_dirs=tuple(base / p for p in data.get("policies", [])),
        fail_on=Severity.parse(data["fail_on"]) if "fail_on" in data else None,
        disabled=frozenset(k for k, v in rules.items() if v.get("enabled") is False),
        severities={k: Severity.parse(v["severity"]) for k, v in rules.items() if "severity" in v},
        ignores={k: tuple(v["ignore"]) for k, v in rules.items() if "ignore" in v},
    )
