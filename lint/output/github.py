"""GitHub Actions workflow commands (DESIGN §6 `github`): one annotation per active finding.

    ::error file=config.yaml,line=4,col=9,endLine=4,endColumn=67,title=cfg-plaintext-secret::message

The runner treats any output line that starts with `::` as a command, and messages quote file content, so
escaping is a security boundary: `%`, CR and LF are percent-encoded in the data (and additionally `:` and `,`
in properties), which keeps every annotation on one physical line — text from a file can never begin a
line of its own, let alone a command such as `::add-mask::` or `::stop-commands::`.
Escaping rules: https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.output import View

import posixpath

from lint.findings.finding import Finding, FindingSet, Severity
from lint.output.text import clean_controls, summary_line
from lint.redact import mask_line
from lint.span import Span, display_path

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(fs: FindingSet, *, path_prefix: str = "") -> str:
    """Workflow commands for active findings, most severe first, a `::notice` per run note, then the plain
    summary line. GitHub shows only the first few annotations of each kind per step, so errors must come first."""
    ranked = sorted(fs.active, key=lambda f: -f.severity)  # stable: file order within a severity
    out = [_annotation(f, path_prefix) for f in ranked]
    out.extend(f"::notice title=replint::{escape_data(_safe(n))}" for n in fs.notes)
    out.append(summary_line(fs))
    return "\n".join(out) + "\n"


def repo_path(path: str, prefix: str = "") -> str:
    """A project-relative path seen from the directory `prefix` names (the project root relative to where
    replint runs, which for GitHub is the repository root). `..` parts are resolved: GitHub matches paths
    literally."""
    path = display_path(path)
    if not prefix or path.startswith("/"):
        return path
    return posixpath.normpath(f"{prefix}/{path}")


def _annotation(f: Finding, prefix: str) -> str:
    props = [("file", repo_path(f.span.path, prefix)), *_position(f.span), ("title", f.rule)]
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{_COMMAND[f.severity]} {head}::{escape_data(_body(f, prefix))}"


def _position(span: Span) -> list[tuple[str, str]]:
    """Line range always; columns only for a one-line span, because GitHub rejects start/end columns on an
    annotation whose start and end lines differ. `endColumn` is inclusive, like our spans."""
    line = max(1, span.line)
    end_line = max(line, span.end_line)
    pos = [("line", str(line))]
    if end_line == line:
        col = max(1, span.col)
        pos += [("col", str(col)), ("endLine", str(end_line)), ("endColumn", str(max(col, span.end_col)))]
    else:
        pos.append(("endLine", str(end_line)))
    return pos


def _body(f: Finding, prefix: str) -> str:
    lines = [_safe(f.message)]
    for r in f.related:
        where = f"{repo_path(r.span.path, prefix)}:{r.span.line}:{r.span.col}"
        lines.append(f"note: {clean_controls(where)}: {_safe(r.message)}")
    if f.fix:
        lines.append(f"fix: {_safe(f.fix)}")
    return "\n".join(lines)


def _safe(text: str) -> str:
    """Masked (DESIGN §8) and on one line: the annotation's own line breaks are the only ones."""
    return clean_controls(" ".join(mask_line(line) for line in text.splitlines()))


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(view: View) -> str:
    return render_github(view.fs, path_prefix=view.path_prefix)
