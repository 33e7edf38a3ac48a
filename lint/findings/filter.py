"""The one place findings are dropped, re-levelled or marked suppressed (DESIGN §1), in order:

1. `inline`: `replint: ignore[...]` comments in the files, while the run still has the sources (its result is
   what the run cache stores);
2. `judged`: the configuration (disabled rules, severity overrides, per-rule path globs), then the baseline,
   then the `--changed-since` scope — the last two only decide what fails, never what is read.

Path globs follow gitignore's rules (pathspec's `GitIgnoreSpec`, as git matches them): `*` stays within one
folder, `**` crosses folders, a pattern without a slash matches at any depth, a leading `/` anchors it at the
project root, a folder's pattern covers everything in it, and `!` re-includes what an earlier pattern left out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lint.findings.finding import Finding, FindingSet, Severity
from lint.span import Span, display_path

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec


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
class IgnoreGlob:
    """One `rules.<id>.ignore` entry of `.replint.yaml`: a gitignore-style pattern, relative to the project root."""

    pattern: str
    span: Span | None  # where the user wrote it; None for a preset's


@cache
def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(patterns)


def ignored(path: str, globs: tuple[IgnoreGlob, ...]) -> bool:
    return bool(globs) and _spec(tuple(g.pattern for g in globs)).match_file(path)


def unmatched(ignores: dict[str, tuple[IgnoreGlob, ...]], read: Collection[str]) -> tuple[str, ...]:
    """A note for each glob that matches none of the files the run read: it hides nothing (a typo, or a folder
    that moved), and saying so is better than letting it look like it works."""
    notes: list[str] = []
    for rule, globs in sorted(ignores.items()):
        for glob in globs:
            if glob.pattern.startswith("!"):
                continue  # a re-include narrows another glob; it has nothing of its own to match
            if not any(_spec((glob.pattern,)).match_file(path) for path in read):
                where = f"{display_path(glob.span.path)}:{glob.span.line}: " if glob.span else ""
                notes.append(
                    f"{where}the ignore glob '{glob.pattern}' of {rule} matches none of the {len(read)} files "
                    "replint read (globs are gitignore-style, relative to the project root)"
                )
    return tuple(notes)


@dataclass(frozen=True)
class Judging:
    disabled: frozenset[str] = frozenset()
    severities: dict[str, Severity] | None = None
    ignores: dict[str, tuple[IgnoreGlob, ...]] | None = None
    baseline: Path | None = None
    baseline_display: str = ""  # how messages name the baseline file
    changed_since: str | None = None
    read: tuple[str, ...] = ()  # the files the run read, project-relative: what an ignore glob can match


def configured(fs: FindingSet, how: Judging) -> FindingSet:
    """The configuration alone: what `--write-baseline` records."""
    overrides = how.severities or {}
    ignores = how.ignores or {}
    kept: list[Finding] = []
    for f in fs.findings:
        if f.rule in how.disabled:
            continue
        if ignored(f.span.path, ignores.get(f.rule, ())):
            continue
        kept.append(replace(f, severity=overrides[f.rule]) if f.rule in overrides else f)
    return FindingSet(tuple(kept), fs.files, fs.notes + unmatched(ignores, how.read))


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
    return replace(FindingSet.of(findings, fs.files), notes=fs.notes)
