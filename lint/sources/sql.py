"""PostgreSQL migration files -> replication-relevant statement events, in file order.

Parsing uses libpg_query (PostgreSQL's own grammar) through pglast's JSON path, which is several times faster
than building pglast's Python node objects (DESIGN.md §2). Only statements the model needs become events; all
others are skipped cheaply. The events are replayed across files in migration order by `lint.model.replay`.

psql scripts are common in migration folders, so `:'var'` / `:var` interpolations and backslash meta-commands
are neutralised first (keeping every offset), and one statement that does not parse never hides the rest of
the file: we fall back to parsing statement by statement.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from lint.conninfo import ConnInfo
from lint.conninfo import parse as parse_conninfo
from lint.sources import dialect
from lint.sources.dialect import Evidence
from lint.span import ByteIndex, LineIndex, Span, line_end
from lint.yamlsrc import Problem

# ---------------------------------------------------------------------------------------------------------
# Events


@dataclass(frozen=True)
class Event:
    span: Span


@dataclass(frozen=True)
class RoleCreate(Event):
    name: str
    attrs: tuple[tuple[str, bool], ...]  # e.g. ("superuser", True); CREATE USER adds ("login", True)
    password: str | None  # "literal" | "hashed" | "variable" | "null" | None (no PASSWORD clause)
    password_span: Span | None
    in_roles: tuple[str, ...]  # IN ROLE x: the new role becomes a member of x
    members: tuple[str, ...]  # ROLE x: x becomes a member of the new role
    admins: tuple[str, ...]  # ADMIN x


@dataclass(frozen=True)
class RoleAlter(Event):
    name: str
    attrs: tuple[tuple[str, bool], ...]
    password: str | None
    password_span: Span | None


@dataclass(frozen=True)
class RoleSetting(Event):
    name: str
    param: str
    value: str | None  # None = RESET


@dataclass(frozen=True)
class RoleRename(Event):
    old: str
    new: str


@dataclass(frozen=True)
class RoleDrop(Event):
    names: tuple[str, ...]


@dataclass(frozen=True)
class RoleGrant(Event):
    roles: tuple[str, ...]
    grantees: tuple[str, ...]
    is_grant: bool
    # Options as written (None = not mentioned). For a REVOKE, an option set here means "revoke only that option".
    admin: bool | None
    inherit: bool | None
    set: bool | None


@dataclass(frozen=True)
class PrivGrant(Event):
    is_grant: bool
    privileges: tuple[str, ...]  # upper case; ("ALL",) for ALL [PRIVILEGES]
    objtype: str  # "table" | "schema" | "database" | "sequence" | "function" | other
    objects: tuple[str, ...]  # "schema.table" for tables, names otherwise
    all_in_schemas: tuple[str, ...]  # GRANT ... ON ALL TABLES IN SCHEMA s
    grantees: tuple[str, ...]  # "public" for PUBLIC


@dataclass(frozen=True)
class DefaultPrivs(Event):
    is_grant: bool
    for_roles: tuple[str, ...]  # empty = the role running the migration
    schemas: tuple[str, ...]  # empty = all schemas
    objtype: str
    privileges: tuple[str, ...]
    grantees: tuple[str, ...]


@dataclass(frozen=True)
class PrimaryKey:
    """A table's primary key: dropped with its constraint or with any of its columns."""

    name: str  # the constraint's name: as written, else PostgreSQL's `<table>_pkey`
    columns: tuple[str, ...]


@dataclass(frozen=True)
class TableCreate(Event):
    table: str  # schema.name
    pk: PrimaryKey | None
    partition_of: str | None
    if_not_exists: bool
    unlogged: bool = False  # never published (PostgreSQL refuses it in a publication, FOR ALL TABLES skips it)
    partitioned: bool = False  # PARTITION BY: holds no rows itself; publications carry its leaf partitions
    inherits: tuple[str, ...] = ()  # INHERITS (parents): a publication of a parent lists its children too
    owner: str | None = None  # set by CREATE SCHEMA ... AUTHORIZATION owner CREATE TABLE ...; else its creator

    @property
    def has_pk(self) -> bool:
        return self.pk is not None


@dataclass(frozen=True)
class TableAlter(Event):
    table: str
    # ("rls", "enable"|"disable"|"force"|"noforce"), ("replica_identity", "d"|"n"|"f"|"i"),
    # ("owner", role), ("add_pk", ""), ("drop_constraint", name), ("drop_column", name),
    # ("persistence", "logged"|"unlogged"), ("attach", partition), ("detach", partition)
    actions: tuple[tuple[str, str], ...]
    added_pk: PrimaryKey | None = None  # the key of an ("add_pk", "") action


@dataclass(frozen=True)
class TableRename(Event):
    """ALTER TABLE ... RENAME TO, or SET SCHEMA (`new_schema`, the name unchanged)."""

    table: str
    new_name: str
    new_schema: str | None = None


@dataclass(frozen=True)
class TableDrop(Event):
    tables: tuple[str, ...]


@dataclass(frozen=True)
class SchemaDrop(Event):
    names: tuple[str, ...]
    cascade: bool  # CASCADE drops the schemas' tables with them; without it PostgreSQL refuses a non-empty one


@dataclass(frozen=True)
class PolicyCreate(Event):
    table: str
    name: str


@dataclass(frozen=True)
class SchemaCreate(Event):
    name: str
    authorization: str | None


@dataclass(frozen=True)
class SchemaAlter(Event):
    """ALTER SCHEMA name RENAME TO new_name, or OWNER TO owner."""

    name: str
    new_name: str | None
    owner: str | None


@dataclass(frozen=True)
class OwnedChange(Event):
    """REASSIGN OWNED BY roles TO new_owner, or DROP OWNED BY roles (new_owner None): in the current database."""

    roles: tuple[str, ...]
    new_owner: str | None


@dataclass(frozen=True)
class PartialTable:
    """A published table with a row filter (`WHERE (...)`) or a column list (PostgreSQL 15+)."""

    table: str
    row_filter: bool
    columns: tuple[str, ...] | None  # None: every column


@dataclass(frozen=True)
class PublicationCreate(Event):
    name: str
    all_tables: bool
    tables: tuple[str, ...]
    schemas: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    partial: tuple[PartialTable, ...] = ()
    only: tuple[str, ...] = ()  # tables written with ONLY: their inheritance children are not added


@dataclass(frozen=True)
class PublicationAlter(Event):
    name: str
    action: str  # "add" | "drop" | "set" | "options" | "owner" | "rename"
    tables: tuple[str, ...]
    schemas: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    new_name: str | None = None
    partial: tuple[PartialTable, ...] = ()
    only: tuple[str, ...] = ()  # tables written with ONLY: their inheritance children are not added or dropped


@dataclass(frozen=True)
class PublicationDrop(Event):
    names: tuple[str, ...]


@dataclass(frozen=True)
class SubscriptionCreate(Event):
    name: str
    conninfo: ConnInfo
    conninfo_span: Span
    publications: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    option_spans: tuple[tuple[str, Span], ...]


@dataclass(frozen=True)
class SubscriptionAlter(Event):
    name: str
    options: tuple[tuple[str, str], ...]
    option_spans: tuple[tuple[str, Span], ...]
    conninfo: ConnInfo | None
    publications: tuple[str, ...] | None


@dataclass(frozen=True)
class SubscriptionDrop(Event):
    names: tuple[str, ...]


@dataclass(frozen=True)
class SystemSet(Event):
    name: str  # "*" for RESET ALL
    value: str | None


@dataclass(frozen=True)
class SetRole(Event):
    role: str | None  # None = RESET ROLE / back to the migration user
    local: bool = False  # SET LOCAL ROLE: until the end of the transaction


@dataclass(frozen=True)
class SearchPath(Event):
    """SET [LOCAL] search_path (None: RESET / DEFAULT). Unqualified names are written with an empty schema
    (`.todos`, see UNQUALIFIED) and resolved by the replay, which knows which schemas and tables exist."""

    path: tuple[str, ...] | None
    local: bool = False


# The schema of a name written without one: resolved through the search_path when replayed. PostgreSQL refuses a
# zero-length identifier, so no schema is really called that.
UNQUALIFIED = ""


@dataclass(frozen=True)
class Transaction(Event):
    """BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / ROLLBACK TO: which statements PostgreSQL keeps."""

    action: str  # "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollback_to"
    savepoint: str | None = None


@dataclass(frozen=True)
class SqlFile:
    path: str
    events: tuple[Event, ...]
    problems: tuple[Problem, ...]
    statements: int
    # Where inline secrets are written (password literals), so snippets can blank them exactly.
    secret_spans: tuple[Span, ...] = ()
    # Set when the file is another engine's SQL (MySQL, Oracle, ...): it then has no events and no problems,
    # and `lint.project` reports its folder once instead (see `lint.sources.dialect`).
    foreign: Evidence | None = None

    @property
    def dialect(self) -> str | None:
        """Display name of the foreign dialect, None for PostgreSQL."""
        return self.foreign.dialect if self.foreign is not None else None


# ---------------------------------------------------------------------------------------------------------
# psql preprocessing and statement splitting


_META_LINE = re.compile(r"^[ \t]*\\.*$", re.M)
_VAR_START = re.compile(r"[A-Za-z_]")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
# Marks a psql variable's stand-in string literal; \x01 cannot occur in a real migration literal.
VAR_MARK = "\x01"


def preprocess(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Neutralise psql syntax without moving any character, and split statements at top-level `;`.

    Returns the cleaned text and the (start, end) character ranges of the statements.
    """
    out = list(text)
    for m in _META_LINE.finditer(text):
        for i in range(m.start(), m.end()):
            out[i] = " "
    cleaned = "".join(out)
    chars = list(cleaned)
    bounds: list[tuple[int, int]] = []
    n = len(cleaned)
    i = 0
    start = 0
    while i < n:
        ch = cleaned[i]
        if ch == "-" and cleaned.startswith("--", i):
            i = line_end(cleaned, i)
            continue
        if ch == "/" and cleaned.startswith("/*", i):
            i = _skip_block_comment(cleaned, i)
            continue
        if ch == "'":
            escape = i > 0 and cleaned[i - 1] in "eE" and (i < 2 or not cleaned[i - 2].isalnum())
            i = _skip_quoted(cleaned, i, "'", backslash=escape)
            continue
        if ch == '"':
            i = _skip_quoted(cleaned, i, '"', backslash=False)
            continue
        if ch == "$":
            tag = _DOLLAR_TAG.match(cleaned, i)
            if tag and (i == 0 or not (cleaned[i - 1].isalnum() or cleaned[i - 1] == "_")):
                end = cleaned.find(tag.group(0), tag.end())
                i = n if end < 0 else end + len(tag.group(0))
                continue
        if ch == ":" and i + 1 < n and (i == 0 or cleaned[i - 1] != ":") and cleaned[i + 1] not in ":=":
            i = _replace_variable(cleaned, chars, i)
            continue
        if ch == ";":
            bounds.append((start, i + 1))
            start = i + 1
        i += 1
    if cleaned[start:].strip():
        bounds.append((start, n))
    return "".join(chars), bounds


def _skip_block_comment(s: str, i: int) -> int:
    depth = 0
    n = len(s)
    while i < n:
        if s.startswith("/*", i):
            depth += 1
            i += 2
        elif s.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _skip_quoted(s: str, i: int, quote: str, *, backslash: bool) -> int:
    n = len(s)
    i += 1
    while i < n:
        ch = s[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and s[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _replace_variable(s: str, chars: list[str], i: int) -> int:
    """`:'name'`, `:"name"` and `:name` become a same-length literal or identifier."""
    n = len(s)
    nxt = s[i + 1]
    if nxt in "'\"":
        end = s.find(nxt, i + 2)
        if end < 0 or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s[i + 2 : end]):
            return i + 1
        length = end + 1 - i
        # A quoted variable is a string literal or a quoted identifier; keep the kind so the statement parses.
        filler = VAR_MARK if nxt == "'" else "v"
        replacement = nxt + filler * (length - 2) + nxt
        chars[i : end + 1] = list(replacement)
        return end + 1
    if _VAR_START.match(nxt):
        j = i + 1
        while j < n and (s[j].isalnum() or s[j] == "_"):
            j += 1
        length = j - i
        before = s[max(0, i - 20) : i].rstrip().upper()
        if before.endswith("PASSWORD") and length >= 2:
            replacement = "'" + VAR_MARK * (length - 2) + "'"
        else:
            replacement = "v" * length
        chars[i:j] = list(replacement)
        return j
    return i + 1


# ---------------------------------------------------------------------------------------------------------
# Parsing


# Statements the model reads, by their leading keywords (see the `_Ctx` handlers). Everything else — DML,
# indexes, views, functions, comments — is never parsed: on a migration history that is most statements, and
# libpg_query's parse tree plus its JSON decoding is the bulk of the reading time.
_CREATE_NEEDED = frozenset(
    {
        *("ROLE", "USER", "GROUP", "TABLE", "POLICY", "SCHEMA", "PUBLICATION", "SUBSCRIPTION"),
        *("UNLOGGED", "TEMP", "TEMPORARY", "GLOBAL", "LOCAL"),  # CREATE UNLOGGED TABLE, CREATE TEMP TABLE, ...
    }
)
_ALTER_NEEDED = frozenset(
    ["ROLE", "USER", "GROUP", "DEFAULT", "PUBLICATION", "SUBSCRIPTION", "SYSTEM", "SCHEMA"]
)
_DROP_NEEDED = frozenset(["ROLE", "USER", "GROUP", "TABLE", "PUBLICATION", "SUBSCRIPTION", "SCHEMA", "OWNED"])
_ALWAYS_NEEDED = frozenset(["GRANT", "REVOKE", "DO", "SET", "RESET", "REASSIGN"])
# Transaction control: a ROLLBACK undoes what came before it, so these are read too.
_TRANSACTION = frozenset(["BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "PREPARE"])
# ALTER TABLE sub-commands the model records (`_AlterTableStmt`, `_RenameStmt`); ADD COLUMN and friends are not.
# Substring tests on the upper-cased text run in C; a word that merely contains one (owner_id) only costs a parse.
# DROP [COLUMN] may take the key; SET [UN]LOGGED decides whether the table can be published; SET SCHEMA moves it;
# ATTACH/DETACH PARTITION decide what a publication of the parent carries.
_ALTER_TABLE_WORDS = (
    *("SECURITY", "REPLICA", "OWNER", "PRIMARY", "RENAME", "DROP", "LOGGED", "SCHEMA", "ATTACH", "DETACH"),
)
_NOISE = r"(?:\s+|--[^\n\r]*|/\*(?:[^*]|\*(?!/))*\*/)*"
_HEAD = re.compile(rf"{_NOISE}([A-Za-z_]+){_NOISE}([A-Za-z_]*)")
# A psql variable (`:name`, `:'name'`, `:"name"`) or meta-command line: only then is the slow preprocessing needed.
_PSQL_VARIABLE = re.compile(r"(?<!:):['\"A-Za-z_]")


def _psql_syntax(text: str) -> bool:
    # Substring tests first (C speed); most migrations have neither character outside `::` casts.
    if ":" in text and _PSQL_VARIABLE.search(text) is not None:
        return True
    return "\\" in text and _META_LINE.search(text) is not None


def needed(statement: str) -> bool:
    """Whether a statement can produce an event, judged from its leading keywords (conservative: when in doubt,
    parse). `tests/test_sql_fast.py` checks it against parsing everything."""
    head = _HEAD.match(statement)
    if head is None:
        return False
    first, second = head.group(1).upper(), head.group(2).upper()
    if first in _ALWAYS_NEEDED or first in _TRANSACTION:
        return True
    if first == "CREATE":
        return second in _CREATE_NEEDED
    if first == "DROP":
        return second in _DROP_NEEDED
    if first != "ALTER":
        return False
    if second in _ALTER_NEEDED:
        return True
    upper = statement.upper()
    if second in ("TABLE", "FOREIGN"):
        return any(word in upper for word in _ALTER_TABLE_WORDS)
    return "RENAME" in upper


def read_sql(path: str, text: str, *, every_statement: bool = False) -> SqlFile:
    """Read one migration file. Never raises on bad input.

    Statements are split with libpg_query's own scanner and only those `needed` are parsed; a file the scanner
    rejects, or a needed statement that does not parse on its own, is read the thorough way (the whole file,
    then statement by statement), which also reports syntax errors. `every_statement` forces that way.
    """
    lines = LineIndex(text)
    # A file is taken for another engine's only by its folder or when PostgreSQL rejects one of its statements:
    # an ordinary migration the fast path reads cleanly is PostgreSQL, and is never scanned for markers.
    if not every_statement and dialect.path_engine(path) is None and not _psql_syntax(text):
        fast = _read_needed(path, text, lines)
        if fast is not None:
            return fast
    sniffed = dialect.sniff(path, text)
    if sniffed.folder is not None and not sniffed.pg_evidence:
        # An engine-named folder and nothing PostgreSQL-only in the file: not ours, and not worth a parse.
        by_folder = dialect.folder_evidence(path, sniffed)
        return _foreign(path, text, lines, sniffed, by_folder, _count_statements(text))
    if not every_statement and sniffed.marker is None and sniffed.folder is not None and not _psql_syntax(text):
        fast = _read_needed(path, text, lines)  # an engine-named folder, but PostgreSQL-only content
        if fast is not None:
            return fast
    read = _read_every(path, text, lines)
    rejected = sum(1 for p in read.problems if p.kind == "parse")
    if sniffed.marker is not None and dialect.decide(sniffed, rejected=rejected, statements=read.statements + rejected):
        return _foreign(path, text, lines, sniffed, sniffed.marker, read.statements + rejected)
    return read


def _foreign(
    path: str, text: str, lines: LineIndex, sniffed: dialect.Sniffed, evidence: Evidence, statements: int
) -> SqlFile:
    secrets = tuple(lines.span(path, s, e) for s, e in sniffed.literals)
    return SqlFile(path, (), (), statements, secrets, evidence)


def _count_statements(text: str) -> int:
    """Statements of a file that is not parsed: libpg_query's scanner split, or our own when it refuses."""
    from pglast import parser

    try:
        return len(parser.split(text, with_parser=False, only_slices=True))
    except parser.ParseError:
        return len(preprocess(text)[1])


def _read_needed(path: str, text: str, lines: LineIndex) -> SqlFile | None:
    from pglast import parser

    try:
        slices = parser.split(text, with_parser=False, only_slices=True)
    except parser.ParseError:
        return None
    if not _covers(text, slices):
        return None
    ctx = _Ctx(path, lines)
    for piece_slice in slices:
        start: int = piece_slice.start
        piece = text[start : piece_slice.stop]
        if not needed(piece):
            continue
        try:
            tree = json.loads(parser.parse_sql_json(piece))
        except (parser.ParseError, RecursionError):
            return None
        index = ByteIndex(piece)
        for raw in tree.get("stmts", []):
            s_b = raw.get("stmt_location", 0)
            e_b = s_b + raw["stmt_len"] if raw.get("stmt_len") else None
            s_c = start + index.char_offset(s_b)
            e_c = start + index.char_offset(e_b) if e_b is not None else start + len(piece)
            try:
                ctx.statement(raw.get("stmt", {}), text, s_c, e_c, index, start)
            except RecursionError:
                return None  # the thorough path reports it at the statement
    return SqlFile(path, tuple(ctx.events), tuple(ctx.problems), len(slices), tuple(ctx.secret_spans))


_BETWEEN = re.compile(r"(?:[\s;]+|--[^\n\r]*|/\*(?:[^*]|\*(?!/))*\*/)*")


def _covers(text: str, slices: tuple[slice, ...]) -> bool:
    """Whether nothing but blanks, `;` and comments lies outside the statements: the scanner split drops an
    unterminated statement (an unbalanced parenthesis), which the thorough path reports as a syntax error."""
    pos = 0
    for piece in (*slices, slice(len(text), len(text))):
        gap = _BETWEEN.match(text, pos, piece.start)
        if gap is None or gap.end() != piece.start:
            return False
        pos = piece.stop
    return True


def _read_every(path: str, text: str, lines: LineIndex) -> SqlFile:
    from pglast import parser

    cleaned, bounds = preprocess(text)
    ctx = _Ctx(path, lines)
    try:
        tree = json.loads(parser.parse_sql_json(cleaned))
        stmts = tree.get("stmts", [])
        bindex = ByteIndex(cleaned)
        for raw in stmts:
            start_b = raw.get("stmt_location", 0)
            end_b = start_b + raw.get("stmt_len", 0) if raw.get("stmt_len") else None
            start = bindex.char_offset(start_b)
            end = bindex.char_offset(end_b) if end_b is not None else len(cleaned)
            ctx.statement(raw.get("stmt", {}), cleaned, start, end, bindex, 0)
        count = len(stmts)
    except (parser.ParseError, RecursionError):
        # A syntax error, or a statement nested deeper than Python's recursion allows (json.loads of its tree, or
        # walking it): read statement by statement, so only the bad statement is lost and it is reported.
        ctx = _Ctx(path, lines)
        count = _read_each(ctx, cleaned, bounds)
    return SqlFile(path, tuple(ctx.events), tuple(ctx.problems), count, tuple(ctx.secret_spans))


def _read_each(ctx: _Ctx, cleaned: str, bounds: list[tuple[int, int]]) -> int:
    from pglast import parser

    count = 0
    for start, end in bounds:
        piece = cleaned[start:end]
        if not piece.strip(" \t\r\n;"):
            continue
        try:
            sub = json.loads(parser.parse_sql_json(piece))
        except parser.ParseError as exc:
            offset = start + ByteIndex(piece).char_offset(_error_offset(exc))
            ctx.skipped(f"SQL syntax error: {_error_message(exc)}", ctx.lines.span(ctx.path, offset, offset + 1))
            if _CREDENTIAL_STATEMENT.match(piece):
                # Unparsed, nothing says which literal is the password (`PASSOWRD 'x'`, `LOGIN 'x'`): the snippet
                # of the syntax error must not show any of them.
                literals = [*_string_literals(cleaned, start, end), *_bare_passwords(cleaned, start, end)]
                ctx.secret_spans.extend(ctx.lines.span(ctx.path, s, e) for s, e in literals)
            continue
        except RecursionError:
            ctx.skipped("SQL statement nested too deeply to read", ctx.statement_start(cleaned, start, end))
            continue
        sub_index = ByteIndex(piece)
        for raw in sub.get("stmts", []):
            s_b = raw.get("stmt_location", 0)
            e_b = s_b + raw["stmt_len"] if raw.get("stmt_len") else None
            s_c = start + sub_index.char_offset(s_b)
            e_c = start + sub_index.char_offset(e_b) if e_b is not None else end
            kept = len(ctx.events)
            try:
                ctx.statement(raw.get("stmt", {}), cleaned, s_c, e_c, sub_index, start)
            except RecursionError:
                del ctx.events[kept:]  # half a statement's facts would be wrong facts
                ctx.skipped("SQL statement nested too deeply to read", ctx.statement_start(cleaned, s_c, e_c))
                continue
            count += 1
    return count


# `PASSWORD Sup3rS3cret`: a bare word where a literal belongs (PostgreSQL rejects it, so it is no statement's
# password span); not a psql variable (`:pw`, `:'pw'`) and not NULL.
_BARE_PASSWORD = re.compile(r"\bPASSWORD\s+(?P<word>[^\s'\"$:;,()]+)", re.IGNORECASE)


def _bare_passwords(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [
        (m.start("word"), m.end("word"))
        for m in _BARE_PASSWORD.finditer(text, start, end)
        if m.group("word").upper() != "NULL"
    ]


# Statements that carry credentials: roles (PASSWORD), subscriptions and user mappings (CONNECTION, OPTIONS),
# ALTER SYSTEM (primary_conninfo), or any statement that says PASSWORD.
_CREDENTIAL_STATEMENT = re.compile(
    r"(?is)\s*(?:(?:create|alter)\s+(?:role|user|group|subscription|server)\b|alter\s+system\b|.*\bpassword\b)"
)


_WORD_CHAR = re.compile(r"\w")


def _string_literals(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each string literal in `text[start:end]`, quotes included, as `preprocess` scans them;
    an unterminated one runs to `end`. Comments and quoted identifiers are skipped."""
    # The whole text is scanned in place (no slice per statement: a file of many bad statements would copy it
    # once each); statement bounds come from the same lexer, so a construct only runs past `end` in the last one.
    out: list[tuple[int, int]] = []
    piece = text
    i = start
    while i < end:
        ch = piece[i]
        if piece.startswith("--", i):
            i = line_end(piece, i, end)
        elif piece.startswith("/*", i):
            i = min(_skip_block_comment(piece, i), end)
        elif ch == '"':
            i = min(_skip_quoted(piece, i, '"', backslash=False), end)
        elif ch == "'":
            escape = i > 0 and piece[i - 1] in "eE" and (i < 2 or not piece[i - 2].isalnum())
            close = min(_skip_quoted(piece, i, "'", backslash=escape), end)
            out.append((i - 1 if escape else i, close))
            i = close
        elif ch == "$" and (tag := _DOLLAR_TAG.match(piece, i)) and not (i and _WORD_CHAR.match(piece[i - 1])):
            close = piece.find(tag.group(0), tag.end(), end)
            stop = end if close < 0 else close + len(tag.group(0))
            out.append((i, stop))
            i = stop
        else:
            i += 1
    return out


def _error_offset(exc: Exception) -> int:
    args: tuple[object, ...] = tuple(getattr(exc, "args", ()))
    if len(args) > 1 and isinstance(args[1], int):
        return max(0, args[1])  # libpg_query reports a 0-based byte offset
    return 0


_NEAR = re.compile(r' at or near "(?P<token>.*)"$', re.S)
# What the parser may repeat: a keyword or identifier, a number, an operator. Not a string literal, and not
# the rest of the statement after an unterminated quote.
_SAFE_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}|[0-9][0-9A-Za-z_.+\-]{0,30}|[^\sA-Za-z0-9'\"$\\]{1,3}")


def _error_message(exc: Exception) -> str:
    """The parser's message without the source text it quotes when that may be a secret.

    PostgreSQL's scanner quotes the token "at or near" an error: a string literal it did not expect, all of
    the statement after an unterminated quote (the password of `PASSWORD 'x` and what follows), or a bare word
    (the password of `PASSWORD Sup3rS3cret`, which is no literal). Only an SQL keyword, a number or an operator
    is repeated; the finding's location and its masked snippet show where the error is.
    """
    args = getattr(exc, "args", ())
    message = str(args[0]) if args else "invalid SQL"
    near = _NEAR.search(message)
    if near is not None and not _repeatable(near.group("token")):
        message = message[: near.start()]
    return " ".join(message.split())


def _repeatable(token: str) -> bool:
    if not _SAFE_TOKEN.fullmatch(token):
        return False
    if token[0].isalpha() or token[0] == "_":
        return token.lower() in _keywords()
    return True


@cache
def _keywords() -> frozenset[str]:
    from pglast import keywords

    return frozenset(
        w.lower()
        for group in (
            keywords.RESERVED_KEYWORDS,
            keywords.UNRESERVED_KEYWORDS,
            keywords.COL_NAME_KEYWORDS,
            keywords.TYPE_FUNC_NAME_KEYWORDS,
        )
        for w in group
    )


# ---------------------------------------------------------------------------------------------------------
# Statement -> event


_TRANSACTION_KINDS = {
    "TRANS_STMT_BEGIN": "begin",
    "TRANS_STMT_START": "begin",
    "TRANS_STMT_COMMIT": "commit",
    # PREPARE TRANSACTION ends this session's transaction; whether it is committed later cannot be seen here,
    # and a migration that prepares one means it to be: taken as committed.
    "TRANS_STMT_PREPARE": "commit",
    "TRANS_STMT_ROLLBACK": "rollback",
    "TRANS_STMT_SAVEPOINT": "savepoint",
    "TRANS_STMT_RELEASE": "release",
    "TRANS_STMT_ROLLBACK_TO": "rollback_to",
}

_ATTR_NAMES = {
    "superuser": "superuser",
    "createrole": "createrole",
    "createdb": "createdb",
    "canlogin": "login",
    "isreplication": "replication",
    "bypassrls": "bypassrls",
    "inherit": "inherit",
}

_OBJTYPES = {
    "OBJECT_TABLE": "table",
    "OBJECT_SCHEMA": "schema",
    "OBJECT_DATABASE": "database",
    "OBJECT_SEQUENCE": "sequence",
    "OBJECT_FUNCTION": "function",
    "OBJECT_PROCEDURE": "procedure",
    "OBJECT_ROUTINE": "routine",
    "OBJECT_TYPE": "type",
    "OBJECT_FOREIGN_TABLE": "table",
    "OBJECT_VIEW": "table",
    "OBJECT_MATVIEW": "table",
}


def _only_grant_option(grant: dict[str, Any]) -> bool:
    """REVOKE GRANT OPTION FOR ...: the grantee keeps the privilege, only loses passing it on (not modelled)."""
    return not grant.get("is_grant", False) and bool(grant.get("grant_option"))


def _privilege(access: dict[str, Any]) -> str:
    """`SELECT`, or `SELECT(id, name)` for a column privilege, which is not the table's privilege."""
    name = str(access.get("priv_name", "all")).upper()
    columns = _strings(access.get("cols", []) or [])
    return f"{name}({', '.join(columns)})" if columns else name


def _default_pk_name(rel: dict[str, Any]) -> str:
    # PostgreSQL's ChooseConstraintName: `<table>_pkey`, the table name cut so the whole fits in 63 bytes.
    table = str(rel.get("relname", "")).encode("utf-8")[: 63 - len("_pkey")].decode("utf-8", "ignore")
    return f"{table}_pkey"


def _column_pk(rel: dict[str, Any], column: dict[str, Any]) -> PrimaryKey | None:
    """The key a column definition declares (`id int PRIMARY KEY`), if any."""
    for c in column.get("constraints", []) or []:
        con = c.get("Constraint", {})
        if con.get("contype") == "CONSTR_PRIMARY":
            return PrimaryKey(str(con.get("conname") or _default_pk_name(rel)), (str(column.get("colname", "")),))
    return None


def _constraint_pk(rel: dict[str, Any], con: dict[str, Any]) -> PrimaryKey:
    """A table constraint `PRIMARY KEY (a, b)` (or `ADD PRIMARY KEY USING INDEX i`, whose columns are the index's)."""
    columns = tuple(k.get("String", {}).get("sval", "") for k in con.get("keys", []) or [])
    return PrimaryKey(str(con.get("conname") or con.get("indexname") or _default_pk_name(rel)), columns)


def _rolespec(spec: dict[str, Any]) -> str:
    inner = spec.get("RoleSpec", spec)
    kind = inner.get("roletype", "ROLESPEC_CSTRING")
    if kind == "ROLESPEC_CSTRING":
        return str(inner.get("rolename", ""))
    if kind == "ROLESPEC_PUBLIC":
        return "public"
    return {
        "ROLESPEC_CURRENT_USER": "current_user",
        "ROLESPEC_SESSION_USER": "session_user",
        "ROLESPEC_CURRENT_ROLE": "current_user",
    }.get(kind, "current_user")


def _defelem_value(arg: Any) -> str:
    if not isinstance(arg, dict):
        return ""
    if "String" in arg:
        return str(arg["String"].get("sval", ""))
    if "Integer" in arg:
        return str(arg["Integer"].get("ival", 0))
    if "Boolean" in arg:
        return "true" if arg["Boolean"].get("boolval") else "false"
    if "Float" in arg:
        return str(arg["Float"].get("fval", ""))
    if "TypeName" in arg:
        return ".".join(_strings(arg["TypeName"].get("names", [])))
    if "List" in arg:
        return ",".join(_defelem_value(x) for x in arg["List"].get("items", []))
    if "A_Const" in arg:
        return _const(arg["A_Const"])
    return ""


def _const(c: dict[str, Any]) -> str:
    for key, inner in (("sval", "sval"), ("ival", "ival"), ("fval", "fval"), ("boolval", "boolval")):
        if key in c:
            v = c[key].get(inner, 0 if key == "ival" else False if key == "boolval" else "")
            if key == "boolval":
                return "true" if v else "false"
            return str(v)
    return ""


def _strings(items: list[Any]) -> list[str]:
    return [str(x["String"].get("sval", "")) for x in items if isinstance(x, dict) and "String" in x]


def _defelems(options: list[Any]) -> list[dict[str, Any]]:
    return [o["DefElem"] for o in options or [] if isinstance(o, dict) and "DefElem" in o]


def _password_kind(value: str | None) -> str:
    if value is None:
        return "null"
    if value and set(value) == {VAR_MARK}:
        return "variable"
    # Exactly what PostgreSQL accepts as a pre-hashed password; anything else is stored as clear text.
    if _MD5_RE.fullmatch(value) or _SCRAM_RE.fullmatch(value):
        return "hashed"
    return "literal"


_MD5_RE = re.compile(r"md5[0-9a-f]{32}")
_SCRAM_RE = re.compile(r"SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")


class _Ctx:
    def __init__(self, path: str, lines: LineIndex) -> None:
        self.path = path
        self.lines = lines
        self.events: list[Event] = []
        self.problems: list[Problem] = []
        self.secret_spans: list[Span] = []

    # -- helpers ------------------------------------------------------------------------------------------

    def qualified(self, rangevar: dict[str, Any]) -> str:
        """schema.name; an unqualified name gets the UNQUALIFIED schema, for the replay to resolve."""
        return f"{rangevar.get('schemaname') or UNQUALIFIED}.{rangevar.get('relname', '')}"

    def skipped(self, what: str, span: Span) -> None:
        """A statement that could not be read: reported where it goes wrong; the rest of the file is read."""
        message = f"{what}; this statement was skipped, the rest of the file was read"
        self.problems.append(Problem("parse", message, span))

    def statement_start(self, text: str, start: int, end: int) -> Span:
        first = self._span(text, start, end)
        return Span(first.path, first.line, first.col, first.line, first.col)

    def _span(self, text: str, start: int, end: int) -> Span:
        # Trim leading whitespace/comments so the span starts at the statement keyword.
        while start < end and text[start].isspace():
            start += 1
        while start < end and text.startswith("--", start):
            start = min(line_end(text, start, end) + 1, end)
            while start < end and text[start].isspace():
                start += 1
        stop = end
        while stop > start and text[stop - 1] in " \t\r\n;":
            stop -= 1
        return self.lines.span(self.path, start, max(stop, start + 1))

    def _at(self, bindex: ByteIndex, base: int, byte_loc: int | None, length: int = 1) -> Span:
        if byte_loc is None or byte_loc < 0:
            return Span.point(self.path, 1)
        off = base + bindex.char_offset(byte_loc)
        return self.lines.span(self.path, off, off + max(length, 1))

    # -- dispatch -----------------------------------------------------------------------------------------

    def statement(self, stmt: dict[str, Any], text: str, start: int, end: int, bindex: ByteIndex, base: int) -> None:
        if not stmt:
            return
        kind, node = next(iter(stmt.items()))
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            return
        span = self._span(text, start, end)
        handler(node, span, text, start, end, bindex, base)

    # -- roles ---------------------------------------------------------------------------------------------

    def _role_options(
        self, options: list[Any], bindex: ByteIndex, base: int, text: str
    ) -> tuple[list[tuple[str, bool]], str | None, Span | None, dict[str, list[str]]]:
        attrs: list[tuple[str, bool]] = []
        password: str | None = None
        pw_span: Span | None = None
        lists: dict[str, list[str]] = {"addroleto": [], "rolemembers": [], "adminmembers": []}
        for d in _defelems(options):
            name = d.get("defname", "")
            if name in _ATTR_NAMES:
                arg = d.get("arg")
                value = bool(arg.get("Boolean", {}).get("boolval", False)) if isinstance(arg, dict) else True
                attrs.append((_ATTR_NAMES[name], value))
            elif name == "password":
                arg = d.get("arg")
                raw = arg.get("String", {}).get("sval", "") if isinstance(arg, dict) else None
                password = _password_kind(raw)
                loc = d.get("arg_location", -1)
                if loc is not None and loc >= 0:
                    pw_span = self._literal_span(text, base + bindex.char_offset(loc))
                else:
                    pw_span = self._at(bindex, base, d.get("location"), 8)
                if password in ("literal", "hashed") and pw_span is not None:
                    self.secret_spans.append(pw_span)
            elif name in lists:
                arg = d.get("arg", {})
                items = arg.get("List", {}).get("items", []) if isinstance(arg, dict) else []
                lists[name] = [_rolespec(x) for x in items]
        return attrs, password, pw_span, lists

    def _literal_span(self, text: str, off: int) -> Span:
        """Span of the string literal starting at `off` (quotes included).

        Every literal form counts: a span that stopped at the first character of `$pw$secret$pw$` masked only
        that `$`, and the rest of the password was printed in snippets (tests/test_secrets_e2e.py).
        """
        end = off + 1
        dollar = _DOLLAR_TAG.match(text, off)
        if off < len(text) and text[off] in "'\"":
            end = _skip_quoted(text, off, text[off], backslash=False)
        elif off < len(text) and text[off] in "eE" and off + 1 < len(text) and text[off + 1] == "'":
            end = _skip_quoted(text, off + 1, "'", backslash=True)
        elif text[off : off + 3].upper() == "U&'":  # U&'d\0061t': `\` starts a code point, never ends the string
            end = _skip_quoted(text, off + 2, "'", backslash=False)
        elif dollar is not None:
            close = text.find(dollar.group(), dollar.end())
            end = len(text) if close < 0 else close + len(dollar.group())
        return self.lines.span(self.path, off, end)

    def _CreateRoleStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        attrs, password, pw_span, lists = self._role_options(node.get("options", []), bindex, base, text)
        if node.get("stmt_type") == "ROLESTMT_USER" and not any(a == "login" for a, _ in attrs):
            attrs.insert(0, ("login", True))
        self.events.append(
            RoleCreate(
                span,
                str(node.get("role", "")),
                tuple(attrs),
                password,
                pw_span,
                tuple(lists["addroleto"]),
                tuple(lists["rolemembers"]),
                tuple(lists["adminmembers"]),
            )
        )

    def _AlterRoleStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        attrs, password, pw_span, lists = self._role_options(node.get("options", []), bindex, base, text)
        name = _rolespec(node.get("role", {}))
        if lists["rolemembers"]:
            # ALTER GROUP g ADD/DROP USER u is an AlterRoleStmt with rolemembers.
            self.events.append(
                RoleGrant(span, (name,), tuple(lists["rolemembers"]), node.get("action", 1) == 1, None, None, None)
            )
        if attrs or password is not None:
            self.events.append(RoleAlter(span, name, tuple(attrs), password, pw_span))

    def _AlterRoleSetStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        if node.get("database"):
            # ALTER ROLE r IN DATABASE d SET ...: still applies to the replication session on that database.
            pass
        setstmt = node.get("setstmt", {})
        name = _rolespec(node.get("role", {})) if node.get("role") else "all"
        kind = setstmt.get("kind", "")
        param = str(setstmt.get("name", "")).lower()
        value: str | None = None
        if kind == "VAR_SET_VALUE":
            value = ",".join(_const(a.get("A_Const", {})) for a in setstmt.get("args", []))
        elif kind == "VAR_SET_DEFAULT":
            value = None
        elif kind == "VAR_RESET_ALL":
            param = "*"
        self.events.append(RoleSetting(span, name, param, value))

    def _RenameStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        rtype = node.get("renameType")
        if rtype == "OBJECT_ROLE":
            self.events.append(RoleRename(span, str(node.get("subname", "")), str(node.get("newname", ""))))
        elif rtype == "OBJECT_TABLE" and node.get("relation"):
            self.events.append(TableRename(span, self.qualified(node["relation"]), str(node.get("newname", ""))))
        elif rtype == "OBJECT_PUBLICATION":
            obj = node.get("object", {})
            old = obj.get("String", {}).get("sval", "") if isinstance(obj, dict) else ""
            self.events.append(PublicationAlter(span, old, "rename", (), (), (), str(node.get("newname", ""))))
        elif rtype == "OBJECT_SCHEMA":
            self.events.append(SchemaAlter(span, str(node.get("subname", "")), str(node.get("newname", "")), None))

    def _DropRoleStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        self.events.append(RoleDrop(span, tuple(_rolespec(r) for r in node.get("roles", []))))

    def _GrantRoleStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        roles = tuple(str(r.get("AccessPriv", {}).get("priv_name", "")) for r in node.get("granted_roles", []))
        grantees = tuple(_rolespec(r) for r in node.get("grantee_roles", []))
        opts: dict[str, bool] = {}
        for d in _defelems(node.get("opt", [])):
            arg = d.get("arg")
            opts[d.get("defname", "")] = (
                bool(arg.get("Boolean", {}).get("boolval", False)) if isinstance(arg, dict) else True
            )
        if node.get("admin_opt"):  # older libpg_query versions
            opts["admin"] = True
        self.events.append(
            RoleGrant(
                span,
                roles,
                grantees,
                bool(node.get("is_grant", False)),
                opts.get("admin"),
                opts.get("inherit"),
                opts.get("set"),
            )
        )

    # -- privileges ----------------------------------------------------------------------------------------

    def _GrantStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        if _only_grant_option(node):
            return
        self.events.append(self._grant(node, span))

    def _grant(self, node: dict[str, Any], span: Span) -> PrivGrant:
        objtype = _OBJTYPES.get(node.get("objtype", ""), str(node.get("objtype", "")).lower())
        privs = tuple(_privilege(p.get("AccessPriv", {})) for p in node.get("privileges", []) or []) or ("ALL",)
        objects: list[str] = []
        schemas: list[str] = []
        target = node.get("targtype", "ACL_TARGET_OBJECT")
        for obj in node.get("objects", []) or []:
            if "RangeVar" in obj:
                objects.append(self.qualified(obj["RangeVar"]))
            elif "String" in obj:
                if target == "ACL_TARGET_ALL_IN_SCHEMA":
                    schemas.append(str(obj["String"].get("sval", "")))
                else:
                    objects.append(str(obj["String"].get("sval", "")))
            elif "ObjectWithArgs" in obj:
                objects.append(".".join(_strings(obj["ObjectWithArgs"].get("objname", []))))
        grantees = tuple(_rolespec(g) for g in node.get("grantees", []))
        return PrivGrant(
            span, bool(node.get("is_grant", False)), privs, objtype, tuple(objects), tuple(schemas), grantees
        )

    def _AlterDefaultPrivilegesStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        roles: list[str] = []
        schemas: list[str] = []
        for d in _defelems(node.get("options", [])):
            items = d.get("arg", {}).get("List", {}).get("items", [])
            if d.get("defname") == "roles":
                roles = [_rolespec(x) for x in items]
            elif d.get("defname") == "schemas":
                schemas = _strings(items)
        if _only_grant_option(node.get("action", {})):
            return
        grant = self._grant(node.get("action", {}), span)
        self.events.append(
            DefaultPrivs(
                span,
                grant.is_grant,
                tuple(roles),
                tuple(schemas),
                grant.objtype,
                grant.privileges,
                grant.grantees,
            )
        )

    # -- tables --------------------------------------------------------------------------------------------

    def _CreateStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        rel = node.get("relation", {})
        pk: PrimaryKey | None = None
        for elt in node.get("tableElts", []) or []:
            if "ColumnDef" in elt:
                pk = _column_pk(rel, elt["ColumnDef"]) or pk
            elif elt.get("Constraint", {}).get("contype") == "CONSTR_PRIMARY":
                pk = _constraint_pk(rel, elt["Constraint"])
        if rel.get("relpersistence") == "t":
            return  # a temporary table ends with the migration's session
        parents = node.get("inhRelations") or []
        partition_of = self.qualified(parents[0]["RangeVar"]) if node.get("partbound") and parents else None
        unlogged = rel.get("relpersistence") == "u"
        exists_ok = bool(node.get("if_not_exists"))
        partitioned = bool(node.get("partspec"))
        named = [p["RangeVar"] for p in parents if "RangeVar" in p]
        inherits = () if node.get("partbound") else tuple(self.qualified(p) for p in named)
        owner = node.get("_replint_owner")  # set by _CreateSchemaStmt for the tables it creates
        self.events.append(
            TableCreate(span, self.qualified(rel), pk, partition_of, exists_ok, unlogged, partitioned, inherits, owner)
        )

    def _CreateTableAsStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        into = node.get("into", {}).get("IntoClause", node.get("into", {}))
        rel = into.get("rel", {})
        if rel and node.get("objtype", "OBJECT_TABLE") == "OBJECT_TABLE":
            self.events.append(TableCreate(span, self.qualified(rel), None, None, bool(node.get("if_not_exists"))))

    def _AlterTableStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        if node.get("objtype", "OBJECT_TABLE") not in ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE"):
            return
        actions: list[tuple[str, str]] = []
        added: PrimaryKey | None = None
        rel = node.get("relation", {})
        for cmd in node.get("cmds", []):
            c = cmd.get("AlterTableCmd", {})
            sub = c.get("subtype", "")
            if sub == "AT_EnableRowSecurity":
                actions.append(("rls", "enable"))
            elif sub == "AT_DisableRowSecurity":
                actions.append(("rls", "disable"))
            elif sub == "AT_ForceRowSecurity":
                actions.append(("rls", "force"))
            elif sub == "AT_NoForceRowSecurity":
                actions.append(("rls", "noforce"))
            elif sub == "AT_ReplicaIdentity":
                ident = c.get("def", {}).get("ReplicaIdentityStmt", {})
                actions.append(("replica_identity", str(ident.get("identity_type", "d"))))
            elif sub == "AT_ChangeOwner":
                actions.append(("owner", _rolespec(c.get("newowner", {}))))
            elif sub in ("AT_AddConstraint", "AT_AddIndex"):
                con = c.get("def", {}).get("Constraint", {})
                if con.get("contype") == "CONSTR_PRIMARY":
                    actions.append(("add_pk", ""))
                    added = _constraint_pk(rel, con)
            elif sub == "AT_AddColumn":
                key = _column_pk(rel, c.get("def", {}).get("ColumnDef", {}))
                if key is not None:
                    actions.append(("add_pk", ""))
                    added = key
            elif sub == "AT_DropConstraint":
                actions.append(("drop_constraint", str(c.get("name", ""))))
            elif sub == "AT_DropColumn":
                actions.append(("drop_column", str(c.get("name", ""))))
            elif sub in ("AT_SetLogged", "AT_SetUnLogged"):
                actions.append(("persistence", "logged" if sub == "AT_SetLogged" else "unlogged"))
            elif sub in ("AT_AttachPartition", "AT_DetachPartition"):
                part = c.get("def", {}).get("PartitionCmd", {}).get("name")
                if part:
                    actions.append(("attach" if sub == "AT_AttachPartition" else "detach", self.qualified(part)))
        if actions:
            self.events.append(TableAlter(span, self.qualified(rel), tuple(actions), added))

    def _AlterObjectSchemaStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        rel = node.get("relation")
        if node.get("objectType") in ("OBJECT_TABLE", "OBJECT_FOREIGN_TABLE") and rel:
            new_schema = str(node.get("newschema", ""))
            self.events.append(TableRename(span, self.qualified(rel), str(rel.get("relname", "")), new_schema))

    def _AlterOwnerStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        obj = node.get("object", {})
        name = obj.get("String", {}).get("sval", "") if isinstance(obj, dict) else ""
        if node.get("objectType") == "OBJECT_PUBLICATION":
            self.events.append(PublicationAlter(span, name, "owner", (), (), ()))
        elif node.get("objectType") == "OBJECT_SCHEMA":
            self.events.append(SchemaAlter(span, name, None, _rolespec(node.get("newowner", {}))))

    def _ReassignOwnedStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        roles = tuple(_rolespec(r) for r in node.get("roles", []))
        self.events.append(OwnedChange(span, roles, _rolespec(node.get("newrole", {}))))

    def _DropOwnedStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        self.events.append(OwnedChange(span, tuple(_rolespec(r) for r in node.get("roles", [])), None))

    def _CreatePolicyStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        self.events.append(PolicyCreate(span, self.qualified(node.get("table", {})), str(node.get("policy_name", ""))))

    def _CreateSchemaStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        auth = node.get("authrole")
        name = node.get("schemaname") or (_rolespec(auth) if auth else "")
        owner = _rolespec(auth) if auth else None
        self.events.append(SchemaCreate(span, str(name), owner))
        # CREATE SCHEMA app AUTHORIZATION r CREATE TABLE t ... GRANT ...: its elements are created in that schema,
        # owned by the schema's owner. They share the statement's span.
        for element in node.get("schemaElts") or []:
            kind, inner = next(iter(element.items()))
            if kind == "CreateStmt":
                inner = {**inner, "relation": {"schemaname": str(name), **inner.get("relation", {})}}
                inner["_replint_owner"] = owner
            handler = getattr(self, f"_{kind}", None)
            if handler is not None:
                handler(inner, span, text, start, end, bindex, base)

    def _DropStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        rtype = node.get("removeType")
        objects = node.get("objects", [])
        if rtype == "OBJECT_TABLE":
            names: list[str] = []
            for obj in objects:
                parts = _strings(obj.get("List", {}).get("items", []))
                if parts:
                    names.append(".".join(parts) if len(parts) > 1 else f"{UNQUALIFIED}.{parts[0]}")
            self.events.append(TableDrop(span, tuple(names)))
        elif rtype == "OBJECT_PUBLICATION":
            self.events.append(PublicationDrop(span, tuple(_strings(objects))))
        elif rtype == "OBJECT_SCHEMA":
            self.events.append(SchemaDrop(span, tuple(_strings(objects)), node.get("behavior") == "DROP_CASCADE"))
        elif rtype == "OBJECT_SUBSCRIPTION":
            self.events.append(SubscriptionDrop(span, tuple(_strings(objects))))

    def _DropSubscriptionStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        self.events.append(SubscriptionDrop(span, (str(node.get("subname", "")),)))

    # -- publications and subscriptions --------------------------------------------------------------------

    def _pubobjects(self, objs: list[Any]) -> tuple[list[str], list[str], list[PartialTable], list[str]]:
        tables: list[str] = []
        schemas: list[str] = []
        partial: list[PartialTable] = []
        only: list[str] = []
        for o in objs or []:
            spec = o.get("PublicationObjSpec", {})
            kind = spec.get("pubobjtype", "")
            if kind == "PUBLICATIONOBJ_TABLE":
                pubtable = spec.get("pubtable", {})
                tables.append(self.qualified(pubtable.get("relation", {})))
                if not pubtable.get("relation", {}).get("inh"):
                    only.append(tables[-1])
                columns = [str(c.get("String", {}).get("sval", "")) for c in pubtable.get("columns") or []]
                if pubtable.get("whereClause") or columns:
                    partial.append(PartialTable(tables[-1], bool(pubtable.get("whereClause")), tuple(columns) or None))
            elif kind == "PUBLICATIONOBJ_TABLES_IN_SCHEMA":
                schemas.append(str(spec.get("name", "")))
            elif kind == "PUBLICATIONOBJ_TABLES_IN_CUR_SCHEMA":
                schemas.append(UNQUALIFIED)  # CURRENT_SCHEMA: the first existing schema of the search_path
            elif kind == "PUBLICATIONOBJ_CONTINUATION":
                # A bare name after a TABLE / TABLES IN SCHEMA item continues the previous kind.
                if spec.get("pubtable"):
                    tables.append(self.qualified(spec["pubtable"].get("relation", {})))
                elif spec.get("name"):
                    (schemas if schemas and not tables else tables).append(
                        str(spec["name"]) if schemas and not tables else f"{UNQUALIFIED}.{spec['name']}"
                    )
        return tables, schemas, partial, only

    @staticmethod
    def _options(options: list[Any]) -> tuple[tuple[str, str], ...]:
        return tuple((str(d.get("defname", "")).lower(), _defelem_value(d.get("arg"))) for d in _defelems(options))

    def _CreatePublicationStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        tables, schemas, partial, only = self._pubobjects(node.get("pubobjects", []))
        self.events.append(
            PublicationCreate(
                span,
                str(node.get("pubname", "")),
                bool(node.get("for_all_tables")),
                tuple(tables),
                tuple(schemas),
                self._options(node.get("options", [])),
                tuple(partial),
                tuple(only),
            )
        )

    def _AlterPublicationStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        name = str(node.get("pubname", ""))
        options = self._options(node.get("options", []))
        if options:
            self.events.append(PublicationAlter(span, name, "options", (), (), options))
            return
        tables, schemas, partial, only = self._pubobjects(node.get("pubobjects", []))
        action = {"AP_AddObjects": "add", "AP_DropObjects": "drop", "AP_SetObjects": "set"}.get(
            node.get("action", "AP_AddObjects"), "add"
        )
        partial_of = tuple(partial) if action != "drop" else ()
        self.events.append(
            PublicationAlter(span, name, action, tuple(tables), tuple(schemas), (), None, partial_of, tuple(only))
        )

    def _option_spans(self, options: list[Any], bindex: ByteIndex, base: int) -> tuple[tuple[str, Span], ...]:
        out: list[tuple[str, Span]] = []
        for d in _defelems(options):
            name = str(d.get("defname", "")).lower()
            out.append((name, self._at(bindex, base, d.get("location"), len(name))))
        return tuple(out)

    def _CreateSubscriptionStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        raw = str(node.get("conninfo", ""))
        loc = node.get("conninfo_location")
        conn_span = (
            self._literal_span(text, base + bindex.char_offset(loc)) if isinstance(loc, int) and loc >= 0 else span
        )
        info = parse_conninfo(raw)
        if info.has_password:
            self.secret_spans.append(conn_span)
        self.events.append(
            SubscriptionCreate(
                span,
                str(node.get("subname", "")),
                info,
                conn_span,
                tuple(_strings(node.get("publication", []))),
                self._options(node.get("options", [])),
                self._option_spans(node.get("options", []), bindex, base),
            )
        )

    def _AlterSubscriptionStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        info = parse_conninfo(str(node["conninfo"])) if node.get("conninfo") else None
        if info is not None and info.has_password:
            self.secret_spans.append(span)
        pubs = tuple(_strings(node.get("publication", []))) if node.get("publication") else None
        self.events.append(
            SubscriptionAlter(
                span,
                str(node.get("subname", "")),
                self._options(node.get("options", [])),
                self._option_spans(node.get("options", []), bindex, base),
                info,
                pubs,
            )
        )

    # -- server settings and session -----------------------------------------------------------------------

    def _AlterSystemStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        s = node.get("setstmt", {})
        kind = s.get("kind", "")
        if kind == "VAR_RESET_ALL":
            self.events.append(SystemSet(span, "*", None))
            return
        value = None
        if kind == "VAR_SET_VALUE":
            value = ",".join(_const(a.get("A_Const", {})) for a in s.get("args", []))
        self.events.append(SystemSet(span, str(s.get("name", "")).lower(), value))

    def _TransactionStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        kind = str(node.get("kind", ""))
        action = _TRANSACTION_KINDS.get(kind)
        if action is None:
            return  # COMMIT PREPARED / ROLLBACK PREPARED act on another session's transaction
        self.events.append(Transaction(span, action, node.get("savepoint_name")))

        if action == "commit" and node.get("chain"):
            self.events.append(Transaction(span, "begin"))  # COMMIT AND CHAIN starts the next one at once

    def _VariableSetStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        name = str(node.get("name", "")).lower()
        if name == "search_path":
            self._search_path(node, span)
            return
        if name not in ("role", "session_authorization"):
            return
        kind = node.get("kind", "")
        local = bool(node.get("is_local"))
        if kind == "VAR_SET_VALUE":
            args = node.get("args", [])
            role = _const(args[0].get("A_Const", {})) if args else ""
            self.events.append(SetRole(span, role or None, local))
        else:
            self.events.append(SetRole(span, None, local))

    def _search_path(self, node: dict[str, Any], span: Span) -> None:
        kind = node.get("kind", "")
        if kind == "VAR_SET_VALUE":
            path: tuple[str, ...] | None = tuple(_const(a.get("A_Const", {})) for a in node.get("args", []))
        elif kind in ("VAR_SET_DEFAULT", "VAR_RESET"):
            path = None
        else:
            return
        self.events.append(SearchPath(span, path, bool(node.get("is_local"))))

    def _DoStmt(
        self, node: dict[str, Any], span: Span, text: str, start: int, end: int, bindex: ByteIndex, base: int
    ) -> None:
        body = ""
        lang = "plpgsql"
        body_loc: int | None = None
        for d in _defelems(node.get("args", [])):
            if d.get("defname") == "as":
                body = str(d.get("arg", {}).get("String", {}).get("sval", ""))
                body_loc = d.get("arg_location")
            elif d.get("defname") == "language":
                lang = _defelem_value(d.get("arg")).lower()
        if lang != "plpgsql" or not body:
            return
        # Where the body's first character sits in the file (after the opening dollar quote).
        body_start = text.find(body, start, end)
        if body_start < 0 and isinstance(body_loc, int):
            body_start = base + bindex.char_offset(body_loc)
        if body_start < 0:
            body_start = start
        for stmt_text, offset in _plpgsql_statements(body):
            self._nested(stmt_text, body_start + offset, text)

    def _nested(self, stmt_text: str, file_offset: int, text: str) -> None:
        """Parse one SQL statement found in a DO block and record its events at its place in the file."""
        from pglast import parser

        try:
            tree = json.loads(parser.parse_sql_json(stmt_text))
        except (parser.ParseError, RecursionError):
            return  # dynamic or partial SQL: nothing we can know statically
        sub_index = ByteIndex(stmt_text)
        for raw in tree.get("stmts", []):
            s_b = raw.get("stmt_location", 0)
            e_b = s_b + raw["stmt_len"] if raw.get("stmt_len") else None
            s_c = file_offset + sub_index.char_offset(s_b)
            e_c = file_offset + (sub_index.char_offset(e_b) if e_b is not None else len(stmt_text))
            # Offsets inside the nested statement are relative to it: give a ByteIndex of the piece and base.
            self.statement(raw.get("stmt", {}), text, s_c, e_c, sub_index, file_offset)


def _constant(condition: str) -> bool | None:
    """The value of a PL/pgSQL condition written as a constant (`false`, `NOT true`, `(false)`), else None."""
    text = " ".join(condition.lower().split())
    negated = False
    while True:
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1].strip()
        elif text.startswith("not "):
            negated, text = not negated, text[4:].strip()
        else:
            break
    if text in ("true", "false"):
        return (text == "true") is not negated
    return None


def _plpgsql_statements(body: str) -> list[tuple[str, int]]:
    """SQL statements in a PL/pgSQL block: plain statements and EXECUTE of a single string literal.

    Returns (statement text, offset of the statement in `body`). Uses the PL/pgSQL parser when it can, and
    locates each statement's text in the body (the parser reports line numbers, not offsets).
    """
    from pglast import parser

    wrapper = "CREATE FUNCTION replint_do() RETURNS void LANGUAGE plpgsql AS $replint$" + body + "$replint$"
    try:
        tree = json.loads(parser.parse_plpgsql_json(wrapper))
    except Exception:
        return []
    found: list[tuple[str, int]] = []
    cursor = 0

    def visit(node: Any) -> None:
        nonlocal cursor
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "PLpgSQL_stmt_execsql":
                    query = value.get("sqlstmt", {}).get("PLpgSQL_expr", {}).get("query", "")
                    add(str(query))
                elif key == "PLpgSQL_stmt_dynexecute":
                    query = str(value.get("query", {}).get("PLpgSQL_expr", {}).get("query", "")).strip()
                    if (
                        len(query) >= 2
                        and query[0] == "'"
                        and query[-1] == "'"
                        and "'" not in query[1:-1].replace("''", "")
                    ):
                        literal = query[1:-1]
                        pos = body.find(query, cursor)
                        if pos >= 0:
                            found.append((literal.replace("''", "'"), pos + 1))
                            cursor = pos + len(query)
                elif key == "PLpgSQL_stmt_if":
                    visit_if(value)
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    def visit_if(node: dict[str, Any]) -> None:
        """Only the branches that can run: a branch under a constant false condition never does, and none after
        a constant true one. A condition replint cannot evaluate may hold: its branch counts."""
        branches = [(node.get("cond"), node.get("then_body"))]
        branches += [
            (e.get("PLpgSQL_if_elsif", {}).get("cond"), e.get("PLpgSQL_if_elsif", {}).get("stmts"))
            for e in node.get("elsif_list") or []
        ]
        branches.append(({"PLpgSQL_expr": {"query": "true"}}, node.get("else_body")))
        for cond, stmts in branches:
            value = _constant(str((cond or {}).get("PLpgSQL_expr", {}).get("query", "")))
            if value is not False:
                visit(stmts)
            if value is True:
                return

    def add(query: str) -> None:
        nonlocal cursor
        if not query:
            return
        pos = body.find(query, cursor)
        if pos < 0:
            pos = body.find(query)
        if pos >= 0:
            found.append((query, pos))
            cursor = pos + len(query)

    visit(tree)
    return found
