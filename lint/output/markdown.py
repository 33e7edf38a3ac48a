"""A concise Markdown job summary (DESIGN §6 `markdown`), e.g. for `$GITHUB_STEP_SUMMARY`.

    ### replint 0.4.0

    1 error, 0 warnings, 0 infos in 2 files

    | Severity | Rule | Location | Message |
    | --- | --- | --- | --- |
    | error | [cfg\\-plaintext\\-secret](https://...#cfg-plaintext-secret) | config\\.yaml\\:4 | connection ... |

Cells quote file content, and GitHub renders the summary as GitHub Flavored Markdown with HTML, so every
cell is escaped: no table breakout, no HTML, no link, image or autolink can come from a linted file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.output import View

import re
import string
from urllib.parse import quote

from lint import DOCS_URL
from lint.findings.finding import Finding, FindingSet
from lint.output.github import repo_path
from lint.output.text import clean_controls, summary_line
from lint.redact import mask_line

# CommonMark lets a backslash escape any ASCII punctuation, which then renders literally. Escaping all of it,
# not a hand-picked list, also defuses what a list would miss: entities (`&`), strikethrough (`~`), and GFM
# autolinks, which need an unescaped `://`, `www.` or `@` to trigger.
_PUNCTUATION = frozenset(string.punctuation)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def render_markdown(fs: FindingSet, version: str, *, path_prefix: str = "", max_rows: int = 100) -> str:
    """Heading, summary line, run notes, then a table of at most `max_rows` active findings, most severe first
    (stable, so file order within a severity): when rows are cut, the errors are the ones kept."""
    out = [f"### replint {escape_cell(version)}", "", summary_line(fs)]
    if fs.notes:
        out += ["", *(f"- note: {escape_cell(_masked(n))}" for n in fs.notes)]
    ranked = sorted(fs.active, key=lambda f: -f.severity)
    shown = ranked[: max(0, max_rows)]
    if shown:
        out += ["", "| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
        out += [_row(f, path_prefix) for f in shown]
    hidden = len(fs.active) - len(shown)
    if hidden:
        noun = "finding" if hidden == 1 else "findings"
        out += ["", f"… and {hidden} more {noun} not shown."]
    return "\n".join(out) + "\n"


def _row(f: Finding, prefix: str) -> str:
    rule = f"[{escape_cell(f.rule)}]({DOCS_URL}#{quote(f.rule, safe='')})"
    location = escape_cell(f"{repo_path(f.span.path, prefix)}:{f.span.line}")
    return f"| {f.severity.label} | {rule} | {location} | {escape_cell(_masked(f.message))} |"


def _masked(text: str) -> str:
    return " ".join(mask_line(line) for line in _LINE_BREAKS.split(text))


def escape_cell(text: str) -> str:
    """One table cell: line breaks become spaces, control and bidi characters are replaced, and ASCII
    punctuation is backslash-escaped (`|` included: GFM tables honour `\\|` even inside code)."""
    flat = clean_controls(_LINE_BREAKS.sub(" ", text))
    return "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in flat)


def render(view: View) -> str:
    return render_markdown(view.fs, view.version, path_prefix=view.path_prefix)
