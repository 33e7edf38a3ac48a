"""Baselines: adopt replint on an existing project without fixing everything first.

`--write-baseline FILE` records today's active findings by their semantic fingerprint (rule + object identity,
never a line number), so `--baseline FILE` still recognises them after lines are inserted above, a file is
reformatted, or statements move. Only findings that are not in the baseline fail. Fingerprints are counted, not
just listed: if the baseline accepted one finding with a fingerprint and two now exist, one is new.

A baseline entry whose finding is gone is reported (`baseline-stale`, info) at its line in the baseline file, so
the file shrinks as the project is fixed instead of silently accepting the problem if it returns.

The file is JSON with one entry per line, so that reviews show which acceptances a change adds or drops.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lint.findings.finding import Finding, Suppression
from lint.redact import mask_line
from lint.rules import BASELINE_STALE, builtin_check
from lint.span import Span, display_path

BASELINE_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be used (a usage error: exit 2)."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    path: str
    message: str
    line: int  # where the entry is written in the baseline file, for stale reports


@dataclass(frozen=True)
class Baseline:
    display: str  # the baseline's path as findings show it
    entries: tuple[Entry, ...]


def render(findings: Iterable[Finding], version: str) -> str:
    """The baseline file for these (active) findings; stable order so rewriting it gives small diffs."""
    rows = sorted(
        (
            {"fingerprint": f.fingerprint, "rule": f.rule, "path": display_path(f.span.path),
             "message": mask_line(f.message)}
            for f in findings
        ),
        key=lambda r: (r["path"], r["rule"], r["fingerprint"], r["message"]),
    )
    head = json.dumps({"version": BASELINE_VERSION, "tool": {"name": "replint", "version": version}})[:-1]
    if not rows:
        return head + ', "findings": []}\n'
    body = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in rows)
    return head + ',\n  "findings": [\n' + body + "\n  ]\n}\n"


_REWRITE = "rewrite it with --write-baseline"


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load(path: Path, display: str) -> Baseline:
    from lint.files import inspect, read_text, shown

    state = inspect(path)
    if state.kind == "unknown":
        raise BaselineError(f"cannot inspect baseline {shown(path)}: {state.problem}")
    if not state.exists:
        raise BaselineError(f"baseline file not found: {path} (create it with 'replint check --write-baseline {path}')")
    text, problem = read_text(path, str(path))
    if problem is not None:
        raise BaselineError(f"cannot read baseline {path}:{problem.span.line}: {problem.message}")
    assert text is not None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}: nested too deeply to be a replint baseline; {_REWRITE}") from None
    except ValueError as exc:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise BaselineError(f"{path}: {str(exc).split(';')[0]}; {_REWRITE}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(
        data.get("findings"), list
    ):
        raise BaselineError(
            f"{path}: not a replint baseline (expected {{\"version\": {BASELINE_VERSION}, \"findings\": [...]}}); "
            "rewrite it with --write-baseline"
        )
    lines = _entry_lines(text)
    entries: list[Entry] = []
    for i, row in enumerate(data["findings"]):
        if not isinstance(row, dict) or not isinstance(row.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{i}] has no fingerprint; rewrite the file with --write-baseline")
        positions = lines.get(row["fingerprint"])
        line = positions.pop(0) if positions else 1
        rule, where, message = (str(row.get(k, "")) for k in ("rule", "path", "message"))
        for text_value in (row["fingerprint"], rule, where, message):
            if not _is_unicode(text_value):
                raise BaselineError(f"{path}: findings[{i}] holds text that is not valid Unicode (a lone surrogate "
                                    f"escape); {_REWRITE}")
        entries.append(Entry(row["fingerprint"], rule, where, message, line))
    return Baseline(display, tuple(entries))


def _entry_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of each fingerprint in the file, in order (a fingerprint may be accepted more than once)."""
    found: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(text.split("\n"), start=1):
        marker = '"fingerprint": "'
        at = line.find(marker)
        if at >= 0:
            end = line.find('"', at + len(marker))
            found[line[at + len(marker) : end]].append(number)
    return found


def apply(findings: Iterable[Finding], baseline: Baseline) -> list[Finding]:
    """Mark findings the baseline accepts as suppressed (external) and add one finding per stale entry."""
    budget = Counter(e.fingerprint for e in baseline.entries)
    why = Suppression("external", f"accepted in baseline {baseline.display}")
    out: list[Finding] = []
    for f in findings:
        if f.suppressed is None and budget[f.fingerprint] > 0:
            budget[f.fingerprint] -= 1
            out.append(replace(f, suppressed=why))
        else:
            out.append(f)
    out.extend(_stale(baseline, budget))
    return out


def _stale(baseline: Baseline, unused: Counter[str]) -> list[Finding]:
    check = builtin_check(BASELINE_STALE)
    assert check is not None
    stale: list[Finding] = []
    for entry in reversed(baseline.entries):  # the last entries of a fingerprint are the unused ones
        if unused[entry.fingerprint] <= 0:
            continue
        unused[entry.fingerprint] -= 1
        what = f": {entry.message}" if entry.message else ""
        stale.append(
            Finding(
                BASELINE_STALE,
                check.severity,
                f"baseline entry for {entry.rule} in {entry.path} matches no finding any more{what}",
                Span.point(baseline.display, entry.line),
                key=f"baseline:{entry.fingerprint}",
                fix="rewrite the baseline with --write-baseline",
            )
        )
    return stale[::-1]
