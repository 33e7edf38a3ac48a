"""Renderers: pure functions from a filtered `FindingSet` (plus source texts) to a string (DESIGN §6).

Renderers know nothing about file formats or policies. Every string that reaches the user passes through
`lint.redact` first (DESIGN §8). `RENDERERS` is the one registry of formats: each is a module here with a
`render(view: View) -> str`, imported only when its format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.findings.finding import FindingSet
    from lint.rules import RuleDoc


@dataclass(frozen=True)
class View:
    """Everything any renderer may use; each takes what its format needs."""

    fs: FindingSet
    sources: Mapping[str, str]  # path -> text with secrets masked, for snippets
    rules: Sequence[RuleDoc]  # enabled rules, with configured severities (SARIF descriptors)
    version: str
    path_prefix: str = ""  # from the repository root to the project root (annotations, SARIF)
    color: bool = False
    oneline: bool = False


# format -> (module under lint.output, what it is for --help)
RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text", "for people: each finding with its snippet"),
    "json": ("json_out", "for programs, versioned: schemas/findings-v1.schema.json"),
    "sarif": ("sarif", "SARIF 2.1.0 for code scanning"),
    "github": ("github", "workflow-command annotations for GitHub Actions"),
    "markdown": ("markdown", "a job summary table"),
}
FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(fmt: str, view: View) -> str:
    module = importlib.import_module(f"lint.output.{RENDERERS[fmt][0]}")
    out: str = module.render(view)
    return out
