"""Which SQL dialect a `*.sql` file is written in: PostgreSQL, or another engine replint does not read.

Repositories that set up CDC keep MySQL, SQL Server, Oracle, ksqlDB … scripts next to their PostgreSQL
migrations. Parsed with PostgreSQL's grammar they produce nothing but false syntax errors, so `read_sql` asks
this module first. Two kinds of evidence, both cheap because this runs on every `.sql` file:

* context: a path component naming an engine (`mysql/`, `init_mysql/`, `sqlserver-scripts/`), unless the path
  also names PostgreSQL;
* content: dialect markers (`FLUSH PRIVILEGES`, `VARCHAR2`, `EMIT CHANGES`, …) outside comments and string
  literals, and PostgreSQL-only constructs (`CREATE PUBLICATION`, `$$` bodies, `::` casts, …).

`read_sql` combines them with the share of statements libpg_query rejects (see `decide`). Every regex here is a
plain alternation of keyword sequences with no nested quantifiers, so matching is linear in the text.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from dataclasses import dataclass

from lint.span import LineIndex, Span

MYSQL = "MySQL"
MSSQL = "SQL Server"
ORACLE = "Oracle"
DB2 = "DB2"
INFORMIX = "Informix"
SQLITE = "SQLite"
CLICKHOUSE = "ClickHouse"
HIVE = "Hive"
KSQLDB = "ksqlDB"
CASSANDRA = "Cassandra"


@dataclass(frozen=True)
class Evidence:
    """Why a file is taken for another engine's SQL: a fixed label (never text from the file, which may hold a
    secret) and where it is written."""

    dialect: str  # display name, e.g. "MySQL"
    label: str  # e.g. "`FLUSH PRIVILEGES`", or "the name `mysql` in its path"
    span: Span


@dataclass(frozen=True)
class Sniffed:
    """What the markers say about one file before any parsing."""

    folder: str | None  # the engine a path component names, e.g. "MySQL"
    folder_word: str | None  # that component's engine word as written, e.g. "mysql"
    marker: Evidence | None  # the first marker of the dialect most markers point to
    pg_evidence: bool  # PostgreSQL-only syntax outside comments and literals
    literals: tuple[tuple[int, int], ...]  # string literal ranges on the marker's line (blanked in snippets)


# ---------------------------------------------------------------------------------------------------------
# Context: engine names in the path

# Words (a whole path component, or one of its `-`/`_`/`.`-separated parts) that name an engine.
_ENGINE_WORDS = {
    **dict.fromkeys(("mysql", "mariadb", "vitess", "tidb", "percona"), MYSQL),
    **dict.fromkeys(("mssql", "sqlserver", "tsql", "azuresql", "sybase"), MSSQL),
    **dict.fromkeys(("oracle", "oracledb", "plsql"), ORACLE),
    "db2": DB2,
    "informix": INFORMIX,
    **dict.fromkeys(("sqlite", "sqlite3"), SQLITE),
    "clickhouse": CLICKHOUSE,
    **dict.fromkeys(("hive", "hiveql"), HIVE),
    **dict.fromkeys(("ksql", "ksqldb"), KSQLDB),
    **dict.fromkeys(("cassandra", "scylla", "scylladb", "cql"), CASSANDRA),
}
# A path naming PostgreSQL anywhere is PostgreSQL's, whatever else it names (`mysql_to_pg/`).
_PG_WORDS = frozenset({"postgres", "postgresql", "pg", "pgsql", "psql", "plpgsql", "supabase", "timescaledb"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_VERSION_TAIL = re.compile(r"\d+[a-z]?$")  # mysql8, oracle19c, sqlite3


def path_engine(path: str) -> tuple[str, str] | None:
    """(dialect, word) of the engine the path names, or None. The file name counts without its extension."""
    parts = path.lower().split("/")
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    found: tuple[str, str] | None = None
    for part in parts:
        named = _component_engine(part)
        if named == _PG:
            return None
        if named is not None and found is None:
            found = named
    return found


_PG = ("PostgreSQL", "")


@functools.lru_cache(maxsize=4096)
def _component_engine(part: str) -> tuple[str, str] | None:
    # Cached: the files of a migration folder share their folder names.
    words = [w for w in _WORD_SPLIT.split(part) if w]
    # `sql-server`, `sql_server`: two words naming one engine.
    words += [a + b for a, b in itertools.pairwise(words)]
    found: tuple[str, str] | None = None
    for word in words:
        if word in _PG_WORDS:
            return _PG
        name = _ENGINE_WORDS.get(word) or _ENGINE_WORDS.get(_VERSION_TAIL.sub("", word))
        if name is not None and found is None:
            found = (name, word)
    return found


# ---------------------------------------------------------------------------------------------------------
# Content: markers outside comments and string literals

# (dialect, label, triggers, pattern). `specific` markers name their dialect; `generic` ones only say "not
# PostgreSQL" (backticks are MySQL, Hive, ClickHouse and SQLite alike) and lend their dialect only when nothing
# better is known. A pattern is only run when one of its upper-case trigger substrings occurs in the text: `in`
# runs in C, so a PostgreSQL file costs a few dozen substring scans, not a regex pass per marker.
_SPECIFIC: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (MYSQL, "FLUSH PRIVILEGES", ("FLUSH",), r"\bFLUSH\s+(?:PRIVILEGES|TABLES|LOGS|HOSTS|STATUS|BINARY\s+LOGS)\b"),
    (
        MYSQL,
        "SET GLOBAL",
        ("GLOBAL", "PERSIST", "PERSIST_ONLY"),
        r"\bSET\s+(?:GLOBAL|PERSIST|PERSIST_ONLY)\s+[A-Za-z_@]",
    ),
    (MYSQL, "@@ system variables", ("@@",), r"@@(?:GLOBAL|SESSION|LOCAL|PERSIST)\."),
    (
        MYSQL,
        "ENGINE=InnoDB",
        ("ENGINE",),
        r"\bENGINE\s*=\s*(?:InnoDB|MyISAM|Aria|ARCHIVE|ROCKSDB|NDB\w*|MEMORY|BLACKHOLE)\b",
    ),
    (MYSQL, "AUTO_INCREMENT", ("AUTO_INCREMENT",), r"\bAUTO_INCREMENT\b"),
    (
        MYSQL,
        "SHOW VARIABLES",
        ("SHOW",),
        r"\bSHOW\s+(?:(?:GLOBAL|SESSION)\s+)?(?:VARIABLES|STATUS|GRANTS|PROCESSLIST|MASTER\s+STATUS|SLAVE\s+STATUS|REPLICA\s+STATUS|BINARY\s+LOGS|ENGINES?)\b",
    ),
    (MYSQL, "'user'@'host'", ("@",), r"['`]\s*@\s*['`%]"),
    (MYSQL, "ON db.*", (".*",), r"\bON\s+(?:\*|`?\w+`?)\.\*"),
    (
        MYSQL,
        "UNSIGNED",
        ("UNSIGNED",),
        r"\b(?:TINYINT|SMALLINT|MEDIUMINT|INT|INTEGER|BIGINT)(?:\s*\(\s*\d+\s*\))?\s+UNSIGNED\b",
    ),
    (
        MYSQL,
        "MEDIUMTEXT",
        ("MEDIUMTEXT", "LONGTEXT", "TINYTEXT", "MEDIUMINT", "LONGBLOB", "MEDIUMBLOB", "TINYBLOB"),
        r"\b(?:MEDIUMTEXT|LONGTEXT|TINYTEXT|MEDIUMINT|LONGBLOB|MEDIUMBLOB|TINYBLOB)\b",
    ),
    (MYSQL, "DEFAULT CHARSET", ("CHARSET", "COLLATE"), r"\b(?:DEFAULT\s+)?CHARSET\s*=|\bCOLLATE\s*=\s*\w"),
    (
        MYSQL,
        "REPLICATION SLAVE",
        ("SLAVE", "CLIENT", "MASTER", "SOURCE"),
        r"\bREPLICATION\s+(?:SLAVE|CLIENT)\b|\bCHANGE\s+(?:MASTER|REPLICATION\s+SOURCE)\s+TO\b",
    ),
    (MYSQL, "DELIMITER", ("DELIMITER",), r"(?m:^[ \t]*DELIMITER[ \t]+\S)"),
    (MYSQL, "LOAD DATA INFILE", ("INFILE",), r"\bLOAD\s+DATA\s+(?:LOCAL\s+)?INFILE\b"),
    (MSSQL, "GO", ("GO",), r"(?m:^[ \t]*GO[ \t]*(?:\d+[ \t]*)?$)"),
    (MSSQL, "EXEC sp_", ("EXEC", "EXECUTE"), r"\bEXEC(?:UTE)?\s+(?:\w+\.){0,2}sp_\w"),
    (MSSQL, "EXEC", ("EXEC",), r"\bEXEC\s+[\w\[@]"),
    (MSSQL, "DECLARE @", ("@",), r"\bDECLARE\s+@\w"),
    (MSSQL, "@@FETCH_STATUS", ("@@",), r"@@(?:FETCH_STATUS|ROWCOUNT|IDENTITY|ERROR|TRANCOUNT|SPID|SERVERNAME)\b"),
    (MSSQL, "[bracketed] names", ("]",), r"\[(?:dbo|sys)\]|\bUSE\s+\[|\[\w+\]\.\[\w+\]"),
    (MSSQL, "NVARCHAR(MAX)", ("MAX",), r"\bN?VARCHAR\s*\(\s*MAX\s*\)"),
    (MSSQL, "IDENTITY(1,1)", ("IDENTITY",), r"\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)"),
    (
        MSSQL,
        "SET NOCOUNT",
        ("NOCOUNT", "ANSI_NULLS", "QUOTED_IDENTIFIER", "IDENTITY_INSERT", "XACT_ABORT"),
        r"\bSET\s+(?:NOCOUNT|ANSI_NULLS|QUOTED_IDENTIFIER|IDENTITY_INSERT|XACT_ABORT)\b",
    ),
    (MSSQL, "WITH (NOLOCK)", ("NOLOCK",), r"\bWITH\s*\(\s*NOLOCK\s*\)"),
    (ORACLE, "ALTER SESSION", ("SESSION",), r"\bALTER\s+SESSION\b"),
    (ORACLE, "VARCHAR2", ("VARCHAR2", "NVARCHAR2"), r"\bN?VARCHAR2\b"),
    (ORACLE, "NUMBER(", ("NUMBER",), r"\bNUMBER\s*\(\s*\d"),
    (ORACLE, "RAW(", ("RAW",), r"\bLONG\s+RAW\b|\bRAW\s*\(\s*\d"),
    (ORACLE, "C## common user", ("C##",), r"\bC##\w"),
    (ORACLE, "V$ views", ("$", "DBA_"), r"\b(?:G?V_?\$|DBA_)\w"),
    (ORACLE, "DBMS_ packages", ("DBMS_", "UTL_"), r"\b(?:DBMS|UTL)_\w+\."),
    (ORACLE, "SUPPLEMENTAL LOG DATA", ("SUPPLEMENTAL", "ARCHIVELOG"), r"\bSUPPLEMENTAL\s+LOG\s+DATA\b|\bARCHIVELOG\b"),
    (
        ORACLE,
        "CONTAINER=ALL",
        ("CONTAINER", "QUOTA"),
        r"\bCONTAINER\s*=\s*(?:ALL|CURRENT)\b|\bQUOTA\s+(?:UNLIMITED|\d)",
    ),
    (
        ORACLE,
        "SQL*Plus commands",
        ("/", "SPOOL", "PROMPT", "SQLERROR"),
        r"(?m:^[ \t]*(?:/[ \t]*$|SPOOL\s|PROMPT\s|WHENEVER\s+SQLERROR\b))",
    ),
    (
        ORACLE,
        "EXECUTE IMMEDIATE",
        ("IMMEDIATE", "PACKAGE"),
        r"\bEXECUTE\s+IMMEDIATE\b|\bCREATE\s+(?:OR\s+REPLACE\s+)?PACKAGE\b",
    ),
    (DB2, "SYSIBM", ("SYSIBM", "SYSCAT", "SYSPROC", "ASNCDC"), r"\b(?:SYSIBM|SYSCAT|SYSPROC|ASNCDC)\."),
    (DB2, "DATA CAPTURE CHANGES", ("CAPTURE",), r"\bDATA\s+CAPTURE\s+CHANGES\b"),
    (DB2, "REORG TABLE", ("REORG", "ORGANIZE"), r"\bREORG\s+TABLE\b|\bORGANIZE\s+BY\s+(?:ROW|COLUMN)\b"),
    (
        INFORMIX,
        "sysmaster",
        ("SYSMASTER", "SYSCDC", "SYSCDCV1", "INFORMIX"),
        r"\bsys(?:master|cdcv1|cdc)\b|\binformix\.",
    ),
    (
        INFORMIX,
        "LVARCHAR",
        ("LVARCHAR", "LOCK", "YEAR"),
        r"\bLVARCHAR\b|\bLOCK\s+MODE\s+ROW\b|\bDATETIME\s+YEAR\s+TO\b",
    ),
    (SQLITE, "PRAGMA", ("PRAGMA",), r"\bPRAGMA\s+\w"),
    (SQLITE, "AUTOINCREMENT", ("AUTOINCREMENT",), r"\bAUTOINCREMENT\b"),
    (SQLITE, "WITHOUT ROWID", ("ROWID", "ATTACH"), r"\bWITHOUT\s+ROWID\b|\bATTACH\s+DATABASE\b"),
    (
        SQLITE,
        "INSERT OR REPLACE",
        ("REPLACE", "IGNORE", "ABORT", "FAIL", "ROLLBACK"),
        r"\b(?:INSERT|UPDATE)\s+OR\s+(?:REPLACE|IGNORE|ABORT|FAIL|ROLLBACK)\b",
    ),
    (
        CLICKHOUSE,
        "ENGINE = MergeTree",
        ("ENGINE",),
        r"\bENGINE\s*=\s*(?:\w*MergeTree|Kafka|Distributed|Log|TinyLog|StripeLog|Buffer|Null|Dictionary|Materialized\w+)\b",
    ),
    (CLICKHOUSE, "ON CLUSTER", ("CLUSTER",), r"\bON\s+CLUSTER\b"),
    (
        CLICKHOUSE,
        "LowCardinality(",
        (
            "LOWCARDINALITY",
            "NULLABLE",
            "DATETIME64",
            "INT16",
            "INT32",
            "INT64",
            "INT128",
            "INT256",
            "UINT8",
            "UINT16",
            "UINT32",
            "UINT64",
            "UINT128",
            "UINT256",
            "FLOAT32",
            "FLOAT64",
        ),
        r"\b(?:LowCardinality|Nullable)\s*\(|\bDateTime64\b|\bU?Int(?:16|32|64|128|256)\b|\bUInt8\b|\bFloat(?:32|64)\b",
    ),
    (
        HIVE,
        "STORED AS",
        ("STORED",),
        r"\bSTORED\s+AS\s+(?:TEXTFILE|ORC|PARQUET|AVRO|SEQUENCEFILE|RCFILE|JSONFILE|INPUTFORMAT)\b",
    ),
    (HIVE, "ROW FORMAT", ("FORMAT", "TBLPROPERTIES"), r"\bROW\s+FORMAT\s+(?:DELIMITED|SERDE)\b|\bTBLPROPERTIES\b"),
    (
        HIVE,
        "MSCK REPAIR",
        ("MSCK", "INPATH", "OVERWRITE"),
        r"\bMSCK\s+REPAIR\b|\bLOAD\s+DATA\s+(?:LOCAL\s+)?INPATH\b|\bINSERT\s+OVERWRITE\b",
    ),
    (KSQLDB, "CREATE STREAM", ("STREAM",), r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:SOURCE\s+)?STREAM\b"),
    (KSQLDB, "EMIT CHANGES", ("EMIT",), r"\bEMIT\s+(?:CHANGES|FINAL)\b"),
    (
        KSQLDB,
        "KAFKA_TOPIC=",
        ("KAFKA_TOPIC", "VALUE_FORMAT", "KEY_FORMAT"),
        r"\b(?:KAFKA_TOPIC|VALUE_FORMAT|KEY_FORMAT)\s*=",
    ),
    (
        KSQLDB,
        "CREATE SOURCE CONNECTOR",
        ("CONNECTOR", "TUMBLING", "HOPPING"),
        r"\bCREATE\s+(?:SOURCE|SINK)\s+CONNECTOR\b|\bWINDOW\s+(?:TUMBLING|HOPPING)\b",
    ),
    (
        KSQLDB,
        "SHOW STREAMS",
        ("STREAMS", "TOPICS", "QUERIES", "CONNECTORS"),
        r"\b(?:SHOW|LIST)\s+(?:STREAMS|TOPICS|QUERIES|CONNECTORS)\b",
    ),
    (CASSANDRA, "CREATE KEYSPACE", ("KEYSPACE", "{"), r"\bCREATE\s+KEYSPACE\b|\bWITH\s+REPLICATION\s*=\s*\{"),
    (
        CASSANDRA,
        "CLUSTERING ORDER BY",
        ("CLUSTERING", "FILTERING", "TTL"),
        r"\bCLUSTERING\s+ORDER\s+BY\b|\bALLOW\s+FILTERING\b|\bUSING\s+TTL\b",
    ),
)
_GENERIC: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    (MYSQL, "backtick-quoted names", ("`",), r"`[^`\n]{1,128}`"),
    (MYSQL, "@@ variables", ("@@",), r"@@[A-Za-z_]\w*\b(?!\s*\()"),  # not PostgreSQL's `@@ to_tsquery(...)`
    (MYSQL, "IDENTIFIED BY", ("IDENTIFIED",), r"\bIDENTIFIED\s+(?:BY|WITH)\b"),
    (MYSQL, "ENGINE=", ("ENGINE",), r"\bENGINE\s*="),
    (MYSQL, "SHOW TABLES", ("SHOW",), r"\bSHOW\s+(?:FULL\s+)?(?:TABLES|DATABASES|COLUMNS|INDEX|CREATE)\b"),
    (MYSQL, "USE", ("USE",), r"(?m:^[ \t]*USE[ \t]+\w+[ \t]*;?[ \t]*$)"),
    (ORACLE, "FROM DUAL", ("DUAL", "SYSDATE", "NVL"), r"\bFROM\s+DUAL\b|\bSYSDATE\b|\bNVL\s*\("),
    (
        HIVE,
        "PARTITIONED BY",
        ("PARTITIONED", "CLUSTERED", "TERMINATED"),
        r"\bPARTITIONED\s+BY\s*\(|\bCLUSTERED\s+BY\b|\bFIELDS\s+TERMINATED\s+BY\b",
    ),
)


@dataclass(frozen=True)
class _Marker:
    dialect: str
    label: str
    triggers: tuple[str, ...]
    pattern: re.Pattern[str]
    specific: bool


_MARKERS = tuple(
    _Marker(d, label, triggers, re.compile(pattern, re.I), specific)
    for group, specific in ((_SPECIFIC, True), (_GENERIC, False))
    for d, label, triggers, pattern in group
)
# Each distinct trigger once, with the markers it arms. A trigger that is a whole word (`FLUSH`) is looked up in
# the file's set of upper-case words (one C-speed `findall`); a symbol (`@@`, `C##`) or a word prefix (`DBMS_`,
# ending in `_`) is a substring test. Either way no marker regex runs unless its trigger is there.
_WORD = re.compile(r"[A-Z_][A-Z0-9_]*")
_BY_WORD: dict[str, tuple[int, ...]] = {}
_BY_SUBSTRING: dict[str, tuple[int, ...]] = {}
for _i, _m in enumerate(_MARKERS):
    for _t in _m.triggers:
        _table = _BY_WORD if _WORD.fullmatch(_t) and not _t.endswith("_") else _BY_SUBSTRING
        _table[_t] = (*_table.get(_t, ()), _i)
_WORD_TRIGGERS = frozenset(_BY_WORD)


def _armed(upper: str) -> list[int]:
    """Indexes of the markers whose trigger occurs in the upper-cased text, in table order."""
    armed = {i for w in _WORD_TRIGGERS.intersection(_WORD.findall(upper)) for i in _BY_WORD[w]}
    armed.update(i for t, markers in _BY_SUBSTRING.items() if t in upper for i in markers)
    return sorted(armed)


_MAX_HITS = 50  # per marker: enough to outvote a stray marker; a huge dump is not scanned to its end

# PostgreSQL-only constructs, by trigger as above. `::` is a cast unless T-SQL's `ON SCHEMA::x` (a securable
# class) precedes it.
_PG_ONLY: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = tuple(
    (triggers, re.compile(pattern, re.I))
    for triggers, pattern in (
        (
            ("PUBLICATION", "SUBSCRIPTION", "EXTENSION", "POLICY", "SYSTEM"),
            r"\bCREATE\s+(?:PUBLICATION|SUBSCRIPTION|EXTENSION|POLICY)\b|\bALTER\s+(?:PUBLICATION|SUBSCRIPTION|SYSTEM)\b",
        ),
        (("REPLICA", "SECURITY"), r"\bREPLICA\s+IDENTITY\b|\bROW\s+LEVEL\s+SECURITY\b"),
        (
            ("PLPGSQL", "BYPASSRLS", "JSONB", "TIMESTAMPTZ", "PG_"),
            r"\bplpgsql\b|\b(?:NO)?BYPASSRLS\b|\bjsonb\b|\btimestamptz\b"
            r"|\bpg_catalog\.|\bpg_(?:create|drop)_\w*replication_slot\b",
        ),
        (
            ("::",),
            r"(?:[)\]'\"]|(?<![\w:])(?!(?:SCHEMA|OBJECT|DATABASE|LOGIN|USER|ROLE|TYPE|ASSEMBLY|CERTIFICATE|ENDPOINT"
            r"|SERVER|CONTRACT|SERVICE)::)\w+)::\s*[A-Za-z_\"]",
        ),
    )
)


def _pg_only(masked: str, upper: str) -> bool:
    return any(any(t in upper for t in triggers) and rx.search(masked) for triggers, rx in _PG_ONLY)


# What hides a marker: comments, string literals, quoted identifiers and dollar-quoted bodies. Each opener is
# found by this regex and its end with str.find, so masking is linear however the text is written.
_OPENER = re.compile(r"--|/\*|['\"]|(?<![\w$])\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")


@dataclass(frozen=True)
class _Masked:
    text: str  # the input with the insides of comments, literals and bodies blanked (same length)
    literals: tuple[tuple[int, int], ...]  # string literal ranges, quotes included
    dollar_bodies: bool  # a closed `$$` / `$tag$` body: PostgreSQL-only


def _mask(text: str) -> _Masked:
    pieces: list[str] = []
    literals: list[tuple[int, int]] = []
    dollar = False
    pos = 0
    n = len(text)
    while pos < n:
        m = _OPENER.search(text, pos)
        if m is None:
            break
        start, token = m.start(), m.group(0)
        if token == "--":
            nl = text.find("\n", start)
            end = n if nl < 0 else nl
            inner = (start, end)
        elif token == "/*":
            close = text.find("*/", start + 2)  # nesting ignored: rare, and only a marker could hide in it
            end = n if close < 0 else close + 2
            inner = (start, end)
        elif token in "'\"":
            close = text.find(token, start + 1)
            end = n if close < 0 else close + 1
            inner = (start + 1, max(start + 1, end - 1))  # quotes kept: `'user'@'host'` is a marker
            if token == "'":
                literals.append((start, end))
        else:
            close = text.find(token, m.end())
            end = n if close < 0 else close + len(token)
            dollar = dollar or close >= 0
            inner = (m.end(), max(m.end(), close if close >= 0 else n))
            literals.append((start, end))
        pieces.append(text[pos : inner[0]])
        pieces.append(" " * (inner[1] - inner[0]))
        pieces.append(text[inner[1] : end])
        pos = end
    pieces.append(text[pos:])
    return _Masked("".join(pieces), tuple(literals), dollar)


def sniff(path: str, text: str) -> Sniffed:
    """Markers and context of one file. Cheap when there is nothing to find: substring tests for the markers'
    triggers, their regexes on the raw text, and the masking pass only when one of those found a candidate or
    the path names an engine (masking only removes candidates, so no raw candidate means no marker)."""
    engine = path_engine(path)
    upper = text.upper()
    candidates = [_MARKERS[i] for i in _armed(upper) if _MARKERS[i].pattern.search(text)]
    if not candidates and engine is None:
        return Sniffed(None, None, None, False, ())
    masked = _mask(text)
    masked_upper = masked.text.upper()
    marker, literals = _first_marker(path, text, masked, candidates, engine[0] if engine else None)
    if marker is None:
        # Folder evidence points at the first line: blank its literals in the snippet.
        first_end = text.find("\n")
        first_end = len(text) if first_end < 0 else first_end
        literals = tuple((s, e) for s, e in masked.literals if s < first_end)
    pg = masked.dollar_bodies or _pg_only(masked.text, masked_upper)
    return Sniffed(engine[0] if engine else None, engine[1] if engine else None, marker, pg, literals)


def _first_marker(
    path: str, text: str, masked: _Masked, candidates: list[_Marker], folder: str | None
) -> tuple[Evidence | None, tuple[tuple[int, int], ...]]:
    hits: list[tuple[int, _Marker, int, int]] = []  # (start, marker, start, end): sorted by place in the file
    for marker in candidates:
        for count, m in enumerate(marker.pattern.finditer(masked.text)):
            if count >= _MAX_HITS:
                break
            hits.append((m.start(), marker, m.start(), m.end()))
    if not hits:
        return None, ()
    hits.sort(key=lambda h: h[0])
    votes = Counter(h[1].dialect for h in hits if h[1].specific)
    if votes:
        best = max(votes.values())
        # Ties go to the folder's engine, then to the dialect seen first.
        tied = [d for d, c in votes.items() if c == best]
        dialect = folder if folder in tied else next(h[1].dialect for h in hits if h[1].dialect in tied)
        chosen = next(h for h in hits if h[1].specific and h[1].dialect == dialect)
    else:
        chosen = hits[0]
        dialect = folder or chosen[1].dialect
    _, marker, start, end = chosen
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    # The snippet shows the marker's line: its literals (a password after IDENTIFIED BY) are blanked there.
    on_line = tuple((s, e) for s, e in masked.literals if s < line_end and e > line_start)
    return Evidence(dialect, f"`{marker.label}`", LineIndex(text).span(path, start, end)), on_line


def folder_evidence(path: str, sniffed: Sniffed) -> Evidence:
    """Evidence of a file taken for another engine's by its path: its first marker when it has one (the more
    telling reason), else the engine's name in the path, shown at the first line."""
    if sniffed.marker is not None:
        return sniffed.marker
    return Evidence(sniffed.folder or "", f"the name `{sniffed.folder_word}` in its path", Span.point(path, 1))


def decide(sniffed: Sniffed, *, rejected: int, statements: int) -> bool:
    """Whether a file that was parsed is another engine's SQL.

    Markers alone are not enough (a PostgreSQL column may be called `engine`), nor are syntax errors alone (a
    migration with one broken statement must keep its error at the exact place): both are needed. PostgreSQL-only
    syntax outvotes them unless most statements are rejected.
    """
    if sniffed.marker is None or rejected == 0:
        return False
    return not sniffed.pg_evidence or rejected * 2 >= statements
