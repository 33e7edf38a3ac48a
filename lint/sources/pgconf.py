"""`postgresql.conf` (and files it includes) -> settings with exact spans, plus unit and boolean helpers.

The grammar is PostgreSQL's own configuration-file lexer (`src/backend/utils/misc/guc-file.l`, described in
https://www.postgresql.org/docs/current/config-setting.html): one `name [=] value` per line, `#` comments,
names are an identifier or `class.identifier`, values are an identifier, a number (with unit letters glued
on), an unquoted string of letters/digits/`-._:/`, or a single-quoted string. Tokens never span lines, so
the file is read line by line; a broken line becomes a `parse` problem and reading goes on with the next
one (PostgreSQL itself refuses the whole file at start-up, which the message says).

Includes are followed through a `FileAccess` callable so the reader stays pure and confined to the project.
`read_pgconf` never raises: every problem is a `Problem`.
"""

from __future__ import annotations

import math
import posixpath
import re
from dataclasses import dataclass
from typing import Literal, Protocol

from lint.pgparams import PARAMETERS
from lint.span import LineIndex, Span, line_bounds
from lint.yamlsrc import Problem

__all__ = [
    "GUC_UNITS",
    "ConfFile",
    "ConfSetting",
    "FileAccess",
    "duration_ms",
    "effective",
    "is_server_config",
    "looks_like_pgconf",
    "memory_bytes",
    "parse_bool",
    "parse_int",
    "read_pgconf",
    "resolve_include",
]


class FileAccess(Protocol):
    """How a reader reaches other project files (include directives, `@file` lists)."""

    def read(self, rel: str) -> tuple[str | None, str | None]:
        """(text, None), or (None, an error such as "does not exist") for a normalised project path."""
        ...

    def listdir(self, rel: str) -> list[str] | None:
        """File names in that project directory, or None if it is not a directory in the project."""
        ...


@dataclass(frozen=True)
class ConfSetting:
    name: str  # lower case, e.g. "wal_level"
    value: str  # as PostgreSQL sees it: quotes removed, escapes processed
    span: Span  # the assignment "name = value" (not the trailing comment)
    value_span: Span  # the value token (quotes included)
    file: str  # rel path of the file it is in (top file or an included one)


@dataclass(frozen=True)
class ConfFile:
    path: str  # the top file
    settings: tuple[ConfSetting, ...]  # all assignments in effective order, includes expanded in place
    files: tuple[str, ...]  # every file read, top first
    problems: tuple[Problem, ...]


# PostgreSQL's CONF_FILE_MAX_DEPTH: the top file is depth 0 and depth 11 is refused.
MAX_INCLUDE_DEPTH = 10
# Bounds against hostile input; real configurations have a few hundred settings in a handful of files.
MAX_FILES = 200
MAX_SETTINGS = 50_000
MAX_PROBLEMS = 200
MAX_LINE_CHARS = 100_000

REFUSE = "the server will refuse to start with this file"


def effective(conf: ConfFile) -> dict[str, ConfSetting]:
    """The setting in force for each name: the last assignment wins (config-setting.html)."""
    out: dict[str, ConfSetting] = {}
    for s in conf.settings:
        out[s.name] = s
    return out


# --------------------------------------------------------------------------------------------------------
# Lexer: the token rules of guc-file.l, in its order (flex takes the longest match, ties go to the first rule)

_LETTER = "A-Za-z_\u0080-\U0010ffff"  # PostgreSQL counts every byte >= 0x80 as a letter
_ID = rf"[{_LETTER}][{_LETTER}0-9]*"
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("id", re.compile(_ID)),
    ("qualified_id", re.compile(rf"{_ID}\.{_ID}")),
    ("string", re.compile(r"'(?:[^'\\\n]|\\.|'')*'")),
    ("unquoted", re.compile(rf"[{_LETTER}][{_LETTER}0-9\-._:/]*")),
    # Hex first so that `0x1F` is not cut at `0` (flex's longest match would take the hex reading).
    ("integer", re.compile(r"[-+]?(?:0x[0-9a-fA-F]+|[0-9]+)[a-zA-Z]*")),
    ("real", re.compile(r"[-+]?[0-9]*\.[0-9]*(?:[Ee][-+]?[0-9]+)?")),
    ("equals", re.compile(r"=")),
)
_BLANK = re.compile(r"[ \t\r]+")
VALUE_KINDS = frozenset({"id", "string", "integer", "real", "unquoted"})


@dataclass(frozen=True)
class _Tok:
    kind: str  # a rule name above, or "error" for a character no rule accepts
    text: str
    start: int  # offsets in the whole file text, [start, end)
    end: int


def _lex_line(text: str, start: int, end: int) -> list[_Tok]:
    """Tokens of one line (without its newline); a `#` outside a quoted string ends the line."""
    toks: list[_Tok] = []
    pos = start
    while pos < end:
        m = _BLANK.match(text, pos, end)
        if m:
            pos = m.end()
            continue
        if text[pos] == "#":
            break
        best: tuple[str, int] | None = None
        for kind, rx in _RULES:
            m = rx.match(text, pos, end)
            if m and m.end() > pos and (best is None or m.end() > best[1]):
                best = (kind, m.end())
        kind, stop = best if best else ("error", pos + 1)
        toks.append(_Tok(kind, text[pos:stop], pos, stop))
        pos = stop
    return toks


_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def unquote(token: str) -> str:
    """A quoted value as PostgreSQL sees it (DeescapeQuotedString): `''` and backslash escapes processed."""
    body = token[1:-1] if len(token) >= 2 and token[0] == token[-1] == "'" else token
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
            elif "0" <= nxt <= "7":
                j = i + 1
                while j < len(body) and j < i + 4 and "0" <= body[j] <= "7":
                    j += 1
                out.append(chr(int(body[i + 1 : j], 8) & 0xFF))
                i = j
            else:
                out.append(nxt)
                i += 2
        elif ch == "'" and i + 1 < len(body) and body[i + 1] == "'":
            out.append("'")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------------------
# Include paths


def resolve_include(including_file: str, arg: str) -> tuple[str | None, str | None]:
    """(normalised project path, None) or (None, why it cannot be read).

    PostgreSQL resolves a relative include against the directory of the file that contains it.
    """
    if not arg:
        return None, "names no file"
    if arg.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", arg) or arg.startswith("\\\\"):
        return None, "absolute"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(including_file), arg))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None, "outside"
    return joined, None


def is_missing(error: str) -> bool:
    """Whether a FileAccess error means the file is simply not there (include_if_exists stays silent)."""
    e = error.lower()
    return "does not exist" in e or "no such file" in e or "not found" in e


def conf_files_in_dir(names: list[str]) -> list[str]:
    """The names PostgreSQL's include_dir reads: `*.conf`, not hidden, in C-locale (byte) order."""
    picked = [n for n in names if n.endswith(".conf") and not n.startswith(".") and "/" not in n]
    return sorted(picked, key=lambda n: n.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------------------------------------
# Reader


class _Reader:
    def __init__(self, top: str, access: FileAccess | None) -> None:
        self.top = top
        self.access = access
        self.settings: list[ConfSetting] = []
        self.files: list[str] = []
        self.problems: list[Problem] = []
        self.stack: list[str] = []

    def problem(self, kind: str, message: str, span: Span) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(kind, message, span))

    def read_file(self, path: str, text: str, depth: int) -> None:
        if path not in self.files:
            self.files.append(path)
        self.stack.append(path)
        try:
            index = LineIndex(text)
            for start, end in line_bounds(text):
                if len(self.settings) >= MAX_SETTINGS:
                    self.problem(
                        "parse",
                        f"more than {MAX_SETTINGS} settings; the rest was not read",
                        index.span(path, start, end),
                    )
                    return
                self.read_line(path, text, index, start, end, depth=depth)
        finally:
            self.stack.pop()

    def read_line(self, path: str, text: str, index: LineIndex, start: int, end: int, *, depth: int) -> None:
        if end - start > MAX_LINE_CHARS:
            self.problem(
                "parse",
                f"line longer than {MAX_LINE_CHARS} characters was not read; {REFUSE}",
                index.span(path, start, start + 1),
            )
            return
        toks = _lex_line(text, start, end)
        if not toks:
            return
        err = _line_error(toks)
        if err is not None:
            tok, why = err
            at = index.span(path, tok.start, tok.end) if tok else index.span(path, toks[0].start, toks[-1].end)
            self.problem("parse", f"syntax error: {why}; {REFUSE}", at)
            return
        name_tok = toks[0]
        value_tok = toks[-1]
        name = name_tok.text.lower()
        value = unquote(value_tok.text) if value_tok.kind == "string" else value_tok.text
        value_span = index.span(path, value_tok.start, value_tok.end)
        if name in ("include", "include_if_exists", "include_dir"):
            self.include(path, name, value, value_span, depth)
            return
        self.settings.append(
            ConfSetting(name, value, index.span(path, name_tok.start, value_tok.end), value_span, path)
        )

    # ---- includes

    def include(self, path: str, directive: str, arg: str, span: Span, depth: int) -> None:
        target, why = resolve_include(path, arg)
        if target is None:
            self.problem("include", _unreadable(directive, arg, why), span)
            return
        if self.access is None:
            self.problem(
                "include",
                f"{directive} '{arg}' was not followed (no project file access here), "
                "so the settings in it were not checked",
                span,
            )
            return
        if directive == "include_dir":
            self.include_dir(directive, arg, target, span, depth)
        else:
            self.include_file(directive, arg, target, span, depth, missing_ok=directive == "include_if_exists")

    def include_dir(self, directive: str, arg: str, target: str, span: Span, depth: int) -> None:
        assert self.access is not None
        names = self.access.listdir(target)
        if names is None:
            self.problem(
                "include",
                f"{directive} '{arg}' ({target}) is not a directory in the project; "
                f"PostgreSQL cannot open it and {REFUSE}",
                span,
            )
            return
        for name in conf_files_in_dir(names):
            child = posixpath.join(target, name) if target != "." else name
            if self.access.listdir(child) is not None:
                continue  # PostgreSQL skips anything that is not a regular file
            self.include_file(directive, arg, child, span, depth, missing_ok=False)

    def include_file(self, directive: str, arg: str, target: str, span: Span, depth: int, *, missing_ok: bool) -> None:
        assert self.access is not None
        if target in self.stack:
            chain = " -> ".join([*self.stack[self.stack.index(target) :], target])
            self.problem(
                "include",
                f"{directive} '{arg}' forms an include cycle ({chain}); PostgreSQL stops at "
                f"nesting depth {MAX_INCLUDE_DEPTH} and {REFUSE}",
                span,
            )
            return
        if depth + 1 > MAX_INCLUDE_DEPTH:
            self.problem(
                "include",
                f"{directive} '{arg}' is nested more than {MAX_INCLUDE_DEPTH} levels deep; "
                f"PostgreSQL refuses that and {REFUSE}",
                span,
            )
            return
        if len(self.files) >= MAX_FILES:
            self.problem("include", f"more than {MAX_FILES} included files; {target} was not read", span)
            return
        text, error = self.access.read(target)
        if text is None:
            error = error or "could not be read"
            if missing_ok and is_missing(error):
                return  # include_if_exists: PostgreSQL skips a missing file silently
            self.problem(
                "include",
                f"{directive} '{arg}': {target} {error}, so its settings were not checked"
                + ("" if missing_ok else f"; {REFUSE} (use include_if_exists for an optional file)"),
                span,
            )
            return
        self.read_file(target, text, depth + 1)


def _unreadable(directive: str, arg: str, why: str | None) -> str:
    if why == "absolute":
        return (
            f"{directive} '{arg}' is an absolute path on the database server, outside the project, "
            "so the settings in it were not checked; commit that file and include it by a relative path "
            "to have it checked"
        )
    if why == "outside":
        return f"{directive} '{arg}' points outside the project, so the settings in it were not checked"
    return f"{directive} names no file; {REFUSE}"


def _line_error(toks: list[_Tok]) -> tuple[_Tok | None, str] | None:
    """Why a non-empty line is not `name [=] value` (ParseConfigFp), with the offending token (None = end)."""
    for t in toks:
        if t.kind == "error" and t.text == "'":
            return t, "unterminated quoted string (close the quote on the same line; write '' for a quote inside it)"
    first = toks[0]
    if first.kind not in ("id", "qualified_id"):
        return first, "expected a parameter name at the start of the line"
    i = 1
    if i < len(toks) and toks[i].kind == "equals":
        i += 1
    if i >= len(toks):
        return None, f"missing value for '{first.text}'"
    val = toks[i]
    if val.kind == "equals":
        return val, f"'{first.text}' has more than one '='"
    if val.kind == "qualified_id":
        return val, f"the value of '{first.text}' must be quoted (an unquoted value with one dot is read as a name)"
    if val.kind not in VALUE_KINDS:
        return val, f"the value of '{first.text}' is not a valid value (quote it)"
    if i + 1 < len(toks):
        return toks[i + 1], (
            f"unexpected text after the value of '{first.text}' "
            "(quote a value that has spaces or a fraction with a unit, e.g. '100 ms', '1.5GB')"
        )
    return None


def read_pgconf(path: str, text: str, access: FileAccess | None = None) -> ConfFile:
    """Read `text` (the file at project path `path`) and every file it includes."""
    reader = _Reader(path, access)
    try:
        reader.read_file(path, text, 0)
    except Exception:  # RecursionError and friends: never raise on hostile input, say so instead
        reader.problems.append(
            Problem("parse", "postgresql.conf: could not be read completely (internal error)", Span.point(path, 1))
        )
    files = reader.files or [path]
    return ConfFile(path, tuple(reader.settings), tuple(files), tuple(reader.problems))


# --------------------------------------------------------------------------------------------------------
# Sniffing

WELL_KNOWN_GUCS = frozenset(
    {
        "wal_level",
        "max_wal_senders",
        "max_replication_slots",
        "max_slot_wal_keep_size",
        "wal_keep_size",
        "shared_buffers",
        "listen_addresses",
        "port",
        "max_connections",
        "work_mem",
        "maintenance_work_mem",
        "effective_cache_size",
        "max_wal_size",
        "min_wal_size",
        "checkpoint_timeout",
        "hba_file",
        "ident_file",
        "data_directory",
        "ssl",
        "ssl_cert_file",
        "ssl_key_file",
        "shared_preload_libraries",
        "archive_mode",
        "archive_command",
        "hot_standby",
        "synchronous_commit",
        "log_destination",
        "logging_collector",
        "log_line_prefix",
        "log_timezone",
        "timezone",
        "datestyle",
        "lc_messages",
        "default_text_search_config",
        "dynamic_shared_memory_type",
        "wal_sender_timeout",
        "logical_decoding_work_mem",
        "password_encryption",
        "unix_socket_directories",
        "rds.logical_replication",
        "cloudsql.logical_decoding",
        "azure.replication_support",
        "include_dir",
        "include",
        "include_if_exists",
        "wal_buffers",
        "random_page_cost",
        "effective_io_concurrency",
        "max_worker_processes",
        "max_parallel_workers",
    }
)
_COMMENTED_GUC = re.compile(r"[ \t]*#[ \t]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)[ \t]*=")


# An INI section header (`[Definition]`, `[program:postgres]`, `[mydb]`): fail2ban filters, supervisor configs
# and libpq's pg_service.conf use them; the server's parser rejects them, so a real postgresql.conf has none.
_SECTION = re.compile(r"^[ \t]*\[[^\]\n]*\][ \t]*(?:[#;][^\n]*)?$", re.M)


_LINE_NAME = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class _Tally:
    good: int  # lines that are `name [=] value`
    bad: int  # lines that are not
    known: bool  # some assignment names a well-known parameter
    commented_known: int  # commented-out assignments of well-known parameters (a sample file)
    parameter: bool  # some line, well-formed or not, starts with a server parameter's name


def _tally(text: str) -> _Tally:
    good = bad = commented_known = 0
    known = parameter = False
    for start, end in line_bounds(text):
        if end - start > 10_000:
            bad += 1
            head = _LINE_NAME.match(text, start, min(end, start + 200))  # not lexed: just whose line it is
            parameter = parameter or bool(head and head.group(1).lower() in PARAMETERS)
            continue
        toks = _lex_line(text, start, end)
        if not toks:
            m = _COMMENTED_GUC.match(text, start, end)
            if m and m.group(1).lower() in WELL_KNOWN_GUCS:
                commented_known += 1
            continue
        name = toks[0].text.lower()
        parameter = parameter or name in PARAMETERS or toks[0].kind == "qualified_id"
        if _line_error(toks) is None and (len(toks) == 3 or name in WELL_KNOWN_GUCS):
            good += 1
            known = known or name in WELL_KNOWN_GUCS
        else:
            bad += 1
    return _Tally(good, bad, known, commented_known, parameter)


def looks_like_pgconf(text: str) -> bool:
    """Cheap sniff for a `*.conf` not named postgresql*.conf: mostly valid `name = value` lines, at least two
    of them, at least one a well-known GUC. A file of only commented-out defaults (a sample) also counts."""
    if len(text) > 5 * 1024 * 1024 or _SECTION.search(text) is not None:
        return False
    t = _tally(text)
    if t.good == 0 and t.bad == 0:
        return t.commented_known >= 5
    return t.known and t.good >= 2 and t.good >= 4 * t.bad


def is_server_config(text: str) -> bool:
    """Whether a file *named* like postgresql.conf holds server settings. The name is taken at its word unless
    the content is plainly another format: INI sections (a fail2ban filter or supervisor program named for the
    server), or lines that are not assignments and no PostgreSQL parameter anywhere (logrotate's `path { ... }`).
    A real postgresql.conf with a broken line still names parameters, so it is kept and its error reported."""
    if _SECTION.search(text) is not None:
        return False
    t = _tally(text)
    return t.parameter or t.commented_known > 0 or t.bad == 0


# --------------------------------------------------------------------------------------------------------
# Values: units, integers, booleans (guc.c parse_int / convert_to_base_unit / parse_bool)

Family = Literal["memory", "time"]

# Base unit of each integer GUC with a unit, as `pg_settings.unit` shows it ("8kB" = pages of BLCKSZ).
# https://www.postgresql.org/docs/current/runtime-config.html ("If this value is specified without units, ...")
GUC_UNITS: dict[str, tuple[Family, str]] = {
    # WAL and replication
    "max_slot_wal_keep_size": ("memory", "MB"),
    "wal_keep_size": ("memory", "MB"),
    "max_wal_size": ("memory", "MB"),
    "min_wal_size": ("memory", "MB"),
    "wal_buffers": ("memory", "8kB"),
    "wal_writer_flush_after": ("memory", "8kB"),
    "wal_skip_threshold": ("memory", "kB"),
    "logical_decoding_work_mem": ("memory", "kB"),
    "wal_sender_timeout": ("time", "ms"),
    "wal_receiver_timeout": ("time", "ms"),
    "wal_receiver_status_interval": ("time", "s"),
    "wal_retrieve_retry_interval": ("time", "ms"),
    "wal_writer_delay": ("time", "ms"),
    # PG 18: "If this value is specified without units, it is taken as seconds" (runtime-config-replication)
    "idle_replication_slot_timeout": ("time", "s"),
    "wal_summary_keep_time": ("time", "min"),
    "max_standby_archive_delay": ("time", "ms"),
    "max_standby_streaming_delay": ("time", "ms"),
    "recovery_min_apply_delay": ("time", "ms"),
    "archive_timeout": ("time", "s"),
    "checkpoint_timeout": ("time", "s"),
    "checkpoint_warning": ("time", "s"),
    "checkpoint_flush_after": ("memory", "8kB"),
    # memory
    "shared_buffers": ("memory", "8kB"),
    "temp_buffers": ("memory", "8kB"),
    "effective_cache_size": ("memory", "8kB"),
    "bgwriter_flush_after": ("memory", "8kB"),
    "backend_flush_after": ("memory", "8kB"),
    "work_mem": ("memory", "kB"),
    "maintenance_work_mem": ("memory", "kB"),
    "autovacuum_work_mem": ("memory", "kB"),
    "max_stack_depth": ("memory", "kB"),
    "temp_file_limit": ("memory", "kB"),
    "log_temp_files": ("memory", "kB"),
    "gin_pending_list_limit": ("memory", "kB"),
    "min_dynamic_shared_memory": ("memory", "MB"),
    "track_activity_query_size": ("memory", "B"),
    "log_parameter_max_length": ("memory", "B"),
    "log_parameter_max_length_on_error": ("memory", "B"),
    # timeouts and intervals
    "statement_timeout": ("time", "ms"),
    "lock_timeout": ("time", "ms"),
    "idle_in_transaction_session_timeout": ("time", "ms"),
    "idle_session_timeout": ("time", "ms"),
    "transaction_timeout": ("time", "ms"),
    "deadlock_timeout": ("time", "ms"),
    "authentication_timeout": ("time", "s"),
    "bgwriter_delay": ("time", "ms"),
    "autovacuum_naptime": ("time", "s"),
    "log_min_duration_statement": ("time", "ms"),
    "log_autovacuum_min_duration": ("time", "ms"),
    "log_rotation_age": ("time", "min"),
    "log_startup_progress_interval": ("time", "ms"),
    "tcp_keepalives_idle": ("time", "s"),
    "tcp_keepalives_interval": ("time", "s"),
    "tcp_user_timeout": ("time", "ms"),
    "client_connection_check_interval": ("time", "ms"),
}

# Conversion tables, largest unit first; factors in bytes / microseconds. Units are case-sensitive in PostgreSQL.
_MEMORY_UNITS: tuple[tuple[str, int], ...] = (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2), ("kB", 1024), ("B", 1))
_TIME_UNITS: tuple[tuple[str, int], ...] = (
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("min", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
)
_BASE_FACTOR: dict[str, int] = {
    "B": 1,
    "kB": 1024,
    "8kB": 8192,
    "MB": 1024**2,
    "us": 1,
    "ms": 1_000,
    "s": 1_000_000,
    "min": 60_000_000,
}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_C_SPACE = " \t\n\v\f\r"
_STRTOL = re.compile(r"[ \t\n\v\f\r]*[-+]?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)")
_STRTOD = re.compile(
    r"[ \t\n\v\f\r]*[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf(?:inity)?|nan)", re.IGNORECASE
)


def _strtol(s: str) -> tuple[int, int] | None:
    m = _STRTOL.match(s)
    if not m:
        return None
    digits = m.group().strip(_C_SPACE)
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits[:2].lower() == "0x":
        value = int(digits[2:], 16)
    elif digits.startswith("0"):
        value = int(digits, 8)
    else:
        value = int(digits)
    return sign * value, m.end()


def _number(s: str) -> tuple[float, str] | None:
    """The numeric prefix of `s` the way parse_int reads it (strtol base 0, else strtod), and the rest."""
    if len(s) > 1000:
        return None
    lon = _strtol(s)
    if lon is not None and abs(lon[0]) <= 2**63 - 1 and (lon[1] >= len(s) or s[lon[1]] not in ".eE"):
        return float(lon[0]), s[lon[1] :]
    m = _STRTOD.match(s)
    if not m:
        return None
    try:
        value = float(m.group().strip(_C_SPACE))
    except ValueError:
        return None
    if math.isnan(value):
        return None
    return value, s[m.end() :]


def _unit_of(rest: str) -> str | None:
    """'' for no unit, the unit text, or None for garbage (convert_to_base_unit: at most 3 chars, then spaces)."""
    rest = rest.lstrip(_C_SPACE)
    if not rest:
        return ""
    i = 0
    while i < len(rest) and rest[i] not in _C_SPACE and i < 3:
        i += 1
    unit, tail = rest[:i], rest[i:]
    if tail.strip(_C_SPACE):
        return None
    return unit


def _to_base(value: float, unit: str, family: Family, base: str) -> float | None:
    """value[unit] in `base` units, rounded to the next smaller unit like PostgreSQL does for `30.1GB`."""
    table = _MEMORY_UNITS if family == "memory" else _TIME_UNITS
    base_factor = _BASE_FACTOR[base]
    for i, (name, factor) in enumerate(table):
        if name != unit:
            continue
        converted = value * (factor / base_factor)
        if i + 1 < len(table):
            step = table[i + 1][1] / base_factor
            converted = round(converted / step) * step
        return converted
    return None


def _scaled(name: str, value: str, family: Family, default_base: str) -> int | None:
    """The integer PostgreSQL stores for `value`, multiplied out to the family's smallest unit, or None."""
    num = _number(value)
    if num is None:
        return None
    number, rest = num
    unit = _unit_of(rest)
    if unit is None:
        return None
    known = GUC_UNITS.get(name.lower())
    if known is not None and known[0] != family:
        return None
    if known is None and not unit:
        return None  # a bare number needs the GUC's base unit, which we do not know
    base = known[1] if known else default_base
    in_base = number if not unit else _to_base(number, unit, family, base)
    if in_base is None or math.isinf(in_base):
        return None
    stored = round(in_base)
    if stored < _INT_MIN or stored > _INT_MAX:
        return None
    return stored * _BASE_FACTOR[base] if stored not in (-1, 0) else stored


def memory_bytes(name: str, value: str) -> int | None:
    """Bytes for a memory setting (`64MB`, `'1 GB'`, bare numbers in the GUC's base unit); -1 stays -1.

    Unknown GUC names are accepted only with an explicit unit. None when PostgreSQL would reject the value.
    """
    return _scaled(name, value, "memory", "B")


def duration_ms(name: str, value: str) -> int | None:
    """Milliseconds for a time setting (`60s`, `'5 min'`, bare numbers in the GUC's base unit); -1 and 0 stay.

    Unknown GUC names are accepted only with an explicit unit (taken in milliseconds, as most timeouts are).
    """
    micros = _scaled(name, value, "time", "ms")
    if micros is None or micros in (-1, 0):
        return micros
    return micros // 1000 if micros > 0 else -(-micros // 1000)


def parse_int(value: str) -> int | None:
    """An integer GUC value without unit as PostgreSQL reads it: decimal, `0x` hex, leading-0 octal,
    fractions rounded half to even; None outside the 32-bit range or when not a number."""
    num = _number(value)
    if num is None or num[1].strip(_C_SPACE):
        return None
    if math.isinf(num[0]):
        return None
    stored = round(num[0])
    return stored if _INT_MIN <= stored <= _INT_MAX else None


def parse_bool(value: str) -> bool | None:
    """PostgreSQL's parse_bool: on/off/true/false/yes/no/1/0 and unique prefixes, case-insensitive."""
    v = value.lower()
    if not v:
        return None
    if v[0] == "t" and "true".startswith(v):
        return True
    if v[0] == "f" and "false".startswith(v):
        return False
    if v[0] == "y" and "yes".startswith(v):
        return True
    if v[0] == "n" and "no".startswith(v):
        return False
    if v[0] == "o" and len(v) >= 2:
        if "on".startswith(v):
            return True
        if "off".startswith(v):
            return False
        return None
    if v == "1":
        return True
    if v == "0":
        return False
    return None
