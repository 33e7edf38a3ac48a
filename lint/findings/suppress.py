"""Inline suppressions: `replint: ignore[rule-id] reason` comments (DESIGN §5).

A directive is a comment in the file's own comment syntax — `--` in SQL, `//` in mongosh JavaScript, `#` in
YAML, postgresql.conf, pg_hba.conf, .properties and .env files (JSON has no comments). A comment on its own line
covers the next statement / key / line; a comment after code covers the construct of its own line. Comment
detection follows each format's lexical rules, so a marker inside a string, a dollar-quoted function body or a
quoted value is text, not a directive.

`apply` marks the findings a directive covers as suppressed (`inSource`) and reports directives that are
malformed, name unknown rules, silence nothing or are not allowed — a suppression nobody checks would hide the
next problem at that place.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from lint.findings.finding import Finding, Suppression
from lint.redact import mask_line
from lint.rules import SUPPRESSION_DISALLOWED, SUPPRESSION_INVALID, SUPPRESSION_UNUSED, builtin_check
from lint.span import Span

MARKER = "replint:"

# The checks about suppressions themselves: silencing them inline would defeat their purpose.
_OWN_CHECKS = frozenset({SUPPRESSION_INVALID, SUPPRESSION_UNUSED, SUPPRESSION_DISALLOWED})


@dataclass(frozen=True)
class Directive:
    span: Span  # the comment text from the marker to end of line
    rules: tuple[str, ...]  # ids as written
    reason: str  # "" when missing
    first_line: int  # covered lines, inclusive
    last_line: int
    problem: str | None  # why it is malformed (no "[...]", empty id list, missing reason), else None


# --- file kinds -----------------------------------------------------------------------------------------

_SQL, _JS, _YAML, _PGCONF, _HBA, _PROPERTIES, _HASH = "sql", "js", "yaml", "pgconf", "hba", "properties", "hash"
def _kind(path: str, text: str) -> str | None:
    """How a file's comments and constructs are found, by name as discovery decides it
    (`lint.sources.kinds`); None: the file has no comments (JSON)."""
    from lint.sources.kinds import kind_of

    base = path.rsplit("/", 1)[-1]
    kind = kind_of(base)
    if kind is not None and kind.comment is None:
        return None
    what = kind.name if kind is not None else None
    if what in (_SQL, _JS, _YAML, _PROPERTIES):
        return what
    if "hba" in base.lower():
        return _HBA
    if what == "conf":
        from lint.sources.hba import looks_like_hba

        return _HBA if looks_like_hba(text) else _PGCONF
    return _HASH  # .env files and any other `#`-comment file


def _prefix(kind: str | None) -> str:
    """The comment marker a directive uses in a file of this syntax (from the kinds' declarations)."""
    from lint.sources.kinds import KINDS

    marker = {k.name: k.comment for k in KINDS}
    return marker.get(kind or "") or "#"


# --- the lexed view of a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Comment:
    line: int  # 0-based line index
    col: int  # 0-based offset of the comment's first character (`--`, `//`, `#`)
    trailing: bool  # code precedes it on the same line


@dataclass(frozen=True)
class _Lexed:
    lines: list[str]
    code: list[bool]  # the line holds something other than blanks and comments
    comments: list[_Comment]


# Each comment with the 0-based first and last line it covers.
_Targets = tuple[_Lexed, list[tuple[_Comment, int, int]]]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _next_code(code: list[bool], after: int) -> int | None:
    return next((j for j in range(after + 1, len(code)) if code[j]), None)


def _fill(out: list[str], start: int, end: int, text: str, ch: str) -> None:
    """Overwrite [start, end) of the working copy with `ch`, keeping newlines so line numbers stay valid."""
    out[start:end] = [c if c == "\n" else ch for c in text[start:end]]


def _blanked(text: str, out: list[str], comments: list[int]) -> _Lexed:
    """Turn a working copy (comments → spaces, quoted text → 'x') into per-line facts."""
    lines = text.split("\n")
    blank_lines = "".join(out).split("\n")
    starts = _line_starts(text)
    found = []
    for off in comments:
        idx = bisect.bisect_right(starts, off) - 1
        col = off - starts[idx]
        found.append(_Comment(idx, col, bool(blank_lines[idx][:col].strip())))
    return _Lexed(lines, [bool(b.strip()) for b in blank_lines], found)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in re.finditer("\n", text))]


# --- SQL (PostgreSQL lexical rules) ---------------------------------------------------------------------

_SQL_SPECIAL = re.compile(r"--|/\*|['\"$]")
_SQL_BLOCK = re.compile(r"/\*|\*/")
_NONSPACE = re.compile(r"\S")
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")


def _ident_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


@functools.cache
def _quote_stops(quote: str, backslash: bool, newline: bool) -> re.Pattern[str]:
    return re.compile("[" + re.escape(quote) + ("\\\\" if backslash else "") + ("\n" if newline else "") + "]")


def _quoted_end(
    text: str, start: int, quote: str, *, backslash: bool, doubled: bool = True, stop_at_newline: bool = False
) -> int:
    """Offset just after the closing `quote` of the literal opening at `start` (len(text) when unterminated,
    the newline's offset with `stop_at_newline`). `doubled`: a doubled quote is an escaped quote (SQL)."""
    special = _quote_stops(quote, backslash, stop_at_newline)
    i = start + 1
    while True:
        m = special.search(text, i)
        if m is None:
            return len(text)
        i = m.start()
        ch = text[i]
        if ch == "\n":
            return i
        if ch == "\\" or (doubled and i + 1 < len(text) and text[i + 1] == quote):
            i += 2
        else:
            return i + 1


def _block_comment_end(text: str, start: int, *, nested: bool) -> int:
    if not nested:
        end = text.find("*/", start + 2)
        return len(text) if end < 0 else end + 2
    depth, i = 0, start
    while True:
        m = _SQL_BLOCK.search(text, i)
        if m is None:
            return len(text)
        depth += 1 if m.group() == "/*" else -1
        i = m.end()
        if depth == 0:
            return i


def _lex_sql(text: str) -> tuple[_Lexed, str]:
    """Comments → spaces, string / identifier / dollar-quoted text → 'x' (so a `;` in it is no terminator)."""
    out = list(text)
    comments: list[int] = []
    i, n = 0, len(text)
    while (m := _SQL_SPECIAL.search(text, i)) is not None:
        s, tok = m.start(), m.group()
        if tok == "--":
            end = text.find("\n", s)
            end = n if end < 0 else end
            comments.append(s)
            _fill(out, s, end, text, " ")
        elif tok == "/*":
            end = _block_comment_end(text, s, nested=True)
            _fill(out, s, end, text, " ")
        elif tok == "'":
            # E'...' takes backslash escapes; `name'` is no E-string (the E ends an identifier)
            escape = s > 0 and text[s - 1] in "eE" and (s < 2 or not _ident_char(text[s - 2]))
            end = _quoted_end(text, s, "'", backslash=escape)
            _fill(out, s, end, text, "x")
        elif tok == '"':
            end = _quoted_end(text, s, '"', backslash=False)
            _fill(out, s, end, text, "x")
        else:  # "$": a dollar quote unless it continues an identifier (`a$b$`) or is a parameter (`$1`)
            tag = None if s > 0 and _ident_char(text[s - 1]) else _DOLLAR_TAG.match(text, s)
            if tag is None:
                i = s + 1
                continue
            close = text.find(tag.group(), tag.end())
            end = n if close < 0 else close + len(tag.group())
            _fill(out, s, end, text, "x")
        i = max(end, s + 1)
    return _blanked(text, out, comments), "".join(out)


def _sql_targets(text: str) -> _Targets:
    lexed, blank = _lex_sql(text)
    starts = _line_starts(text)
    ends = [m.start() for m in re.finditer(";", blank)]  # statement terminators outside strings and comments
    last_code = max((j for j, c in enumerate(lexed.code) if c), default=0)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    def statement(first_code: int, inside: int) -> tuple[int, int]:
        k = bisect.bisect_left(ends, inside)
        return line_of(first_code), line_of(ends[k]) if k < len(ends) else max(last_code, line_of(first_code))

    out = []
    for c in lexed.comments:
        if c.trailing:
            # the statement holding the last code character before the comment
            line_blank = blank[starts[c.line] : starts[c.line] + c.col]
            inside = starts[c.line] + len(line_blank.rstrip()) - 1
            k = bisect.bisect_left(ends, inside)
            prev = ends[k - 1] + 1 if k > 0 else 0
            begin = _NONSPACE.search(blank, prev)
            first, last = statement(begin.start() if begin else inside, inside)
        else:
            target = _next_code(lexed.code, c.line)
            if target is None:
                first = last = c.line
            else:
                begin = _NONSPACE.search(blank, starts[target])  # the target line has code: found on it
                begin_off = begin.start() if begin else starts[target]
                first, last = statement(begin_off, begin_off)
        out.append((c, first, last))
    return lexed, out


# --- JavaScript (mongosh) -------------------------------------------------------------------------------

_JS_SPECIAL = re.compile(r"//|/\*|['\"`/]")
_REGEX_BEFORE = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_KEYWORDS = frozenset({"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw"})


def _regex_allowed(out: list[str], s: int) -> bool:
    """A `/` starts a regular expression literal where an operand is expected (the usual heuristic)."""
    j = s - 1
    while j >= 0 and out[j].isspace():
        j -= 1
    if j < 0 or out[j] in _REGEX_BEFORE:
        return True
    k = j
    while k >= 0 and (out[k].isalnum() or out[k] in "_$"):
        k -= 1
    return "".join(out[k + 1 : j + 1]) in _REGEX_KEYWORDS


def _regex_end(text: str, s: int) -> int | None:
    in_class, i = False, s + 1
    while i < len(text) and text[i] != "\n":
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            return i + 1
        i += 1
    return None  # no closing slash on the line: it was a division


def _lex_js(text: str) -> _Lexed:
    out = list(text)
    comments: list[int] = []
    i, n = 0, len(text)
    while (m := _JS_SPECIAL.search(text, i)) is not None:
        s, tok = m.start(), m.group()
        if tok == "//":
            end = text.find("\n", s)
            end = n if end < 0 else end
            comments.append(s)
            _fill(out, s, end, text, " ")
        elif tok == "/*":
            end = _block_comment_end(text, s, nested=False)
            _fill(out, s, end, text, " ")
        elif tok in "'\"":
            end = _quoted_end(text, s, tok, backslash=True, doubled=False, stop_at_newline=True)
            _fill(out, s, end, text, "x")
        elif tok == "`":  # template literal; `${...}` nesting is not followed (rare in setup scripts)
            end = _quoted_end(text, s, "`", backslash=True, doubled=False)
            _fill(out, s, end, text, "x")
        else:
            regex_end = _regex_end(text, s) if _regex_allowed(out, s) else None
            end = s + 1 if regex_end is None else regex_end
            if regex_end is not None:
                _fill(out, s, end, text, "x")
        i = max(end, s + 1)
    return _blanked(text, out, comments)


def _block_end(lexed: _Lexed, target: int, *, closers: str, compact: bool = False) -> int:
    """Last line of the construct at `target`: deeper-indented lines (blank and comment lines inside do not end
    it), then one closing line at the same indentation starting with one of `closers`."""
    lines, code = lexed.lines, lexed.code
    base, last = _indent(lines[target]), target
    for j in range(target + 1, len(lines)):
        if not code[j]:
            continue
        ind, stripped = _indent(lines[j]), lines[j].strip()
        if ind > base:
            last = j
        elif ind == base and compact and (stripped == "-" or stripped.startswith(("- ", "-\t"))):
            last = j  # `key:` followed by a sequence at the key's own indentation
        elif ind == base and stripped[0] in closers:
            return j
        else:
            break
    return last


def _js_targets(text: str) -> _Targets:
    lexed = _lex_js(text)
    out = []
    for c in lexed.comments:
        target = c.line if c.trailing else _next_code(lexed.code, c.line)
        if target is None:
            out.append((c, c.line, c.line))
        else:
            out.append((c, target, _block_end(lexed, target, closers="})]")))
    return lexed, out


# --- YAML -----------------------------------------------------------------------------------------------

_BLOCK_SCALAR = re.compile(r"(?:^|[ \t])[|>][0-9+\-]*[ \t]*$")
_LIST_PREFIX = re.compile(r"[ \t]*(?:-[ \t]+)*")
_OPENS_AFTER_SPACE = frozenset(":-?")
_OPENS_AFTER = frozenset("[{,")
_BARE_KEY = re.compile(r":(?:[ \t]+[&!]\S*)*[ \t]*$")  # `key:` (maybe `key: &anchor`) with its value below


def _yaml_line(line: str, quote: str | None) -> tuple[int | None, str | None]:
    """Where a comment starts on a YAML line (None: none) and the quoted scalar still open at its end.

    `#` starts a comment at line start or after whitespace, outside quotes. A quote opens a scalar only where
    a value can start (line start, after `: `, `- `, `[`, `{`, `,`): `it's` is plain text."""
    prev: str | None = None
    j, n = 0, len(line)
    while j < n:
        ch = line[j]
        if quote == '"':
            if ch == "\\":
                j += 2
                continue
            if ch == '"':
                quote, prev = None, ch
        elif quote == "'":
            if ch == "'" and j + 1 < n and line[j + 1] == "'":
                j += 2
                continue
            if ch == "'":
                quote, prev = None, ch
        elif ch == "#" and (j == 0 or line[j - 1] in " \t"):
            return j, None
        elif ch in "'\"" and (
            prev is None or prev in _OPENS_AFTER or (prev in _OPENS_AFTER_SPACE and line[j - 1] in " \t")
        ):
            quote = ch
        elif not ch.isspace():
            prev = ch
        j += 1
    return None, quote


def _block_parent(line: str) -> int:
    """Indentation a block scalar's content must exceed: its key's column (or its list dash's, for `- |`)."""
    prefix = _LIST_PREFIX.match(line)
    col = prefix.end() if prefix else 0
    if line[col:].lstrip().startswith(("|", ">")):
        return line.rfind("-", 0, col) if col > 0 else col
    return col


def _lex_yaml(text: str) -> _Lexed:
    lines = text.split("\n")
    code: list[bool] = []
    comments: list[_Comment] = []
    quote: str | None = None
    block: int | None = None  # parent indentation of the block scalar being read
    for idx, line in enumerate(lines):
        stripped = line.strip()
        if block is not None and stripped and _indent(line) <= block:
            block = None
        # Block scalar content is scanned as YAML line by line: PowerSync embeds sync rules (YAML) that way,
        # and their comments may carry directives. Quotes do not carry over its lines.
        in_block = block is not None
        start_quoted = quote is not None and not in_block
        col, open_quote = _yaml_line(line, None if in_block else quote)
        if not in_block:
            quote = open_quote
        head = line if col is None else line[:col]
        has_code = start_quoted or bool(head.strip())
        code.append(has_code)
        if col is not None:
            comments.append(_Comment(idx, col, has_code))
        if not in_block and quote is None and _BLOCK_SCALAR.search(head.rstrip()):
            block = _block_parent(line)
    return _Lexed(lines, code, comments)


def _yaml_targets(text: str) -> _Targets:
    lexed = _lex_yaml(text)
    out = []
    for c in lexed.comments:
        target = c.line if c.trailing else _next_code(lexed.code, c.line)
        if target is None:
            out.append((c, c.line, c.line))
            continue
        head, _ = _yaml_line(lexed.lines[target], None)
        line = lexed.lines[target] if head is None else lexed.lines[target][:head]
        compact = _BARE_KEY.search(line.rstrip()) is not None
        out.append((c, target, _block_end(lexed, target, closers="]}", compact=compact)))
    return lexed, out


# --- line-oriented files: postgresql.conf, pg_hba.conf, .properties, .env -------------------------------


def _conf_comment(line: str, quote: str) -> int | None:
    """postgresql.conf (`'...'`, with `''` and backslash escapes) and pg_hba.conf (`"..."`): `#` outside quotes
    starts a comment anywhere on the line."""
    inside, j = False, 0
    while j < len(line):
        ch = line[j]
        if inside and ch == "\\" and quote == "'":
            j += 2
            continue
        if ch == quote:
            if inside and j + 1 < len(line) and line[j + 1] == quote:
                j += 2
                continue
            inside = not inside
        elif ch == "#" and not inside:
            return j
        j += 1
    return None


def _env_comment(line: str) -> int | None:
    """.env and other files: `#` at line start or after whitespace, not inside a quoted value."""
    j = _indent(line)
    if line[j:].startswith("#"):
        return j
    eq = line.find("=")
    value = eq + 1 + _indent(line[eq + 1 :]) if eq >= 0 else len(line)
    if value < len(line) and line[value] in "'\"":
        j = _quoted_end(line, value, line[value], backslash=line[value] == '"', doubled=False)
    for k in range(max(j, 1), len(line)):
        if line[k] == "#" and line[k - 1] in " \t":
            return k
    return None


def _continues(line: str, kind: str) -> bool:
    """hba (PostgreSQL 16+) and properties join a line ending in a backslash with the next one."""
    body = line.rstrip("\r")
    if kind == _HBA:
        return body.endswith("\\")
    if kind == _PROPERTIES:
        return (len(body) - len(body.rstrip("\\"))) % 2 == 1
    return False


def _lex_lines(text: str, kind: str) -> tuple[_Lexed, list[bool]]:
    lines = text.split("\n")
    code: list[bool] = []
    comments: list[_Comment] = []
    joined: list[bool] = []  # line idx continues into idx + 1
    in_comment = False  # hba: a backslash at the end of a comment carries the comment on
    for idx, line in enumerate(lines):
        after_join = idx > 0 and joined[idx - 1]
        col: int | None
        if in_comment and after_join:
            col = None
            has_code = False
        elif kind == _PROPERTIES:
            lead = _indent(line)
            # A continuation line is value text even when it starts with `#`; comments have no continuation.
            col = lead if not after_join and line[lead:].startswith(("#", "!")) else None
            has_code = col is None and bool(line.strip())
        else:
            col = _conf_comment(line, "'" if kind == _PGCONF else '"') if kind != _HASH else _env_comment(line)
            has_code = bool((line if col is None else line[:col]).strip())
        if col is not None:
            comments.append(_Comment(idx, col, has_code))
        in_comment = (col is not None or (in_comment and after_join)) and kind == _HBA
        continues = _continues(line, kind) and not (kind == _PROPERTIES and col is not None)
        joined.append(continues)
        code.append(has_code)
    return _Lexed(lines, code, comments), joined


def _line_targets(text: str, kind: str) -> _Targets:
    lexed, joined = _lex_lines(text, kind)
    out = []
    for c in lexed.comments:
        target = c.line if c.trailing else _next_code(lexed.code, c.line)
        if target is None:
            out.append((c, c.line, c.line))
            continue
        first = target
        while first > 0 and joined[first - 1]:
            first -= 1
        last = target
        while last + 1 < len(lexed.lines) and joined[last]:
            last += 1
        out.append((c, first, last))
    return lexed, out


# --- directives -----------------------------------------------------------------------------------------

_HEAD = re.compile(r"[^\w\s]*[ \t]*(replint:)[ \t]*")
_IGNORE = re.compile(r"ignore(?=[\s\[]|$)[ \t]*")
_SEPARATOR = re.compile(r"(?:(?:[:\u2013\u2014]|--?)[ \t]*)+")


def _parse(body: str) -> tuple[tuple[str, ...], str, str | None]:
    """(rule ids, reason, problem) of the text after `replint:`."""
    m = _IGNORE.match(body)
    if m is None:
        word = body.split(None, 1)[0] if body.strip() else ""
        return (), "", f"unknown directive '{word[:40]}' (only `ignore` exists)" if word else "nothing after `replint:`"
    rest = body[m.end() :]
    if not rest.startswith("["):
        return (), rest.strip(), "no rule ids in brackets after `ignore`"
    close = rest.find("]")
    if close < 0:
        return (), "", "the rule id list `[` is not closed"
    rules = tuple(r.strip() for r in rest[1:close].split(",") if r.strip())
    after = rest[close + 1 :].strip()
    sep = _SEPARATOR.match(after)
    reason = (after[sep.end() :] if sep else after).strip()
    if not rules:
        return rules, reason, "the rule id list is empty"
    if not reason:
        return rules, reason, "no reason after the rule ids (say why the finding is acceptable)"
    return rules, reason, None


def scan(path: str, text: str) -> list[Directive]:
    """Every `replint:` directive in one file, with the lines it covers; malformed ones carry `problem`."""
    if MARKER not in text:
        return []  # the common case, kept cheap: projects have thousands of files
    kind = _kind(path, text)
    if kind is None:
        return []
    if kind == _SQL:
        lexed, targets = _sql_targets(text)
    elif kind == _JS:
        lexed, targets = _js_targets(text)
    elif kind == _YAML:
        lexed, targets = _yaml_targets(text)
    else:
        lexed, targets = _line_targets(text, kind)
    # Findings about the file as a whole (a key that is missing) sit at line 1, column 1. A directive in the
    # file's leading comments — before any code — covers them too: there is nowhere else to put it.
    header = next((j for j, c in enumerate(lexed.code) if c), len(lexed.code))
    found = []
    for c, first, last in targets:
        line = lexed.lines[c.line]
        m = _HEAD.match(line, c.col + (1 if line[c.col] in "#!" else 2))
        if m is None:
            continue
        marker = m.start(1)
        text_end = len(line.rstrip())
        if kind == _HBA and line[:text_end].endswith("\\"):
            text_end = len(line[: text_end - 1].rstrip())  # the continuation backslash is no part of the reason
        end = max(marker + 1, text_end)
        rules, reason, problem = _parse(line[m.end() : end])
        span = Span(path, c.line + 1, marker + 1, c.line + 1, end)
        start = 0 if c.line < header else first
        found.append(Directive(span, rules, reason, start + 1, max(start, last) + 1, problem))
    return found


# --- applying -------------------------------------------------------------------------------------------


def _report(rule: str, d: Directive, message: str, key: str, fix: str | None = None) -> Finding:
    doc = builtin_check(rule)
    assert doc is not None, rule  # the constants come from lint.rules
    return Finding(
        rule,
        doc.severity,
        mask_line(message),
        d.span,
        key=f"{d.span.path}:{key}:{mask_line(d.reason)}",
        fix=None if fix is None else mask_line(fix),
    )


def _unknown(d: Directive, rule: str, known: Sequence[str], prefix: str) -> Finding:
    close = difflib.get_close_matches(rule, known, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else " (see `replint list-policies`)"
    fix = f"{prefix} replint: ignore[{close[0]}] {d.reason}" if close else None
    return _report(SUPPRESSION_INVALID, d, f"suppression names unknown rule '{rule}'{hint}", rule, fix)


@dataclass(frozen=True)
class _Judge:
    """What decides a directive's fate: the rule ids, the project's and policies' switches."""

    resolve: Callable[[str], str | None]
    allow_inline: bool
    unsuppressible: frozenset[str]
    known: tuple[str, ...]


def apply(
    findings: Sequence[Finding],
    sources: Mapping[str, str],
    *,
    resolve: Callable[[str], str | None],
    allow_inline: bool = True,
    unsuppressible: frozenset[str] = frozenset(),
    known: Iterable[str] = (),
) -> list[Finding]:
    """All `findings` (those a directive covers marked `inSource`) plus the `suppression-*` findings.

    `resolve` maps an id or alias to its canonical policy id (None: unknown); `known` only feeds "did you
    mean" hints. A finding already suppressed (e.g. by a baseline) keeps that suppression but still counts as
    matched, so its directive is not reported unused.
    """
    out = list(findings)
    by_path: dict[str, list[int]] = {}
    for i, f in enumerate(out):
        by_path.setdefault(f.span.path, []).append(i)
    judge = _Judge(resolve, allow_inline, unsuppressible, tuple(sorted(set(known))))
    new: list[Finding] = []
    for path in sorted(sources):
        text = sources[path]
        if MARKER not in text:
            continue
        prefix = _prefix(_kind(path, text))
        for d in scan(path, text):
            new.extend(_judge(d, judge, prefix, out, by_path.get(path, [])))
    return out + new


def _judge(d: Directive, judge: _Judge, prefix: str, out: list[Finding], indices: list[int]) -> list[Finding]:
    ids = ",".join(d.rules)
    if not judge.allow_inline:
        return [
            _report(
                SUPPRESSION_DISALLOWED,
                d,
                "inline suppressions are turned off for this project (`inline_suppressions: false` in "
                ".replint.yaml); the finding stays active",
                ids,
            )
        ]
    if d.problem is not None:
        syntax = f"`{prefix} replint: ignore[rule-id] reason`"
        message = f"malformed suppression: {d.problem}; write {syntax}"
        return [_report(SUPPRESSION_INVALID, d, message, f"{ids}:{d.problem}")]
    reports = []
    for rule in d.rules:
        canonical = judge.resolve(rule)
        if rule in _OWN_CHECKS or canonical in _OWN_CHECKS:
            reports.append(
                _report(SUPPRESSION_INVALID, d, f"'{rule}' reports suppressions and cannot be suppressed inline", rule)
            )
        elif canonical is None:
            reports.append(_unknown(d, rule, judge.known, prefix))
        elif canonical in judge.unsuppressible:
            reports.append(
                _report(
                    SUPPRESSION_DISALLOWED,
                    d,
                    f"policy '{canonical}' may not be suppressed inline (`suppressible: false`); its finding "
                    "stays active",
                    canonical,
                )
            )
        elif not _suppress(d, canonical, out, indices, judge.resolve):
            where = f"line {d.first_line}" if d.first_line == d.last_line else f"lines {d.first_line}-{d.last_line}"
            reports.append(
                _report(
                    SUPPRESSION_UNUSED,
                    d,
                    f"suppression of '{rule}' silences nothing: no such finding on {where}",
                    canonical,
                    fix="delete the comment, or move it directly above the statement, key or line of the finding",
                )
            )
    return reports


def _suppress(
    d: Directive, canonical: str, out: list[Finding], indices: list[int], resolve: Callable[[str], str | None]
) -> bool:
    """Mark the findings of rule `canonical` on the directive's lines; False when there is none."""
    matched = False
    for i in indices:
        f = out[i]
        if not d.first_line <= f.span.line <= d.last_line or f.rule in _OWN_CHECKS:
            continue
        if f.rule != canonical and resolve(f.rule) != canonical:
            continue
        matched = True
        if f.suppressed is None:
            out[i] = replace(f, suppressed=Suppression("inSource", mask_line(d.reason)))
    return matched
