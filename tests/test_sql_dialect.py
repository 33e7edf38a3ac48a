"""SQL written for another engine is recognised and not read as PostgreSQL (`lint.sources.dialect`): no false
syntax errors, one info per folder, and genuine PostgreSQL syntax errors still reported where they are."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lint import project
from lint.sources import dialect
from lint.sources.sql import read_sql
from tests.lintkit import lines, lint_tree

# Small hand-written scripts, each with markers of its dialect and statements PostgreSQL rejects. They sit in a
# neutral folder (`scripts/`), so only their content can tell.
FOREIGN = {
    "MySQL": (
        "CREATE USER 'app'@'%' IDENTIFIED BY 'not-a-real-secret';\n"
        "GRANT REPLICATION SLAVE ON *.* TO 'app'@'%';\n"
        "FLUSH PRIVILEGES;\n"
        "CREATE TABLE `item` (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;\n"
    ),
    "SQL Server": ("USE [shop]\nGO\nEXEC sys.sp_cdc_enable_db\nGO\nDECLARE @n AS INT\nSET @n = 1\nGO\n"),
    "Oracle": (
        "ALTER SESSION SET CONTAINER=CDB$ROOT;\n"
        "CREATE TABLE box (id NUMBER(10), label VARCHAR2(40), blob_col LONG RAW);\n"
        "GRANT SELECT ON V_$DATABASE TO c##app CONTAINER=ALL;\n"
    ),
    "DB2": (
        "CREATE TABLE box (id INTEGER) DATA CAPTURE CHANGES ORGANIZE BY ROW;\n"
        "CALL SYSPROC.ADMIN_CMD('REORG TABLE box');\n"
        "REORG TABLE box INPLACE;\n"
    ),
    "Informix": (
        "CREATE TABLE box (id SERIAL, note LVARCHAR(200), at DATETIME YEAR TO SECOND) LOCK MODE ROW;\n"
        "SELECT * FROM sysmaster:sysdatabases;\n"
    ),
    "SQLite": (
        "PRAGMA foreign_keys = ON;\n"
        "CREATE TABLE box (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT) WITHOUT ROWID;\n"
        "INSERT OR REPLACE INTO box (v) VALUES ('x');\n"
    ),
    "ClickHouse": (
        "CREATE TABLE ev ON CLUSTER main (id UInt64, kind LowCardinality(String), at DateTime64(3))\n"
        "ENGINE = ReplicatedMergeTree ORDER BY id;\n"
    ),
    "Hive": (
        "CREATE EXTERNAL TABLE views (id INT, page STRING) PARTITIONED BY (dt STRING)\n"
        "ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' STORED AS TEXTFILE;\n"
        "MSCK REPAIR TABLE views;\n"
    ),
    "ksqlDB": (
        "CREATE STREAM clicks (id INT, url VARCHAR) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON');\n"
        "SELECT url, COUNT(*) FROM clicks WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY url EMIT CHANGES;\n"
    ),
    "Cassandra": (
        "CREATE KEYSPACE shop WITH REPLICATION = {'class': 'SimpleStrategy', 'replication_factor': 1};\n"
        "CREATE TABLE shop.ev (id int, at timestamp, PRIMARY KEY (id, at)) WITH CLUSTERING ORDER BY (at DESC);\n"
    ),
}


QUIET = {"Hive", "SQL Server", "ksqlDB"}


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_each_dialect_is_recognised_by_content(name: str) -> None:
    f = read_sql("scripts/setup.sql", FOREIGN[name])
    if name in QUIET:
        # No statement of these could change the model (CREATE STREAM, CREATE EXTERNAL TABLE, USE/EXEC): the fast
        # path reads them cleanly without scanning for markers, and they neither add facts nor report anything.
        assert f.dialect is None and f.events == () and f.problems == ()
        f = read_sql("scripts/setup.sql", FOREIGN[name], every_statement=True)
    assert f.dialect == name
    assert f.events == () and f.problems == ()
    assert f.statements >= 1  # still counted, though never parsed
    assert f.foreign is not None and f.foreign.span.path == "scripts/setup.sql"


def test_a_foreign_file_can_be_cached_and_the_default_is_postgresql() -> None:
    from lint import plain
    from lint.sources.sql import SqlFile

    f = read_sql("scripts/setup.sql", FOREIGN["MySQL"])
    assert plain.loads(plain.dumps(f), SqlFile) == f
    assert read_sql("db/V1.sql", "CREATE ROLE a;\n").dialect is None


def test_the_evidence_label_never_quotes_the_file() -> None:
    f = read_sql("scripts/setup.sql", FOREIGN["MySQL"])
    assert f.foreign is not None
    assert "not-a-real-secret" not in f.foreign.label
    # The snippet shows the marker's line: its password literal is blanked there.
    assert any(s.line == 1 for s in f.secret_spans)


def test_markers_in_comments_and_literals_do_not_count() -> None:
    text = (
        "-- ported from MySQL: FLUSH PRIVILEGES, ENGINE=InnoDB, AUTO_INCREMENT\n"
        "/* SET GLOBAL x = 1; VARCHAR2 */\n"
        "COMMENT ON TABLE t IS 'was AUTO_INCREMENT in MySQL, EMIT CHANGES';\n"
    )
    assert dialect.sniff("db/V1.sql", text).marker is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("services/mysql/init-scripts/setup.sql", "MySQL"),
        ("docker/mysql-init/01.sql", "MySQL"),
        ("docker/init_mysql/01.sql", "MySQL"),
        ("db/sql-server/01.sql", "SQL Server"),
        ("oracle19c/setup.sql", "Oracle"),
        ("scripts/ksqldb/queries.sql", "ksqlDB"),
        ("migrate/mysql_to_pg/01.sql", None),
        ("postgres/mysql/01.sql", None),
        ("db/migrations/V1__mysqlish_names.sql", None),
        ("db/migrations/V1.sql", None),
    ],
)
def test_path_components_naming_an_engine(path: str, expected: str | None) -> None:
    found = dialect.path_engine(path)
    assert (found[0] if found else None) == expected


def test_an_engine_folder_makes_plain_sql_foreign() -> None:
    # Nothing in this file is foreign syntax, nor PostgreSQL-only: the folder decides.
    f = read_sql("docker/mysql/01-schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\n")
    assert f.dialect == "MySQL"
    assert f.foreign is not None and f.foreign.label == "the name `mysql` in its path"


def test_postgresql_only_evidence_outweighs_an_engine_folder() -> None:
    text = "CREATE TABLE t (id int PRIMARY KEY);\nCREATE PUBLICATION p FOR TABLE t;\n"
    f = read_sql("replication/mysql-to-replica/01.sql", text)
    assert f.dialect is None
    assert len(f.events) == 2


def test_a_broken_postgresql_migration_keeps_its_parse_error(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "db/V1__roles.sql": (
                "CREATE ROLE app LOGIN;\n"
                "GRANT SELECT ON TABLE public.todos TO;\n"
                "CREATE PUBLICATION powersync FOR TABLE public.todos;\n"
            )
        },
    )
    assert lines(result, "parse-error") == [
        'db/V1__roles.sql:2:38: error: SQL syntax error: syntax error at or near ";"; this statement was skipped, '
        "the rest of the file was read [parse-error]"
    ]


def test_a_postgresql_migration_with_one_foreign_looking_word_and_pg_syntax_keeps_its_error(tmp_path: Path) -> None:
    # `engine = 'x'` is a marker candidate, but the file is PostgreSQL (a `$$` body, `::` casts) and only one of
    # its statements is broken: still read, and the error is reported at its place.
    text = (
        "CREATE TABLE cars (id int PRIMARY KEY, engine text);\n"
        "UPDATE cars SET engine = 'v8'::text WHERE id = 1;\n"
        "DO $$ BEGIN PERFORM 1; END $$;\n"
        "ALTER TABLE cars REPLICA IDENTITY FULL;\n"
        "GRANT SELECT ON cars TO;\n"
    )
    f = read_sql("db/V2.sql", text)
    assert f.dialect is None
    assert [(p.kind, p.span.line) for p in f.problems] == [("parse", 5)]


def test_one_info_per_folder_not_per_file(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "scripts/mysql/01.sql": FOREIGN["MySQL"],
            "scripts/mysql/02.sql": "SET GLOBAL binlog_format = 'ROW';\nSHOW VARIABLES LIKE 'binlog%';\n",
            "scripts/mysql/03.sql": "SHOW MASTER STATUS;\n",
            "scripts/oracle/01.sql": FOREIGN["Oracle"],
        },
    )
    assert lines(result, "parse-error") == [
        "scripts/mysql/01.sql:1:17: info: scripts/mysql/ holds MySQL SQL (recognised by `'user'@'host'`); replint "
        "reads PostgreSQL SQL only, so these 3 files were not read [parse-error]",
        "scripts/oracle/01.sql:1:1: info: scripts/oracle/ holds Oracle SQL (recognised by `ALTER SESSION`); replint "
        "reads PostgreSQL SQL only, so this file was not read [parse-error]",
    ]


POWERSYNC_MYSQL = """\
replication:
  connections:
    - type: mysql
      uri: !env PS_MYSQL_URI
storage:
  type: mongodb
  uri: !env PS_STORAGE_URI
"""


def test_nothing_is_said_when_the_project_declares_that_engine(tmp_path: Path) -> None:
    result = lint_tree(
        tmp_path,
        {
            "config/powersync.yaml": POWERSYNC_MYSQL,
            "services/mysql/init.sql": FOREIGN["MySQL"],
            "scripts/ksql/queries.sql": FOREIGN["ksqlDB"],  # another engine than the declared one: still reported
        },
    )
    assert [line.split(": info: ")[1].split(" (")[0] for line in lines(result, "parse-error")] == [
        "scripts/ksql/ holds ksqlDB SQL"
    ]


def test_foreign_files_are_not_counted_as_migrations(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "V1.sql").write_text("CREATE ROLE app LOGIN;\n", encoding="utf-8")
    (tmp_path / "mysql").mkdir()
    (tmp_path / "mysql" / "init.sql").write_text(FOREIGN["MySQL"], encoding="utf-8")
    (tmp_path / "mysql" / "more.sql").write_text("CREATE ROLE ghost LOGIN;\n", encoding="utf-8")
    loaded = project.load(tmp_path, [tmp_path])
    assert loaded.inputs.sql_files == 1
    assert loaded.inputs.sql is not None
    assert "ghost" not in loaded.inputs.sql.roles
    assert [p.kind for p in loaded.inputs.problems] == ["foreign-sql"]


@pytest.mark.parametrize(
    "text",
    [
        "`" * 100_000,
        "'" * 100_000,
        "$a$ " * 25_000,
        "@@" * 50_000,
        "/*" * 50_000,
        ("x" * 99 + "::") * 1_000,
        "[a]." * 25_000,
        "SHOW GLOBAL ENGINE IDENTIFIED " * 4_000,
    ],
    ids=["backticks", "quotes", "dollars", "at", "comments", "casts", "brackets", "keywords"],
)
def test_sniffing_is_linear_on_hostile_input(text: str) -> None:
    start = time.perf_counter()
    dialect.sniff("scripts/mysql/x.sql", text)
    assert time.perf_counter() - start < 2.0
