"""Terminal output in the style of actionlint (DESIGN §6 `text`).

config.yaml:4:14: error: connection uri carries a literal password [cfg-plaintext-secret]
 4 |         uri: postgresql://powersync_role:****@db.example.com/app
   |              ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
  note: migrations/V1__roles.sql:3:1: role created here
  fix: use `uri: !env PS_DATA_SOURCE_URI`
1 error, 0 warnings, 0 infos in 2 files
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lint.output import View

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lint.findings.finding import Finding, FindingSet, Severity
from lint.redact import mask_line, mask_line_mapped, span_ranges
from lint.span import Span, display_path

TAB_WIDTH = 8

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_SEVERITY_COLOUR = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[34m"}

# Bidirectional overrides/isolates can make a printed line read differently from what the file contains
# ("Trojan Source", CVE-2021-42574), so they are shown as replacement characters like other controls.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class _Style:
    color: bool

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text


def render_text(
    fs: FindingSet,
    sources: Mapping[str, str],
    *,
    oneline: bool = False,
    color: bool = False,
    secrets: Iterable[Span] = (),
) -> str:
    """Render active findings, each with a masked source snippet, then notes and a summary line.

    `sources` maps project-relative paths to file text; a finding whose file or line is missing simply gets
    no snippet. `secrets` are spans readers know to hold secrets (e.g. `api.tokens[0]`), masked in
    addition to what `lint.redact.mask_line` recognises, with carets re-aligned to the masked text.
    """
    style = _Style(color)
    lines = _SourceLines(sources)
    secret_spans: dict[str, list[Span]] = defaultdict(list)
    for sp in secrets:
        secret_spans[sp.path].append(sp)
    out: list[str] = []
    for f in fs.active:
        out.append(_header(f, style))
        if oneline:
            continue
        out.extend(_snippet(f, lines.get(f.span.path, f.span.line), secret_spans[f.span.path], style))
        out.extend(f"  note: {_location(r.span)}: {_safe(r.message)}" for r in f.related)
        if f.fix:
            out.append(f"  fix: {_safe(f.fix)}")
    out.extend(f"note: {_safe(n)}" for n in fs.notes)
    out.append(summary_line(fs))
    return "\n".join(out) + "\n"


def summary_line(fs: FindingSet) -> str:
    """`3 errors, 1 warning, 0 infos in 7 files[, 2 suppressed]` or `no findings in 7 files`."""
    suppressed = len(fs.findings) - len(fs.active)
    if fs.active:
        counts = ", ".join(_plural(fs.count(s), s.label) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO))
    else:
        counts = "no findings"
    tail = f", {suppressed} suppressed" if suppressed else ""
    return f"{counts} in {_plural(fs.files, 'file')}{tail}"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _location(span: Span) -> str:
    return f"{clean_controls(display_path(span.path))}:{span.line}:{span.col}"


def _header(f: Finding, style: _Style) -> str:
    loc = style.paint(f"{_location(f.span)}:", _BOLD)
    sev = style.paint(f.severity.label, _SEVERITY_COLOUR[f.severity])
    return f"{loc} {sev}: {_safe(f.message)} [{clean_controls(f.rule)}]"


def _safe(message: str) -> str:
    """Messages are built without secrets, but mask anyway (DESIGN §8) and keep them on one line."""
    return clean_controls(mask_line(" ".join(message.splitlines())))


class _SourceLines:
    """Splits each source once, on '\\n' only, as `lint.span.LineIndex` counts lines."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self._sources = sources
        self._cache: dict[str, list[str]] = {}

    def get(self, path: str, line: int) -> str | None:
        if path not in self._cache:
            text = self._sources.get(path)
            self._cache[path] = [] if text is None else text.split("\n")
        lines = self._cache[path]
        if not 1 <= line <= len(lines):
            return None
        raw = lines[line - 1]
        return raw[:-1] if raw.endswith("\r") else raw


def _snippet(f: Finding, raw: str | None, secrets: list[Span], style: _Style) -> list[str]:
    if raw is None:
        return []
    sp = f.span
    masked = mask_line_mapped(raw, span_ranges(secrets, sp.line, raw))
    shown = clean_controls(masked.text)  # one character for one, so the column map stays valid
    # Clamp to the displayed line (one past its end for a point at end of line): a span over masked or
    # missing text must not draw a caret whose length hints at what was there.
    start = max(1, min(masked.column(sp.col), len(shown) + 1))
    end = masked.column(sp.end_col, end=True) if sp.end_line == sp.line else start
    end = max(start, min(end, len(shown)))
    pad = _width(_expand(shown[: start - 1]))
    width = max(1, _width(_expand(shown[:end])) - pad)
    caret = style.paint("^" + "~" * (width - 1), _SEVERITY_COLOUR[f.severity])
    number = str(sp.line)
    return [
        f" {number} | {_expand(shown)}".rstrip(),
        f" {' ' * len(number)} | {' ' * pad}{caret}",
    ]


def clean_controls(text: str) -> str:
    """Replace control characters (except tab) and bidi controls, so a hostile file cannot drive the
    terminal through our output (ANSI escapes) or make a line read differently than it is."""
    return "".join(
        _REPLACEMENT if ch in _BIDI or (ch != "\t" and unicodedata.category(ch) == "Cc") else ch for ch in text
    )


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _width(text: str) -> int:
    return sum(_char_width(ch) for ch in text)


def _expand(text: str) -> str:
    """Expand tabs by display width, so the caret line (same gutter, spaces only) lines up under it."""
    out: list[str] = []
    col = 0
    for ch in text:
        if ch == "\t":
            n = TAB_WIDTH - col % TAB_WIDTH
            out.append(" " * n)
            col += n
        else:
            out.append(ch)
            col += _char_width(ch)
    return "".join(out)


def render(view: View) -> str:
    return render_text(view.fs, view.sources, oneline=view.oneline, color=view.color)
