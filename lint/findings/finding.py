"""Findings: what a policy reports, and the one place where they are filtered."""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from lint.span import Span


class Severity(enum.IntEnum):
    """Ordered so that `severity >= threshold` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @staticmethod
    def parse(text: str) -> Severity:
        try:
            return Severity[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@dataclass(frozen=True)
class Suppression:
    """Why an active finding is not counted. SARIF's kinds: `inSource` for a `replint: ignore[...]` comment,
    `external` for a baseline or the `--changed-since` scope, which live outside the linted file."""

    kind: str  # "inSource" | "external"
    justification: str


@dataclass(frozen=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    # Semantic identity of the offending object (e.g. "role:powersync_role"), never a line number,
    # so that baselines and code-scanning alerts survive edits above the finding.
    key: str = ""
    fix: str | None = None
    suppressed: Suppression | None = None

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256(f"{self.rule}\x00{self.key or self.span.path}".encode()).hexdigest()
        return digest[:32]

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.col, self.rule, self.message)


@dataclass(frozen=True)
class FindingSet:
    findings: tuple[Finding, ...]
    files: int = 0
    notes: tuple[str, ...] = field(default=())

    @staticmethod
    def of(findings: Iterable[Finding], files: int = 0) -> FindingSet:
        unique = {(f.rule, f.span, f.key, f.message): f for f in findings}
        return FindingSet(tuple(sorted(unique.values(), key=Finding.sort_key)), files)

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.active if f.severity == severity)

    def fails(self, threshold: Severity) -> bool:
        return any(f.severity >= threshold for f in self.active)
