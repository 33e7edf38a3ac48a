"""PowerSync sync rules / sync streams: the tables they read, their definitions, and structure problems.

Format and semantics: POWERSYNC.md (c). Queries are parsed with sqlglot (`read="postgres"`); when sqlglot
cannot parse a query that is valid sync-rules SQL (e.g. `x IN request.parameters() -> 'ids'`, or a table
named like a keyword), a small tokenizer-based FROM/JOIN scanner recovers the tables instead, and a parse
problem is reported only when the query is demonstrably broken (unterminated string, unbalanced
parentheses, a FROM without a table, a dangling operator) or nothing could be made of it.

`read_sync_rules` never raises: every problem becomes a `Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # sqlglot is imported only when a sync-rules query is parsed (start-up stays instant)
    import sqlglot
    from sqlglot import exp

from lint.span import LineIndex, Span, line_end
from lint.yamlsrc import Located, Problem, YamlPath, describe_type, load_located

__all__ = ["SyncDefinition", "SyncRules", "SyncTableRef", "looks_like_sync_rules", "read_sync_rules"]


@dataclass(frozen=True)
class SyncTableRef:
    """One source table (or table pattern) that a sync-rules query reads."""

    schema: str  # folded per Postgres rules; default schema applied; for schema wildcards without the `%`
    name: str  # table or collection name; for wildcards the text without the trailing `%`
    wildcard: bool  # name pattern ended with `%` (prefix match)
    schema_wildcard: bool  # schema part ended with `%` (`"%".t`, `"tenant_%".t`)
    connection_tag: str  # 'default' unless the `"tag.schema".table` form is used
    definition: str  # e.g. "bucket_definitions.by_user.data[0]", "streams.todos.query"
    span: Span  # best-effort location of the table reference inside the query text


@dataclass(frozen=True)
class SyncDefinition:
    """A bucket definition, a sync stream or an event definition."""

    kind: str  # "bucket" | "stream" | "event"
    name: str
    accept_dangerous: bool  # accept_potentially_dangerous_queries: true (or the YAML tag on a query)
    span: Span  # span of the definition's key
    accept_span: Span | None  # the accept_potentially_dangerous_queries entry (or the tagged query)


@dataclass(frozen=True)
class SyncRules:
    path: str
    tables: tuple[SyncTableRef, ...]
    definitions: tuple[SyncDefinition, ...]
    problems: tuple[Problem, ...]


ROOT_KEYS = ("bucket_definitions", "streams", "with", "event_definitions", "config")
BUCKET_KEYS = ("parameters", "data", "priority", "accept_potentially_dangerous_queries")
ACCEPT_KEY = "accept_potentially_dangerous_queries"
ACCEPT_TAG = "!accept_potentially_dangerous_queries"
DEFAULT_TAG = "default"
# Known boolean options under `config` (compatibility options and the compiler switch).
CONFIG_BOOLEANS = (
    "sync_config_compiler",
    "timestamps_iso8601",
    "versioned_bucket_ids",
    "fixed_json_extract",
    "custom_types",
    "unstable_sqlite_expression_engine",
)
MAX_QUERY_CHARS = 200_000


def looks_like_sync_rules(data: object) -> bool:
    """A top-level mapping whose `bucket_definitions` or `streams` are PowerSync's: a map of definitions, each a
    map of `data`/`parameters` (buckets) or `query`/`queries`/`with`/`auto_subscribe` (streams), with the other
    top-level keys mostly sync rules' own (`config`, `with`...). A plugin manifest's `streams: [...]` or a Kafka
    config's `streams:` map of settings is not."""
    if not isinstance(data, dict) or not ("bucket_definitions" in data or "streams" in data):
        return False
    shaped = ("bucket_definitions" in data and _definitions(data["bucket_definitions"], ("data", "parameters"))) or (
        "streams" in data and _definitions(data["streams"], ("query", "queries", "with", "auto_subscribe"))
    )
    ours = sum(1 for k in data if k in ROOT_KEYS)
    return shaped and ours >= len(data) - ours


def _definitions(block: object, keys: tuple[str, ...]) -> bool:
    """Empty (a sync config still being written) or some definition carries one of `keys`."""
    if block is None or block == {}:
        return True
    return isinstance(block, dict) and any(isinstance(d, dict) and any(k in d for k in keys) for d in block.values())


def read_sync_rules(
    path: str, text: str, default_schema: str, *, line_offset: int = 0, col_offset: int = 0
) -> SyncRules:
    """Read sync rules from `text`. `line_offset`/`col_offset` are added to every span (inline `content:`)."""
    reader = _Reader(path, text, default_schema, line_offset, col_offset)
    try:
        reader.read()
    except Exception:  # RecursionError included; never raise on hostile input; say so instead
        reader.problems.append(
            Problem("parse", "sync rules: could not be read completely (internal error)", reader.shift(None))
        )
    return SyncRules(path, tuple(reader.tables), tuple(reader.definitions), tuple(reader.problems))


# --------------------------------------------------------------------------------------------------------
# SQL: table references


@dataclass(frozen=True)
class _Part:
    text: str
    quoted: bool


@dataclass(frozen=True)
class _Ref:
    """A table reference as written: schema part (optional) and name, with [start, end] offsets in the SQL."""

    schema: _Part | None
    name: _Part
    start: int
    end: int  # inclusive


@dataclass
class _SqlError:
    message: str
    start: int
    end: int  # inclusive


@dataclass
class _SqlResult:
    refs: list[_Ref] = field(default_factory=list)
    error: _SqlError | None = None


def _fold(part: _Part) -> str:
    return part.text if part.quoted else part.text.lower()


def _cte_match(part: _Part, ctes: frozenset[str]) -> bool:
    name = _fold(part)
    return name in ctes or (not part.quoted and name in {c.lower() for c in ctes})


def _extract_tables(sql: str, ctes: Iterable[str] = ()) -> _SqlResult:
    """Table references of one query (CTE names and table-valued functions excluded)."""
    scope = frozenset(ctes)
    if len(sql) > MAX_QUERY_CHARS:
        return _SqlResult(error=_SqlError(f"query is too long ({len(sql)} characters)", 0, 0))
    if not sql.strip():
        return _SqlResult(error=_SqlError("empty query", 0, 0))
    toks, lex_error = _tokenize(sql)
    if not toks and lex_error is None:
        return _SqlResult(error=_SqlError("empty query (only comments)", 0, 0))
    if lex_error is None:
        parsed = _sqlglot_refs(sql, scope)
        if isinstance(parsed, list):
            return _SqlResult(refs=parsed)
        # Retry with sync-rules constructs sqlglot lacks, rewritten without moving any offsets.
        repaired = _repair(sql, toks)
        if repaired != sql:
            again = _sqlglot_refs(repaired, scope)
            if isinstance(again, list):
                return _SqlResult(refs=again)
        sg_error: _SqlError | None = parsed
    else:
        sg_error = None
    # sqlglot failed: recover the tables with the scanner. Report the query only when it is provably broken
    # (lexical error, unbalanced parentheses, FROM without a table, dangling keyword or operator), or when
    # sqlglot failed and there is no FROM clause the scanner could make sense of instead.
    scan = _Scanner(sql, toks, scope)
    refs = scan.run()
    error = lex_error or scan.error or (sg_error if not scan.saw_from else None)
    return _SqlResult(refs=refs, error=error)


def _sqlglot_refs(sql: str, ctes: frozenset[str]) -> list[_Ref] | _SqlError:
    import sqlglot
    from sqlglot import exp

    try:
        statements = sqlglot.parse(sql, read="postgres")
    except sqlglot.errors.ParseError as exc:
        return _sqlglot_error(sql, exc)
    except Exception:  # includes RecursionError
        return _SqlError("could not parse the query", 0, max(0, len(sql) - 1))
    refs: list[_Ref] = []
    for statement in statements:
        if statement is None:
            continue
        for table in statement.find_all(exp.Table):
            ref = _table_ref(table, ctes)
            if ref is not None:
                refs.append(ref)
    refs.sort(key=lambda r: (r.start, r.end))
    return refs


def _ident_part(node: Any) -> _Part | None:
    from sqlglot import exp

    if isinstance(node, exp.Identifier) and isinstance(node.this, str):
        return _Part(node.this, bool(node.args.get("quoted")))
    return None


def _table_ref(table: exp.Table, ctes: frozenset[str]) -> _Ref | None:
    name = _ident_part(table.args.get("this"))
    if name is None:  # json_each(...), other table-valued functions, subquery placeholders
        return None
    schema_node = table.args.get("db")
    schema = _ident_part(schema_node) if schema_node is not None else None
    if schema is None and (_cte_match(name, ctes) or _in_sql_cte_scope(table, name)):
        return None
    first = schema_node if schema is not None else table.args.get("this")
    start = _meta(first, "start")
    end = _meta(table.args.get("this"), "end")
    if start is None or end is None or end < start:
        start, end = -1, -1
    return _Ref(schema, name, start, end)


def _meta(node: Any, key: str) -> int | None:
    meta = getattr(node, "meta", None)
    if isinstance(meta, dict):
        value = meta.get(key)
        if isinstance(value, int):
            return value
    return None


def _in_sql_cte_scope(table: exp.Table, name: _Part) -> bool:
    from sqlglot import exp

    folded = _fold(name)
    node: Any = table.parent
    while node is not None:
        for value in node.args.values():
            if isinstance(value, exp.With):
                for cte in value.expressions:
                    alias = cte.args.get("alias")
                    part = _ident_part(alias.args.get("this")) if alias is not None else None
                    if part is not None and _fold(part) == folded:
                        return True
        node = node.parent
    return False


_TOKEN_RE = re.compile(r"<Token token_type: [^,]*, text: (.*?), line: \d+, col: \d+, start: \d+.*?>")
_REQUIRED_RE = re.compile(r"Required keyword: '\w+' missing for <class '[\w.]*?(\w+)'>")


def _sqlglot_error(sql: str, exc: sqlglot.errors.ParseError) -> _SqlError:
    errors = getattr(exc, "errors", None) or []
    info: dict[str, Any] = errors[0] if errors and isinstance(errors[0], dict) else {}
    description = str(info.get("description") or "invalid query")
    description = _TOKEN_RE.sub(lambda m: repr(m.group(1)), description)
    required = _REQUIRED_RE.fullmatch(description)
    if required:
        description = f"incomplete {required.group(1).upper()} expression"
    elif description == "Invalid expression / Unexpected token":
        description = "unexpected token"
    description = description[0].lower() + description[1:] if description else description
    highlight = str(info.get("highlight") or "")
    line, col = info.get("line"), info.get("col")
    start = end = 0
    if isinstance(line, int) and isinstance(col, int):
        starts = [0] + [i + 1 for i, ch in enumerate(sql) if ch == "\n"]
        if 1 <= line <= len(starts):
            end = min(len(sql) - 1, starts[line - 1] + max(col, 1) - 1)
            start = end - len(highlight) + 1 if highlight and sql[: end + 1].endswith(highlight) else end
    short = highlight.strip()
    if short and len(short) <= 40 and "\n" not in short:
        description += f" near '{short}'"
    return _SqlError(description, max(0, start), max(0, end))


# -- the tokenizer-based fallback ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # word | qident | string | number | op | lparen | rparen | comma | dot | semi | param
    text: str  # raw text (for qident: the unescaped identifier)
    start: int
    end: int  # inclusive

    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


_OP_CHARS = set("+-*/<>=~!@#%^&|`?:[]{}")


_PUNCTUATION = {"(": "lparen", ")": "rparen", ",": "comma", ".": "dot", ";": "semi"}


def _closing_quote(sql: str, i: int) -> int:
    """Index of the quote closing the one at `i` (a doubled quote is an escaped one), or -1."""
    quote = sql[i]
    j = i + 1
    while True:
        k = sql.find(quote, j)
        if k < 0 or not sql.startswith(quote * 2, k):
            return k
        j = k + 2


def _tokenize(sql: str) -> tuple[list[_Tok], _SqlError | None]:
    toks: list[_Tok] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            i = min(line_end(sql, i) + 1, n)
        elif sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            if close < 0:
                return toks, _SqlError("unterminated /* comment", i, i + 1)
            i = close + 2
        elif ch in "'\"":
            k = _closing_quote(sql, i)
            if k < 0:
                what = "string literal" if ch == "'" else "quoted identifier"
                return toks, _SqlError(f"unterminated {what}", i, i)
            if ch == "'":
                toks.append(_Tok("string", sql[i : k + 1], i, k))
            else:
                toks.append(_Tok("qident", sql[i + 1 : k].replace('""', '"'), i, k))
            i = k + 1
        elif ch == "$" and i + 1 < n and sql[i + 1].isdigit():
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            toks.append(_Tok("param", sql[i:j], i, j - 1))
            i = j
        elif ch == "$":
            m = re.match(r"\$([A-Za-z_]\w*)?\$", sql[i:])
            if m is None:
                toks.append(_Tok("op", ch, i, i))
                i += 1
                continue
            close = sql.find(m.group(0), i + len(m.group(0)))
            if close < 0:
                return toks, _SqlError("unterminated dollar-quoted string", i, i)
            end = close + len(m.group(0)) - 1
            toks.append(_Tok("string", sql[i : end + 1], i, end))
            i = end + 1
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] in "_$"):
                j += 1
            toks.append(_Tok("word", sql[i:j], i, j - 1))
            i = j
        elif ch.isdigit() or (ch == "." and i + 1 < n and sql[i + 1].isdigit()):
            m = re.match(r"\d*\.?\d*(?:[eE][-+]?\d+)?", sql[i:])
            length = max(1, len(m.group(0)) if m else 1)
            toks.append(_Tok("number", sql[i : i + length], i, i + length - 1))
            i += length
        elif ch in _PUNCTUATION:
            toks.append(_Tok(_PUNCTUATION[ch], ch, i, i))
            i += 1
        elif ch in _OP_CHARS:
            j = i + 1
            while j < n and sql[j] in _OP_CHARS and sql[j] not in "[]{}" and not sql.startswith("--", j):
                j += 1
            toks.append(_Tok("op", sql[i:j], i, j - 1))
            i = j
        else:
            toks.append(_Tok("op", ch, i, i))
            i += 1
    return toks, None


# Words after which `(` opens a subquery or a list, not a function's argument list.
_NOT_FUNCTION = frozenset(
    (
        "in",
        "exists",
        "any",
        "all",
        "some",
        "from",
        "join",
        "as",
        "on",
        "and",
        "or",
        "not",
        "where",
        "select",
        "with",
        "union",
        "intersect",
        "except",
        "lateral",
        "array",
        "then",
        "else",
        "when",
        "case",
        "between",
        "is",
        "like",
        "ilike",
        "values",
        "distinct",
        "by",
        "having",
        "limit",
        "offset",
        "using",
        "into",
        "recursive",
        "materialized",
    )
)
# Words that end a FROM item (cannot be a bare alias).
_STOP = frozenset(
    (
        "where",
        "join",
        "inner",
        "left",
        "right",
        "full",
        "outer",
        "cross",
        "natural",
        "on",
        "using",
        "group",
        "order",
        "limit",
        "offset",
        "union",
        "intersect",
        "except",
        "having",
        "window",
        "lateral",
        "as",
        "and",
        "or",
        "select",
        "from",
        "fetch",
        "for",
        "returning",
    )
)
# Operators that cannot start an operand.
_BINARY_ONLY = frozenset(("=", "<>", "!=", "<", ">", "<=", ">=", "->", "->>", "&&", "||", "/", "%", "::"))
# A query cannot end with one of these.
_DANGLING = frozenset(
    (
        "and",
        "or",
        "not",
        "where",
        "from",
        "join",
        "on",
        "select",
        "in",
        "is",
        "like",
        "ilike",
        "by",
        "as",
        "then",
        "else",
        "when",
        "case",
        "between",
        "with",
        "union",
        "except",
        "intersect",
        "inner",
        "left",
        "right",
        "full",
        "cross",
        "outer",
        "distinct",
        "group",
        "order",
        "limit",
        "offset",
        "having",
        "using",
        "escape",
    )
)


class _Scanner:
    """FROM/JOIN table references from tokens, plus a few checks that prove a query broken."""

    def __init__(self, sql: str, toks: list[_Tok], ctes: frozenset[str]) -> None:
        self.sql = sql
        self.toks = toks
        self.ctes = ctes
        self.error: _SqlError | None = None
        self.saw_from = False
        self.local_ctes: set[str] = set()
        self.match = self._match_parens()

    def fail(self, message: str, tok: _Tok | None) -> None:
        if self.error is None:
            start, end = (tok.start, tok.end) if tok is not None else (0, max(0, len(self.sql) - 1))
            self.error = _SqlError(message, start, end)

    def _match_parens(self) -> dict[int, int]:
        stack: list[int] = []
        match: dict[int, int] = {}
        for i, tok in enumerate(self.toks):
            if tok.kind == "lparen":
                stack.append(i)
            elif tok.kind == "rparen":
                if not stack:
                    self.fail("unbalanced ')'", tok)
                    continue
                match[stack.pop()] = i
        if stack:
            self.fail("missing ')'", self.toks[stack[-1]])
        return match

    def _skip_parens(self, i: int) -> int:
        """Index after the group opened at `i`."""
        return self.match.get(i, len(self.toks) - 1) + 1

    def _tok(self, i: int) -> _Tok | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def run(self) -> list[_Ref]:
        toks = self.toks
        first = next((t for t in toks if t.kind != "semi"), None)
        if first is not None and not (first.kind == "lparen" or first.word() in ("select", "with")):
            self.fail(f"expected SELECT at '{first.text[:20]}'", first)
        last = next((t for t in reversed(toks) if t.kind != "semi"), None)
        if last is not None and (last.kind in ("op", "comma", "dot", "lparen") or last.word() in _DANGLING):
            self.fail(f"query ends unexpectedly after '{last.text[:20]}'", last)
        for i, tok in enumerate(toks):
            if tok.word() == "with":
                self._collect_ctes(i + 1)
            prev = self._tok(i - 1)
            if (
                tok.kind == "op"
                and tok.text in _BINARY_ONLY
                and prev is not None
                and (prev.kind in ("op", "comma", "lparen") or prev.word() in ("and", "or", "where", "select"))
            ):
                self.fail(f"unexpected operator '{tok.text}'", tok)
        refs: list[_Ref] = []
        function_depth: list[bool] = []
        for i, tok in enumerate(toks):
            if tok.kind == "lparen":
                prev = self._tok(i - 1)
                is_function = prev is not None and (
                    (prev.kind == "word" and prev.word() not in _NOT_FUNCTION) or prev.kind == "qident"
                )
                function_depth.append(is_function)
            elif tok.kind == "rparen":
                if function_depth:
                    function_depth.pop()
            elif (
                tok.word() in ("from", "join")
                and not (function_depth and function_depth[-1])
                and not (i > 0 and toks[i - 1].word() == "distinct")  # IS [NOT] DISTINCT FROM
            ):
                self.saw_from = True
                self._from_items(i + 1, tok, refs, many=tok.word() == "from")
        scope = self.ctes | frozenset(self.local_ctes)
        return [r for r in refs if r.schema is not None or not _cte_match(r.name, scope)]

    def _collect_ctes(self, i: int) -> None:
        tok = self._tok(i)
        if tok is not None and tok.word() == "recursive":
            i += 1
        while True:
            name = self._tok(i)
            if name is None or name.kind not in ("word", "qident"):
                return
            i += 1
            nxt = self._tok(i)
            if nxt is not None and nxt.kind == "lparen":
                i = self._skip_parens(i)
            nxt = self._tok(i)
            if nxt is None or nxt.word() != "as":
                return
            i += 1
            while (t := self._tok(i)) is not None and t.word() in ("not", "materialized"):
                i += 1
            body = self._tok(i)
            if body is None or body.kind != "lparen":
                return
            self.local_ctes.add(_fold(_Part(name.text, name.kind == "qident")))
            i = self._skip_parens(i)
            sep = self._tok(i)
            if sep is None or sep.kind != "comma":
                return
            i += 1

    def _from_items(self, i: int, keyword: _Tok, refs: list[_Ref], *, many: bool) -> None:
        while True:
            while (t := self._tok(i)) is not None and t.word() in ("only", "lateral"):
                i += 1
            tok = self._tok(i)
            if tok is None or tok.kind in ("rparen", "semi", "comma") or tok.word() in _STOP:
                self.fail(f"expected a table name after {keyword.text.upper()}", tok or keyword)
                return
            if tok.kind == "lparen":
                i = self._skip_parens(i)
            elif tok.kind in ("word", "qident"):
                parts = [tok]
                i += 1
                while (
                    (dot := self._tok(i)) is not None
                    and dot.kind == "dot"
                    and (nxt := self._tok(i + 1)) is not None
                    and nxt.kind in ("word", "qident")
                ):
                    parts.append(nxt)
                    i += 2
                after = self._tok(i)
                if after is not None and after.kind == "lparen":
                    i = self._skip_parens(i)  # table-valued function
                else:
                    name = _Part(parts[-1].text, parts[-1].kind == "qident")
                    schema = _Part(parts[-2].text, parts[-2].kind == "qident") if len(parts) > 1 else None
                    refs.append(_Ref(schema, name, parts[0].start, parts[-1].end))
            else:
                self.fail(f"expected a table name after {keyword.text.upper()}", tok)
                return
            # Optional alias, with an optional column list.
            alias = self._tok(i)
            has_alias = False
            if alias is not None and alias.word() == "as":
                alias = self._tok(i + 1)
                if alias is None or alias.kind not in ("word", "qident"):
                    self.fail("expected an alias after AS", alias or keyword)
                    return
                i += 2
                has_alias = True
            elif alias is not None and (alias.kind == "qident" or (alias.kind == "word" and alias.word() not in _STOP)):
                i += 1
                has_alias = True
            cols = self._tok(i)
            if has_alias and cols is not None and cols.kind == "lparen":
                i = self._skip_parens(i)
            sep = self._tok(i)
            if not many or sep is None or sep.kind != "comma":
                return
            i += 1


def _repair(sql: str, toks: list[_Tok]) -> str:
    """Same-length rewrites of valid sync-rules SQL that sqlglot rejects: `x IN <expr>` → `x = <expr>`."""
    chars = list(sql)
    for i, tok in enumerate(toks):
        if tok.word() != "in" or i + 1 >= len(toks) or toks[i + 1].kind == "lparen":
            continue
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and prev.word() == "not":
            chars[prev.start : prev.end + 1] = " " * (prev.end - prev.start + 1)
            chars[tok.start : tok.end + 1] = "<>"
        else:
            chars[tok.start : tok.end + 1] = "= "
    return "".join(chars)


# --------------------------------------------------------------------------------------------------------
# Mapping positions in a query string back to the YAML source


class _ScalarSource:
    """Where a scalar's characters are written in the source: offsets of the parsed value → source offsets."""

    def __init__(self, text: str, starts: list[int], span: Span, value: str) -> None:
        begin = self._offset(starts, span.line, span.col)
        end_line = min(span.end_line, len(starts))
        stop = starts[end_line] - 1 if end_line < len(starts) else len(text)
        pos = begin
        # Skip a tag and/or anchor written before the value.
        while pos < stop and text[pos] in "!&":
            while pos < stop and not text[pos].isspace():
                pos += 1
            while pos < stop and text[pos] in " \t":
                pos += 1
        if pos < stop and text[pos] in "|>":
            nl = text.find("\n", pos)
            pos = stop if nl < 0 else nl + 1
        elif pos < stop and text[pos] in "'\"":
            pos += 1
        self.base = pos
        self.region = text[pos:stop]
        self.map = _align(value, self.region)

    @staticmethod
    def _offset(starts: list[int], line: int, col: int) -> int:
        line = max(1, min(line, len(starts)))
        return starts[line - 1] + max(col, 1) - 1

    def locate(self, value: str, start: int, end: int) -> tuple[int, int] | None:
        """Source offsets [a, b] of value[start..end], if they map back cleanly."""
        if not self.map or start < 0 or end < start or end >= len(self.map):
            return None
        a, b = self.map[start], self.map[end]
        if b < a or self.region[a : a + 1] != value[start] or self.region[b : b + 1] != value[end]:
            return None
        return self.base + a, self.base + b


def _align(value: str, src: str) -> list[int]:
    """Greedy alignment of a parsed scalar value with its source (escapes, quotes, folding, indentation)."""
    out: list[int] = []
    j, n = 0, len(src)
    if n == 0:
        return out
    for ch in value:
        k, found = j, -1
        limit = min(n, j + 400)
        while k < limit:
            s = src[k]
            if s == ch or (ch.isspace() and s.isspace()):
                found = k
                break
            if s.isspace() or s in "\\\"'":
                k += 1
                continue
            break
        if found < 0:
            found = src.find(ch, j, min(n, j + 12))
        if found < 0:
            out.append(min(j, n - 1))
            continue
        out.append(found)
        j = found + 1
    return out


# --------------------------------------------------------------------------------------------------------
# The YAML structure


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Reader:
    def __init__(self, path: str, text: str, default_schema: str, line_offset: int, col_offset: int) -> None:
        self.path = path
        self.text = text if isinstance(text, str) else ""
        self.default_schema = default_schema
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.problems: list[Problem] = []
        self.tables: list[SyncTableRef] = []
        self.definitions: list[SyncDefinition] = []
        self.loc = Located(path, None)
        self._seen: set[tuple[str, str, str, bool, bool, str]] = set()
        self._index: LineIndex | None = None
        self._starts: list[int] = []

    # -- spans and problems --

    def shift(self, span: Span | None) -> Span:
        if span is None:
            span = Span.point(self.path, 1)
        lo, co = self.line_offset, self.col_offset
        return Span(span.path, span.line + lo, span.col + co, span.end_line + lo, span.end_col + co)

    def structure(self, where: str, message: str, span: Span) -> None:
        prefix = f"sync rules: {where}: " if where else "sync rules: "
        self.problems.append(Problem("sync-structure", prefix + message, self.shift(span)))

    def _span_of(self, start: int, end: int) -> Span:
        if self._index is None:
            self._index = LineIndex(self.text)
        return self._index.span(self.path, start, end + 1)

    def _source(self, ypath: YamlPath, value: str) -> _ScalarSource | None:
        if not self._starts:
            self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]
        span = self.loc.spans.get(ypath)
        if span is None:
            return None
        try:
            return _ScalarSource(self.text, self._starts, span, value)
        except Exception:  # includes RecursionError
            return None

    # -- reading --

    def read(self) -> None:
        self.loc = load_located(self.path, self.text, env_tag=False)
        for problem in self.loc.problems:
            message = (
                problem.message if problem.message.startswith("sync rules") else (f"sync rules: {problem.message}")
            )
            self.problems.append(Problem(problem.kind, message, self.shift(problem.span)))
        data = self.loc.data
        if data is None:
            if not self.loc.problems:
                self.structure(
                    "",
                    "the file is empty: 'bucket_definitions' or 'streams' is required",
                    Span.point(self.path, 1),
                )
            return
        if not isinstance(data, dict):
            self.structure("", f"the top level must be a mapping, not {describe_type(data)}", self.loc.at(()))
            return
        for key in data:
            if key not in ROOT_KEYS:
                self.structure(key, f"unknown top-level key (allowed: {', '.join(ROOT_KEYS)})", self.loc.key_at((key,)))
        compiled = self._config(data)
        if "bucket_definitions" not in data and "streams" not in data:
            self.structure("", "'bucket_definitions' or 'streams' is required", self.loc.at(()))
        elif compiled and "streams" not in data:
            self.structure("", "'streams' are required with config.edition 3", self.loc.at(()))
        if compiled and "bucket_definitions" in data:
            self.structure(
                "bucket_definitions",
                "'bucket_definitions' are not supported with config.edition 3 (use streams)",
                self.loc.key_at(("bucket_definitions",)),
            )

        global_ctes = self._ctes(data["with"], ("with",), "with", compiled) if "with" in data else frozenset()
        names: set[str] = set()
        buckets = data.get("bucket_definitions")
        if "bucket_definitions" in data:
            if isinstance(buckets, dict):
                for name, body in buckets.items():
                    self._bucket(name, body, names)
            else:
                self.structure(
                    "bucket_definitions",
                    f"must be a mapping, not {describe_type(buckets)}",
                    self.loc.at(("bucket_definitions",)),
                )
        streams = data.get("streams")
        if "streams" in data:
            if isinstance(streams, dict):
                for name, body in streams.items():
                    self._stream(name, body, names, global_ctes, compiled)
            else:
                self.structure("streams", f"must be a mapping, not {describe_type(streams)}", self.loc.at(("streams",)))
        events = data.get("event_definitions")
        if "event_definitions" in data:
            if isinstance(events, dict):
                for name, body in events.items():
                    self._event(name, body)
            else:
                self.structure(
                    "event_definitions",
                    f"must be a mapping, not {describe_type(events)}",
                    self.loc.at(("event_definitions",)),
                )

    def _config(self, data: dict[str, Any]) -> bool:
        """Validate `config`; True when the edition-3 compiler is used."""
        if "config" not in data:
            return False
        config = data["config"]
        if not isinstance(config, dict):
            self.structure("config", f"must be a mapping, not {describe_type(config)}", self.loc.at(("config",)))
            return False
        edition = config.get("edition", 1)
        if "edition" in config and (not _is_int(edition) or not 1 <= edition <= 3):
            self.structure("config.edition", "must be an integer from 1 to 3", self.loc.at(("config", "edition")))
            edition = 1
        for key in CONFIG_BOOLEANS:
            if key in config and not isinstance(config[key], bool):
                self.structure(
                    f"config.{key}",
                    f"must be a boolean, not {describe_type(config[key])}",
                    self.loc.at(("config", key)),
                )
        return bool(_is_int(edition) and edition >= 3) or config.get("sync_config_compiler") is True

    def _check_name(self, section: str, name: str, names: set[str]) -> None:
        if name in names:
            self.structure(
                f"{section}.{name}",
                "duplicate stream or bucket definition name",
                self.loc.key_at((section, name)),
            )
        names.add(name)

    def _common(self, section: str, name: str, body: dict[str, Any]) -> tuple[bool, Span | None]:
        """Priority and accept_potentially_dangerous_queries checks; returns (accept, accept_span)."""
        base: YamlPath = (section, name)
        if "priority" in body:
            priority = body["priority"]
            if not _is_int(priority) or not 0 <= priority <= 3:
                self.structure(
                    f"{section}.{name}.priority",
                    "must be an integer from 0 to 3",
                    self.loc.at((*base, "priority")),
                )
        accept, accept_span = False, None
        if ACCEPT_KEY in body:
            value = body[ACCEPT_KEY]
            accept_span = self.shift(self.loc.entry_at((*base, ACCEPT_KEY)))
            if isinstance(value, bool):
                accept = value
            else:
                where = f"{section}.{name}.{ACCEPT_KEY}"
                self.structure(
                    where, f"must be a boolean, not {describe_type(value)}", self.loc.at((*base, ACCEPT_KEY))
                )
        if not accept:
            for tag_path, tag in self.loc.tags.items():
                if tag == ACCEPT_TAG and tag_path[: len(base)] == base:
                    accept = True
                    accept_span = self.shift(self.loc.at(tag_path))
                    break
        return accept, accept_span

    def _bucket(self, name: str, body: object, names: set[str]) -> None:
        section = "bucket_definitions"
        where = f"{section}.{name}"
        base: YamlPath = (section, name)
        self._check_name(section, name, names)
        if not isinstance(body, dict):
            self.definitions.append(SyncDefinition("bucket", name, False, self.shift(self.loc.key_at(base)), None))
            self.structure(
                where, f"a bucket definition must be a mapping, not {describe_type(body)}", self.loc.at(base)
            )
            return
        accept, accept_span = self._common(section, name, body)
        self.definitions.append(SyncDefinition("bucket", name, accept, self.shift(self.loc.key_at(base)), accept_span))
        for key in body:
            if key not in BUCKET_KEYS:
                self.structure(
                    f"{where}.{key}",
                    f"unknown key in a bucket definition (allowed: {', '.join(BUCKET_KEYS)})",
                    self.loc.key_at((*base, key)),
                )
        if "parameters" in body:
            params = body["parameters"]
            if isinstance(params, str):
                self._query((*base, "parameters"), f"{where}.parameters", frozenset())
            elif isinstance(params, list):
                for i, item in enumerate(params):
                    self._query_item((*base, "parameters", i), f"{where}.parameters[{i}]", item, frozenset())
            else:
                self.structure(
                    f"{where}.parameters",
                    f"must be a string or a list of strings, not {describe_type(params)}",
                    self.loc.at((*base, "parameters")),
                )
        if "data" not in body:
            self.structure(where, "a bucket definition needs a 'data' list of queries", self.loc.key_at(base))
        else:
            queries = body["data"]
            if isinstance(queries, list):
                for i, item in enumerate(queries):
                    self._query_item((*base, "data", i), f"{where}.data[{i}]", item, frozenset())
            else:
                self.structure(
                    f"{where}.data",
                    f"must be a list of queries, not {describe_type(queries)}",
                    self.loc.at((*base, "data")),
                )

    def _stream(self, name: str, body: object, names: set[str], global_ctes: frozenset[str], compiled: bool) -> None:
        section = "streams"
        where = f"{section}.{name}"
        base: YamlPath = (section, name)
        self._check_name(section, name, names)
        if not isinstance(body, dict):
            self.definitions.append(SyncDefinition("stream", name, False, self.shift(self.loc.key_at(base)), None))
            self.structure(where, f"a stream must be a mapping, not {describe_type(body)}", self.loc.at(base))
            return
        accept, accept_span = self._common(section, name, body)
        self.definitions.append(SyncDefinition("stream", name, accept, self.shift(self.loc.key_at(base)), accept_span))
        if "auto_subscribe" in body and not isinstance(body["auto_subscribe"], bool):
            self.structure(
                f"{where}.auto_subscribe",
                f"must be a boolean, not {describe_type(body['auto_subscribe'])}",
                self.loc.at((*base, "auto_subscribe")),
            )
        local = (
            self._ctes(body["with"], (*base, "with"), f"{where}.with", compiled) if "with" in body else (frozenset())
        )
        scope = global_ctes | local
        if ("query" in body) == ("queries" in body):
            self.structure(where, "a stream needs exactly one of 'query' or 'queries'", self.loc.key_at(base))
        if "query" in body:
            self._query_item((*base, "query"), f"{where}.query", body["query"], scope)
        if "queries" in body:
            queries = body["queries"]
            if not compiled:
                self.structure(
                    f"{where}.queries",
                    "multiple queries require config.edition 3",
                    self.loc.key_at((*base, "queries")),
                )
            if isinstance(queries, list):
                for i, item in enumerate(queries):
                    self._query_item((*base, "queries", i), f"{where}.queries[{i}]", item, scope)
            else:
                self.structure(
                    f"{where}.queries",
                    f"must be a list of queries, not {describe_type(queries)}",
                    self.loc.at((*base, "queries")),
                )

    def _ctes(self, value: object, ypath: YamlPath, where: str, compiled: bool) -> frozenset[str]:
        """CTE names of a `with` map. CTE bodies are compiled alone: no other CTE is in scope there."""
        if not compiled:
            self.structure(where, "common table expressions require config.edition 3", self.loc.key_at(ypath))
        if not isinstance(value, dict):
            self.structure(
                where, f"must be a mapping of names to queries, not {describe_type(value)}", self.loc.at(ypath)
            )
            return frozenset()
        for cte, body in value.items():
            self._query_item((*ypath, cte), f"{where}.{cte}", body, frozenset())
        return frozenset(value)

    def _event(self, name: str, body: object) -> None:
        section = "event_definitions"
        where = f"{section}.{name}"
        base: YamlPath = (section, name)
        self.definitions.append(SyncDefinition("event", name, False, self.shift(self.loc.key_at(base)), None))
        if not isinstance(body, dict):
            self.structure(
                where, f"an event definition must be a mapping, not {describe_type(body)}", self.loc.at(base)
            )
            return
        if "payloads" not in body:
            self.structure(where, "an event definition needs a 'payloads' list of queries", self.loc.key_at(base))
            return
        payloads = body["payloads"]
        if not isinstance(payloads, list):
            self.structure(
                f"{where}.payloads",
                f"must be a list of queries, not {describe_type(payloads)}",
                self.loc.at((*base, "payloads")),
            )
            return
        for i, item in enumerate(payloads):
            self._query_item((*base, "payloads", i), f"{where}.payloads[{i}]", item, frozenset())

    def _query_item(self, ypath: YamlPath, where: str, value: object, ctes: frozenset[str]) -> None:
        if isinstance(value, str):
            self._query(ypath, where, ctes)
        else:
            self.structure(where, f"a query must be a string, not {describe_type(value)}", self.loc.at(ypath))

    def _query(self, ypath: YamlPath, where: str, ctes: frozenset[str]) -> None:
        sql = self.loc.get(ypath)
        if not isinstance(sql, str):
            return
        value_span = self.loc.at(ypath)
        try:
            result = _extract_tables(sql, ctes)
        except Exception:  # includes RecursionError
            result = _SqlResult(error=_SqlError("could not parse the query", 0, 0))
        source: _ScalarSource | None = None
        if result.refs or result.error is not None:
            source = self._source(ypath, sql)

        def span_for(start: int, end: int) -> Span:
            located = source.locate(sql, start, end) if source is not None else None
            if located is None:
                return self.shift(value_span)
            return self.shift(self._span_of(*located))

        if result.error is not None:
            error = result.error
            self.problems.append(
                Problem(
                    "parse",
                    f"sync rules: {where}: SQL syntax error: {error.message}",
                    span_for(error.start, error.end),
                )
            )
        for ref in result.refs:
            self._add_ref(ref, where, span_for(ref.start, ref.end))

    def _add_ref(self, ref: _Ref, where: str, span: Span) -> None:
        name = _fold(ref.name)
        wildcard = name.endswith("%")
        if wildcard:
            name = name[:-1]
        tag = DEFAULT_TAG
        schema_wildcard = False
        if ref.schema is None:
            schema = self.default_schema
        else:
            schema = _fold(ref.schema)
            pieces = schema.split(".")
            if len(pieces) > 2:
                message = f"sync rules: {where}: invalid schema (more than one '.' in a schema name)"
                self.problems.append(Problem("sync-structure", message, span))
                return
            if len(pieces) == 2:
                tag, schema = pieces
            schema_wildcard = schema.endswith("%")
            if schema_wildcard:
                schema = schema[:-1]
        key = (schema, name, tag, wildcard, schema_wildcard, where)
        if key in self._seen:
            return
        self._seen.add(key)
        self.tables.append(SyncTableRef(schema, name, wildcard, schema_wildcard, tag, where, span))
