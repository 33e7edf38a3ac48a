"""One lint run: discover and read files, build the model, evaluate the policies."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lint.files import project_root
from lint.findings.filter import Inline
from lint.findings.finding import Finding, FindingSet

if TYPE_CHECKING:
    from lint.cache import Cache
    from lint.live.observe import LiveOptions
    from lint.model.items import ModelDocument
    from lint.policy import Policy
    from lint.span import Span


@dataclass(frozen=True)
class Result:
    findings: FindingSet
    sources: dict[str, str]  # path -> text with known secret spans blanked, for snippets
    root: Path  # finding paths are relative to it


_INLINE_DEFAULT = Inline()


def run(
    targets: list[Path],
    policies: list[Policy],
    *,
    root: Path | None = None,
    live: LiveOptions | None = None,
    progress: Callable[[str], None] | None = None,
    inline: Inline = _INLINE_DEFAULT,
    jobs: int = 1,
    store: Cache | None = None,
    pg_version: tuple[int, str] | None = None,
) -> Result:
    # Imported here, not at the top: a run answered from the result cache never needs the readers.
    from lint import model, project
    from lint.policy.isolate import evaluate

    base = root or project_root(targets)
    loaded = project.load(base, targets, jobs=jobs, store=store, pg_version=pg_version)
    inputs = loaded.inputs
    if live is not None:
        from lint.live.observe import observe

        rules = [*inputs.sync_rules.values(), *inputs.standalone_sync_rules]
        tables = sorted({f"{t.schema}.{t.name}" for r in rules for t in r.tables if not t.wildcard and t.name})
        inputs = replace(inputs, live=observe(inputs.configs, tables, os.environ, live, progress))
    built = model.build(inputs)
    findings = _suppressed(evaluate(policies, built), loaded.sources, policies, inline)
    masked = _masked(loaded.sources, built.secret_spans)
    return Result(FindingSet.of(findings, built.files), masked, base.resolve())


def model_document(
    targets: list[Path], *, root: Path | None = None, jobs: int = 1, pg_version: tuple[int, str] | None = None
) -> ModelDocument:
    """What `replint model` prints: the model of the files under `targets`, as policies would see it."""
    from lint import model, project
    from lint.model.export import document

    base = root or project_root(targets)
    loaded = project.load(base, targets, jobs=jobs, pg_version=pg_version)
    built = model.build(loaded.inputs)
    return document(built, loaded.inputs.sql, str(base.resolve()), loaded.inputs.sql_files)


def _suppressed(
    findings: list[Finding], sources: dict[str, str], policies: list[Policy], inline: Inline
) -> list[Finding]:
    from lint.findings import filter as filters

    canonical = {name: p.id for p in policies for name in (p.id, *p.aliases)}
    closed = frozenset(p.id for p in policies if not p.suppressible)
    return filters.inline(findings, sources, canonical=canonical, unsuppressible=closed, rules=inline)


def _masked(sources: dict[str, str], spans: tuple[Span, ...]) -> dict[str, str]:
    from lint.redact import mask_spans

    by_path: dict[str, list[Span]] = defaultdict(list)
    for span in spans:
        by_path[span.path].append(span)
    return {path: mask_spans(text, by_path[path]) if path in by_path else text for path, text in sources.items()}
