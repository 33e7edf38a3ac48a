"""The one place findings are dropped, re-levelled or marked suppressed (DESIGN §1), in order:

1. `inline`: `replint: ignore[...]` comments in the files, while the run still has the sources (its result is
   what the run cache stores);
2. `judged`: the configuration (disabled rules, severity overrides, per-rule path globs), then the baseline,
   then the `--changed-since` scope — the last two only decide what fails, never what is read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatch
from pathlib import Path

from lint.findings.finding import Finding, FindingSet, Severity


class FilterError(Exception):
    """A baseline or git reference that cannot be used: a usage error, with what is wrong."""


@dataclass(frozen=True)
class Inline:
    """What inline `replint: ignore[...]` comments may do (`.replint.yaml` and policy files decide)."""

    allow: bool = True
    unsuppressible: frozenset[str] = frozenset()


def inline(
    findings: list[Finding],
    sources: dict[str, str],
    *,
    canonical: dict[str, str],
    unsuppressible: frozenset[str],
    rules: Inline,
) -> list[Finding]:
    """Inline suppressions. `canonical` maps every id and alias to the id; `unsuppressible` are the ids of
    policies that declare `suppressible: false`."""
    from lint.findings import suppress

    closed = {canonical.get(r, r) for r in rules.unsuppressible} | unsuppressible
    return suppress.apply(
        findings,
        sources,
        resolve=canonical.get,
        known=sorted(canonical),
        allow_inline=rules.allow,
        unsuppressible=frozenset(closed),
    )


@dataclass(frozen=True)
class Judging:
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] | None = None
    ignores: dict[str, tuple[str, ...]] | None = None
    baseline: Path | None = None
    baseline_display: str = ""  # how messages name the baseline file
    changed_since: str | None = None


def configured(fs: FindingSet, how: Judging) -> FindingSet:
    """The configuration alone: what `--write-baseline` records."""
    overrides = how.severities or {}
    ignores = how.ignores or {}
    kept: list[Finding] = []
    for f in fs.findings:
        if f.rule in how.disabled:
            continue
        if any(fnmatch(f.span.path, g) for g in ignores.get(f.rule, ())):
            continue
        kept.append(replace(f, severity=overrides[f.rule]) if f.rule in overrides else f)
    return FindingSet(tuple(kept), fs.files, fs.notes)


def judged(fs: FindingSet, how: Judging, root: Path) -> FindingSet:
    """Configuration, then the baseline, then the `--changed-since` scope; raises FilterError."""
    fs = configured(fs, how)
    findings = list(fs.findings)
    if how.baseline is not None:
        from lint.findings import baseline  # imported only when used: most runs have no baseline

        try:
            findings = baseline.apply(findings, baseline.load(how.baseline, how.baseline_display))
        except baseline.BaselineError as exc:
            raise FilterError(str(exc)) from None
    if how.changed_since is not None:
        from lint.findings import changed

        try:
            files = changed.changed_files(how.changed_since, root)
        except changed.ChangedError as exc:
            raise FilterError(str(exc)) from None
        findings = changed.scope(findings, files, root, how.changed_since)
    if how.baseline is None and how.changed_since is None:
        return fs
    return FindingSet.of(findings, fs.files)
