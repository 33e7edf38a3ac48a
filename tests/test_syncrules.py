"""Sync rules / sync streams reader: structure problems, definitions, and the tables the queries read."""

from __future__ import annotations

import random
import re
import string
import textwrap

import pytest

from lint.sources.syncrules import (
    SyncRules,
    SyncTableRef,
    looks_like_sync_rules,
    read_sync_rules,
)
from lint.span import Span

PATH = "powersync/sync_rules.yaml"


def read(text: str, default_schema: str = "public", **kw: int) -> SyncRules:
    return read_sync_rules(PATH, textwrap.dedent(text), default_schema, **kw)


def tables(rules: SyncRules) -> list[tuple[str, str]]:
    """(schema.name[%], definition) pairs, in order."""
    out = []
    for t in rules.tables:
        schema = t.schema + ("%" if t.schema_wildcard else "")
        name = t.name + ("%" if t.wildcard else "")
        tag = "" if t.connection_tag == "default" else f"{t.connection_tag}:"
        out.append((f"{tag}{schema}.{name}", t.definition))
    return out


def names(rules: SyncRules) -> set[str]:
    return {f"{t.schema}.{t.name}" for t in rules.tables}


def pos(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth whole-word occurrence of `needle` in `text`."""
    at = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(needle)}(?!\w)", text)][nth]
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, col


def span_of(text: str, needle: str, nth: int = 0) -> Span:
    line, col = pos(text, needle, nth)
    return Span(PATH, line, col, line, col + len(needle) - 1)


def ref(rules: SyncRules, name: str, definition: str | None = None) -> SyncTableRef:
    found = [t for t in rules.tables if t.name == name and (definition is None or t.definition == definition)]
    assert len(found) == 1, (name, definition, rules.tables)
    return found[0]


def kinds(rules: SyncRules) -> list[str]:
    return [p.kind for p in rules.problems]


# --------------------------------------------------------------------------------------------------------
# Legacy bucket definitions


LEGACY = """\
bucket_definitions:
  user_lists:
    # Separate bucket per todo list
    parameters: SELECT id AS list_id FROM lists WHERE owner_id = request.user_id()
    data:
      - SELECT * FROM lists WHERE id = bucket.list_id
      - SELECT * FROM todos WHERE list_id = bucket.list_id
  by_token:
    parameters:
      - SELECT token_parameters.user_id AS user_id
      - SELECT value AS project_id FROM json_each(request.jwt() -> 'projects')
      - SELECT org_id FROM memberships WHERE user_id = token_parameters.user_id AND role = 'admin'
    data:
      - SELECT id, name, owner_id FROM projects WHERE id = bucket.project_id
      - SELECT * FROM issues WHERE project_id = bucket.project_id AND status <> 'deleted'
      - SELECT * FROM profiles WHERE id = bucket.user_id
  global:
    data:
      - SELECT * FROM settings
"""


def test_legacy_bucket_definitions_tables_and_definitions() -> None:
    rules = read(LEGACY)
    assert rules.problems == ()
    assert tables(rules) == [
        ("public.lists", "bucket_definitions.user_lists.parameters"),
        ("public.lists", "bucket_definitions.user_lists.data[0]"),
        ("public.todos", "bucket_definitions.user_lists.data[1]"),
        ("public.memberships", "bucket_definitions.by_token.parameters[2]"),
        ("public.projects", "bucket_definitions.by_token.data[0]"),
        ("public.issues", "bucket_definitions.by_token.data[1]"),
        ("public.profiles", "bucket_definitions.by_token.data[2]"),
        ("public.settings", "bucket_definitions.global.data[0]"),
    ]
    assert [(d.kind, d.name, d.accept_dangerous) for d in rules.definitions] == [
        ("bucket", "user_lists", False),
        ("bucket", "by_token", False),
        ("bucket", "global", False),
    ]
    assert rules.definitions[0].span == span_of(LEGACY, "user_lists")
    assert rules.definitions[0].accept_span is None
    assert all(t.connection_tag == "default" for t in rules.tables)
    assert not any(t.wildcard or t.schema_wildcard for t in rules.tables)
    assert rules.path == PATH


def test_legacy_spans_point_at_the_table_name() -> None:
    rules = read(LEGACY)
    assert ref(rules, "lists", "bucket_definitions.user_lists.parameters").span == span_of(LEGACY, "lists")
    assert ref(rules, "todos").span == span_of(LEGACY, "todos")
    assert ref(rules, "memberships").span == span_of(LEGACY, "memberships")
    assert ref(rules, "settings").span == span_of(LEGACY, "settings")


def test_default_schema_argument_is_applied() -> None:
    rules = read(LEGACY, default_schema="app_db")
    assert {t.schema for t in rules.tables} == {"app_db"}


def test_parameters_omitted_is_fine() -> None:
    rules = read("""
        bucket_definitions:
          global:
            data: [SELECT * FROM todos]
    """)
    assert rules.problems == ()
    assert tables(rules) == [("public.todos", "bucket_definitions.global.data[0]")]


# --------------------------------------------------------------------------------------------------------
# Sync streams


STREAMS = """\
streams:
  user_details:
    query: SELECT * FROM users WHERE id = auth.user_id()
    auto_subscribe: true
  list_todos:
    query: |
      SELECT todos.* FROM todos
      WHERE list_id = subscription.parameter('list_id')
        AND list_id IN (SELECT id FROM lists WHERE owner_id = auth.user_id())
    accept_potentially_dangerous_queries: true
  comments:
    query: >
      SELECT c.* FROM comments c
      JOIN issues i ON c.issue_id = i.id
      INNER JOIN project_members pm ON pm.project_id = i.project_id
      WHERE pm.user_id = auth.user_id() AND i.archived IS NOT TRUE
  tagged:
    query: SELECT t.* FROM todos t, tags WHERE tags.todo_id = t.id AND tags.name = auth.parameter('t') ->> 'x'
  exists_q:
    priority: 1
    query: >-
      SELECT * FROM notes n WHERE EXISTS
      (SELECT 1 FROM shares s WHERE s.note_id = n.id AND s.user_id = auth.user_id())
"""


def test_streams_tables() -> None:
    rules = read(STREAMS)
    assert rules.problems == ()
    assert tables(rules) == [
        ("public.users", "streams.user_details.query"),
        ("public.todos", "streams.list_todos.query"),
        ("public.lists", "streams.list_todos.query"),
        ("public.comments", "streams.comments.query"),
        ("public.issues", "streams.comments.query"),
        ("public.project_members", "streams.comments.query"),
        ("public.todos", "streams.tagged.query"),
        ("public.tags", "streams.tagged.query"),
        ("public.notes", "streams.exists_q.query"),
        ("public.shares", "streams.exists_q.query"),
    ]


def test_streams_definitions_and_accept_dangerous() -> None:
    rules = read(STREAMS)
    defs = {d.name: d for d in rules.definitions}
    assert [d.kind for d in rules.definitions] == ["stream"] * 5
    assert defs["list_todos"].accept_dangerous is True
    line, col = pos(STREAMS, "accept_potentially_dangerous_queries: true")
    assert defs["list_todos"].accept_span == Span(
        PATH, line, col, line, col + len("accept_potentially_dangerous_queries: true") - 1
    )
    assert defs["user_details"].accept_dangerous is False
    assert defs["user_details"].accept_span is None
    line = pos(STREAMS, "  comments:")[0]
    assert defs["comments"].span == Span(PATH, line, 3, line, 10)


def test_block_scalar_spans() -> None:
    rules = read(STREAMS)
    # Literal block: the subquery's table on the third line of the block.
    assert ref(rules, "lists").span == span_of(STREAMS, "lists")
    # Folded block: each line of the query is searched where it is written.
    assert ref(rules, "issues").span == span_of(STREAMS, "issues")
    assert ref(rules, "project_members").span == span_of(STREAMS, "project_members")
    assert ref(rules, "shares").span == span_of(STREAMS, "shares")


def test_accept_dangerous_false_and_wrong_type() -> None:
    rules = read("""
        streams:
          a:
            query: SELECT * FROM todos WHERE id = subscription.parameter('id')
            accept_potentially_dangerous_queries: false
          b:
            query: SELECT * FROM todos WHERE id = subscription.parameter('id')
            accept_potentially_dangerous_queries: "yes"
    """)
    a, b = rules.definitions
    assert (a.accept_dangerous, b.accept_dangerous) == (False, False)
    assert a.accept_span is not None
    assert kinds(rules) == ["sync-structure"]
    assert "streams.b.accept_potentially_dangerous_queries" in rules.problems[0].message
    assert rules.problems[0].span.line == 8


def test_accept_dangerous_yaml_tag_on_query() -> None:
    text = textwrap.dedent("""\
        config:
          edition: 3
        streams:
          a:
            query: !accept_potentially_dangerous_queries SELECT * FROM todos WHERE connection.parameter('')
          b:
            queries:
              - SELECT * FROM lists
              - !accept_potentially_dangerous_queries SELECT * FROM items WHERE x = connection.parameter('x')
    """)
    rules = read_sync_rules(PATH, text, "public")
    assert rules.problems == ()
    a, b = rules.definitions
    assert a.accept_dangerous and b.accept_dangerous
    assert a.accept_span is not None and a.accept_span.line == 5
    assert b.accept_span is not None and b.accept_span.line == 9
    # The tag does not disturb table spans.
    assert ref(rules, "todos").span == span_of(text, "todos")
    assert ref(rules, "items").span == span_of(text, "items")


def test_bucket_accept_dangerous() -> None:
    rules = read("""
        bucket_definitions:
          by_param:
            accept_potentially_dangerous_queries: true
            parameters: SELECT request.parameters() ->> 'project' AS project_id
            data: [SELECT * FROM tasks WHERE project_id = bucket.project_id]
    """)
    assert rules.problems == ()
    assert rules.definitions[0].accept_dangerous is True
    assert tables(rules) == [("public.tasks", "bucket_definitions.by_param.data[0]")]


# --------------------------------------------------------------------------------------------------------
# CTEs and table-valued functions


CTES = """\
config:
  edition: 3
with:
  my_orgs: SELECT org_id FROM org_members WHERE user_id = auth.user_id()
  lists: SELECT id FROM lists WHERE owner_id = auth.user_id()
streams:
  org_projects:
    query: SELECT * FROM projects WHERE org_id IN my_orgs
  shadowing:
    with:
      # A stream-local CTE named like a real table: inside the stream, `lists` is the CTE.
      lists: SELECT id FROM lists WHERE id = subscription.parameter('list')
    queries:
      - SELECT * FROM todos WHERE list_id IN lists
      - SELECT * FROM lists
      - SELECT * FROM todos WHERE list_id IN (SELECT id FROM my_orgs)
  json:
    query: SELECT * FROM docs WHERE id IN (SELECT value FROM json_each(auth.parameter('doc_ids')))
  tvf:
    query: SELECT d.* FROM docs d, json_each(d.tags) AS tag WHERE tag.value = subscription.parameter('tag')
  sql_with:
    query: WITH recent AS (SELECT id FROM events WHERE day > 3) SELECT * FROM recent JOIN event_logs ON true
"""


def test_ctes_are_not_tables_but_their_bodies_are_read() -> None:
    rules = read(CTES)
    assert rules.problems == ()
    assert tables(rules) == [
        ("public.org_members", "with.my_orgs"),
        # The global CTE `lists` reads the real `lists` table (CTE bodies see no CTEs).
        ("public.lists", "with.lists"),
        ("public.projects", "streams.org_projects.query"),
        ("public.lists", "streams.shadowing.with.lists"),
        ("public.todos", "streams.shadowing.queries[0]"),
        ("public.todos", "streams.shadowing.queries[2]"),
        ("public.docs", "streams.json.query"),
        ("public.docs", "streams.tvf.query"),
        ("public.events", "streams.sql_with.query"),
        ("public.event_logs", "streams.sql_with.query"),
    ]
    assert not any(t.definition == "streams.shadowing.queries[1]" for t in rules.tables)
    assert ref(rules, "lists", "with.lists").span == span_of(CTES, "lists", 1)
    line = pos(CTES, "FROM lists WHERE id")[0]
    assert ref(rules, "lists", "streams.shadowing.with.lists").span.line == line


def test_schema_qualified_name_is_never_a_cte() -> None:
    rules = read("""
        config:
          edition: 3
        with:
          lists: SELECT id FROM lists
        streams:
          s:
            query: SELECT * FROM public.lists WHERE id IN lists
    """)
    assert tables(rules) == [("public.lists", "with.lists"), ("public.lists", "streams.s.query")]


def test_cte_in_legacy_edition_is_rejected_but_still_read() -> None:
    rules = read("""
        with:
          mine: SELECT id FROM lists WHERE owner = auth.user_id()
        streams:
          s:
            with:
              other: SELECT id FROM teams
            query: SELECT * FROM todos WHERE list_id IN mine
    """)
    assert kinds(rules) == ["sync-structure", "sync-structure"]
    assert "edition 3" in rules.problems[0].message
    assert rules.problems[0].span.line == 2
    assert rules.problems[1].message.startswith("sync rules: streams.s.with:")
    assert names(rules) == {"public.lists", "public.teams", "public.todos"}


# --------------------------------------------------------------------------------------------------------
# Identifiers, schemas, connection tags, wildcards


NAMES = """\
config:
  edition: 3
streams:
  s:
    queries:
      - SELECT * FROM "TodoItems"
      - SELECT * FROM Users
      - SELECT * FROM "Other"."Assets"
      - SELECT * FROM Data.HC_Patient_Visit
      - SELECT * FROM sales.orders o JOIN "Sales"."Order Lines" l ON l.order_id = o.id
      - SELECT * FROM "todos_%"
      - SELECT * FROM "%"
      - SELECT * FROM "%".work_orders
      - SELECT * FROM "tenant_%"."Items"
      - SELECT * FROM "second.public"."assets"
      - SELECT * FROM "Second.Archive".logs
"""


def test_identifier_folding_schemas_tags_and_wildcards() -> None:
    rules = read(NAMES)
    assert rules.problems == ()
    got = [(t.connection_tag, t.schema, t.schema_wildcard, t.name, t.wildcard) for t in rules.tables]
    assert got == [
        ("default", "public", False, "TodoItems", False),
        ("default", "public", False, "users", False),
        ("default", "Other", False, "Assets", False),
        ("default", "data", False, "hc_patient_visit", False),
        ("default", "sales", False, "orders", False),
        ("default", "Sales", False, "Order Lines", False),
        ("default", "public", False, "todos_", True),
        ("default", "public", False, "", True),
        ("default", "", True, "work_orders", False),
        ("default", "tenant_", True, "Items", False),
        ("second", "public", False, "assets", False),
        ("Second", "Archive", False, "logs", False),
    ]


def test_identifier_spans_cover_the_whole_reference() -> None:
    rules = read(NAMES)
    assert ref(rules, "TodoItems").span == span_of(NAMES, '"TodoItems"')
    assert ref(rules, "Assets").span == span_of(NAMES, '"Other"."Assets"')
    assert ref(rules, "hc_patient_visit").span == span_of(NAMES, "Data.HC_Patient_Visit")
    assert ref(rules, "Order Lines").span == span_of(NAMES, '"Sales"."Order Lines"')
    assert ref(rules, "todos_").span == span_of(NAMES, '"todos_%"')
    assert ref(rules, "").span == span_of(NAMES, '"%"')
    assert ref(rules, "work_orders").span == span_of(NAMES, '"%".work_orders')
    assert ref(rules, "assets").span == span_of(NAMES, '"second.public"."assets"')


def test_schema_with_two_dots_is_invalid() -> None:
    text = textwrap.dedent("""\
        streams:
          s:
            query: SELECT * FROM "a.b.c".t
    """)
    rules = read_sync_rules(PATH, text, "public")
    assert rules.tables == ()
    assert kinds(rules) == ["sync-structure"]
    assert "invalid schema" in rules.problems[0].message
    assert rules.problems[0].span == span_of(text, '"a.b.c".t')


def test_deduplication() -> None:
    rules = read("""
        streams:
          s:
            query: SELECT * FROM todos WHERE id IN (SELECT todo_id FROM todos WHERE owner = auth.user_id())
        bucket_definitions:
          b:
            data:
              - SELECT * FROM todos
              - SELECT * FROM TODOS
    """)
    assert tables(rules) == [
        ("public.todos", "bucket_definitions.b.data[0]"),
        ("public.todos", "bucket_definitions.b.data[1]"),
        ("public.todos", "streams.s.query"),
    ]


# --------------------------------------------------------------------------------------------------------
# Event definitions


def test_event_definitions_payloads() -> None:
    text = textwrap.dedent("""\
        bucket_definitions:
          global:
            data:
              - SELECT * FROM todos
        event_definitions:
          write_checkpoints:
            payloads:
              - SELECT user_id, client_id, checkpoint FROM checkpoints
              - SELECT user_id FROM audit.checkpoint_log
    """)
    rules = read_sync_rules(PATH, text, "public")
    assert rules.problems == ()
    assert tables(rules) == [
        ("public.todos", "bucket_definitions.global.data[0]"),
        ("public.checkpoints", "event_definitions.write_checkpoints.payloads[0]"),
        ("audit.checkpoint_log", "event_definitions.write_checkpoints.payloads[1]"),
    ]
    assert [(d.kind, d.name) for d in rules.definitions] == [
        ("bucket", "global"),
        ("event", "write_checkpoints"),
    ]
    assert ref(rules, "checkpoints").span == span_of(text, "checkpoints")


def test_event_definition_structure() -> None:
    rules = read("""
        streams:
          s: {query: SELECT * FROM t}
        event_definitions:
          a: {}
          b: {payloads: SELECT * FROM x}
          c: [1]
    """)
    assert kinds(rules) == ["sync-structure"] * 3
    assert [p.span.line for p in rules.problems] == [5, 6, 7]


# --------------------------------------------------------------------------------------------------------
# Inline `content:` with offsets


def test_inline_content_offsets_give_exact_file_spans() -> None:
    config = textwrap.dedent("""\
        replication:
          connections: []
        sync_rules:
          content: |
            bucket_definitions:
              global:
                data:
                  - SELECT * FROM todos
                  - SELECT * FROM "Other"."Assets" WHERE x = 1
            streams:
              bad:
                query: SELECT * FROM lists WHERE (x = 1
    """)
    lines = config.splitlines()
    start = 4  # index of the first content line (0-based) = file line 5
    indent = 4
    content = "\n".join(line[indent:] for line in lines[start:]) + "\n"
    rules = read_sync_rules("powersync.yaml", content, "public", line_offset=start, col_offset=indent)
    todos = ref(rules, "todos")
    assert todos.span == Span("powersync.yaml", 8, 27, 8, 31)
    assert lines[7][26:31] == "todos"
    assets = ref(rules, "Assets")
    assert assets.span == Span("powersync.yaml", 9, 27, 9, 42)
    assert lines[8][26:42] == '"Other"."Assets"'
    assert rules.definitions[0].span == Span("powersync.yaml", 6, 7, 6, 12)
    assert rules.definitions[1].span == Span("powersync.yaml", 11, 7, 11, 9)
    (problem,) = rules.problems
    assert problem.kind == "parse"
    assert problem.message.startswith("sync rules: streams.bad.query: SQL syntax error:")
    assert problem.span.line == 12
    assert lines[11][problem.span.col - 1] == "("
    assert ref(rules, "lists").span == Span("powersync.yaml", 12, 30, 12, 34)
    assert lines[11][29:34] == "lists"


def test_inline_content_yaml_error_is_shifted() -> None:
    text = "streams:\n  s: [unclosed\n"
    rules = read_sync_rules("powersync.yaml", text, "public", line_offset=10, col_offset=4)
    assert kinds(rules) == ["parse"]
    assert rules.problems[0].message.startswith("sync rules: YAML syntax error")
    assert rules.problems[0].span.line > 10
    assert rules.problems[0].span.col > 4


# --------------------------------------------------------------------------------------------------------
# Broken YAML and SQL


def test_broken_yaml() -> None:
    rules = read("""\
        bucket_definitions:
          global:
            data:
              - SELECT * FROM todos
             bad: [
    """)
    assert rules.tables == () and rules.definitions == ()
    assert kinds(rules) == ["parse"]
    assert "YAML" in rules.problems[0].message
    assert rules.problems[0].span.line in (4, 5)


def test_duplicate_yaml_key_is_reported() -> None:
    rules = read("""\
        streams:
          s:
            query: SELECT * FROM a
            query: SELECT * FROM b
    """)
    assert "parse" in kinds(rules)
    assert any("duplicate key" in p.message for p in rules.problems)


BROKEN_SQL = """\
config:
  edition: 3
streams:
  a:
    query: |
      SELECT *
      FROM todos
      WHERE owner_id = auth.user_id() AND
  b:
    query: SELECT * FRM todos
  c:
    query: SELECT * FROM todos WHERE name = 'unterminated
  d:
    query: SELECT * FROM WHERE x = 1
  e:
    query: "   "
  f:
    query: SELECT * FROM todos WHERE x = = 1
  g:
    queries:
      - "-- just a comment"
      - SELECT * FROM todos WHERE (a = 1 OR b = 2
"""


def test_broken_sql_reports_parse_problems_with_lines() -> None:
    rules = read(BROKEN_SQL)
    by_def = {p.message.split(":")[1].strip(): p for p in rules.problems}
    assert all(p.kind == "parse" for p in rules.problems)
    assert set(by_def) == {
        "streams.a.query",
        "streams.b.query",
        "streams.c.query",
        "streams.d.query",
        "streams.e.query",
        "streams.f.query",
        "streams.g.queries[0]",
        "streams.g.queries[1]",
    }
    for p in rules.problems:
        assert "SQL syntax error" in p.message
    assert by_def["streams.a.query"].span.line == 8
    assert by_def["streams.a.query"].span.col == pos(BROKEN_SQL, "AND")[1]
    assert by_def["streams.b.query"].span == span_of(BROKEN_SQL, "todos", 1)
    assert by_def["streams.c.query"].span.line == 12
    assert "unterminated string" in by_def["streams.c.query"].message
    assert by_def["streams.d.query"].span.line == 14
    line, col = pos(BROKEN_SQL, "= = 1")
    assert by_def["streams.f.query"].span == Span(PATH, line, col + 2, line, col + 2)
    assert by_def["streams.g.queries[1]"].span.line == 22
    assert "empty" in by_def["streams.e.query"].message


def test_broken_sql_still_yields_recoverable_tables() -> None:
    rules = read(BROKEN_SQL)
    assert tables(rules) == [
        ("public.todos", "streams.a.query"),
        ("public.todos", "streams.c.query"),
        ("public.todos", "streams.f.query"),
        ("public.todos", "streams.g.queries[1]"),
    ]


def test_sql_problem_message_never_contains_the_query() -> None:
    secret_query = "SELECT * FROM todos WHERE token = 'sk_live_abcdef0123456789' AND AND"
    rules = read_sync_rules(PATH, f'streams:\n  s:\n    query: "{secret_query}"\n', "public")
    assert kinds(rules) == ["parse"]
    assert "sk_live" not in rules.problems[0].message
    assert secret_query not in rules.problems[0].message


# --------------------------------------------------------------------------------------------------------
# Valid sync-rules SQL that sqlglot cannot parse: tables are recovered, nothing is reported


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * FROM todos WHERE list_id IN request.parameters() -> 'lists'", {"public.todos"}),
        ("SELECT * FROM todos WHERE list_id NOT IN auth.parameter('hidden') ->> 'ids'", {"public.todos"}),
        ("SELECT * FROM values", {"public.values"}),
        (
            "SELECT * FROM t WHERE x IN auth.parameters() ->> 'a' AND y IN (SELECT id FROM u)",
            {"public.t", "public.u"},
        ),
    ],
)
def test_sqlglot_gaps_fall_back_without_problems(query: str, expected: set[str]) -> None:
    rules = read_sync_rules(PATH, f"streams:\n  s:\n    query: {query}\n", "public")
    assert rules.problems == ()
    assert names(rules) == expected


@pytest.mark.parametrize(
    "query",
    [
        "SELECT request.user_id() AS user_id",
        "SELECT token_parameters.user_id AS user_id",
        "SELECT * FROM todos WHERE owner = request.jwt() ->> 'sub'",
        "SELECT * FROM todos WHERE list_id = bucket.list_id AND archived = false",
        "SELECT CAST(id AS TEXT) AS id, json_extract(d, '$.x') AS x FROM todos WHERE t && auth.parameter('')",
        "SELECT * FROM todos WHERE id IN subscription.parameter('ids')",
        "SELECT * FROM todos WHERE x = connection.parameter('x') AND y BETWEEN 1 AND 3",
        'SELECT _table_suffix AS suffix, * FROM "todos_%"',
        "SELECT * FROM todos WHERE created > unixepoch('now') - 86400 LIMIT 10",
    ],
)
def test_realistic_sync_sql_parses_cleanly(query: str) -> None:
    quoted = query.replace('"', '\\"')
    rules = read_sync_rules(PATH, f'streams:\n  s:\n    query: "{quoted}"\n', "public")
    assert rules.problems == ()
    assert names(rules) <= {"public.todos", "public.todos_"}


# --------------------------------------------------------------------------------------------------------
# Scalar styles: spans in double-quoted, single-quoted, plain multi-line and folded scalars


def test_spans_in_quoted_and_multiline_scalars() -> None:
    text = textwrap.dedent("""\
        streams:
          a:
            query: "SELECT *\\n  FROM todos\\tWHERE x = \\"y\\" AND z IN (SELECT a FROM lists)"
          b:
            query: 'SELECT * FROM notes WHERE name = ''it''''s'' OR x IN (SELECT a FROM shares)'
          c:
            query: SELECT * FROM projects
              WHERE x = 1 AND y IN (SELECT id
              FROM members)
    """)
    rules = read_sync_rules(PATH, text, "public")
    assert rules.problems == ()
    for name in ("todos", "lists", "notes", "shares", "projects", "members"):
        assert ref(rules, name).span == span_of(text, name), name


def test_span_falls_back_to_the_value() -> None:
    # A unicode escape shifts the value against the source; the span still lands inside the value.
    text = 'streams:\n  s:\n    query: "SELECT * FROM t\\u00e9st"\n'
    rules = read_sync_rules(PATH, text, "public")
    (t,) = rules.tables
    assert t.name == "t\u00e9st"
    assert t.span.line == 3


# --------------------------------------------------------------------------------------------------------
# Structure problems


def test_unknown_root_key() -> None:
    text = "bucket_definitions:\n  g:\n    data: [SELECT * FROM t]\nstream:\n  x: {query: SELECT 1}\n"
    rules = read_sync_rules(PATH, text, "public")
    assert kinds(rules) == ["sync-structure"]
    assert "stream" in rules.problems[0].message and "unknown top-level key" in rules.problems[0].message
    assert rules.problems[0].span == Span(PATH, 4, 1, 4, 6)


def test_missing_bucket_definitions_and_streams() -> None:
    rules = read("config:\n  edition: 1\n")
    assert kinds(rules) == ["sync-structure"]
    assert "'bucket_definitions' or 'streams' is required" in rules.problems[0].message


def test_missing_data() -> None:
    text = "bucket_definitions:\n  by_user:\n    parameters: SELECT request.user_id() AS user_id\n"
    rules = read_sync_rules(PATH, text, "public")
    assert kinds(rules) == ["sync-structure"]
    assert rules.problems[0].message == (
        "sync rules: bucket_definitions.by_user: a bucket definition needs a 'data' list of queries"
    )
    assert rules.problems[0].span == Span(PATH, 2, 3, 2, 9)


def test_non_string_queries() -> None:
    text = textwrap.dedent("""\
        bucket_definitions:
          b:
            parameters: 42
            data:
              - SELECT * FROM todos
              - 17
              - {select: x}
        streams:
          s:
            query: [SELECT * FROM lists]
          t:
            query: true
    """)
    rules = read_sync_rules(PATH, text, "public")
    assert kinds(rules) == ["sync-structure"] * 5
    assert [p.span.line for p in rules.problems] == [3, 6, 7, 10, 12]
    assert "bucket_definitions.b.parameters" in rules.problems[0].message
    assert "bucket_definitions.b.data[1]: a query must be a string, not a number" in rules.problems[1].message
    assert "streams.s.query" in rules.problems[3].message
    assert "streams.t.query: a query must be a string, not a boolean" in rules.problems[4].message
    assert tables(rules) == [("public.todos", "bucket_definitions.b.data[0]")]


def test_non_string_query_boolean() -> None:
    rules = read("streams:\n  t:\n    query: true\n")
    assert kinds(rules) == ["sync-structure"]
    assert "a boolean" in rules.problems[0].message


def test_wrong_types_everywhere() -> None:
    text = textwrap.dedent("""\
        config:
          edition: 9
          timestamps_iso8601: "yes"
        bucket_definitions:
          a: SELECT * FROM x
          b:
            data: SELECT * FROM y
            priority: 7
            extra: 1
        streams:
          s:
            query: SELECT * FROM z
            queries: [SELECT * FROM w]
            auto_subscribe: 1
          t: {}
          u: 3
    """)
    rules = read_sync_rules(PATH, text, "public")
    messages = [p.message for p in rules.problems]
    assert all(k == "sync-structure" for k in kinds(rules))
    expected = [
        "config.edition: must be an integer from 1 to 3",
        "config.timestamps_iso8601: must be a boolean",
        "bucket_definitions.a: a bucket definition must be a mapping",
        "bucket_definitions.b.priority: must be an integer from 0 to 3",
        "bucket_definitions.b.extra: unknown key",
        "bucket_definitions.b.data: must be a list of queries",
        "streams.s.auto_subscribe: must be a boolean",
        "streams.s: a stream needs exactly one of 'query' or 'queries'",
        "streams.s.queries: multiple queries require config.edition 3",
        "streams.t: a stream needs exactly one of 'query' or 'queries'",
        "streams.u: a stream must be a mapping",
    ]
    assert len(messages) == len(expected), messages
    for want, got in zip(expected, messages, strict=True):
        assert got.startswith(f"sync rules: {want}"), (want, got)
    assert [d.name for d in rules.definitions] == ["a", "b", "s", "t", "u"]
    assert names(rules) == {"public.z", "public.w"}


def test_top_level_shapes() -> None:
    for text, message in [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("just a string", "must be a mapping"),
        ("bucket_definitions: [a]\n", "bucket_definitions: must be a mapping"),
        ("streams: 3\n", "streams: must be a mapping"),
    ]:
        rules = read_sync_rules(PATH, text, "public")
        assert kinds(rules) == ["sync-structure"], text
        assert message in rules.problems[0].message, (text, rules.problems)


def test_edition_3_rejects_bucket_definitions() -> None:
    rules = read("""\
        config:
          edition: 3
        bucket_definitions:
          g: {data: [SELECT * FROM todos]}
        streams:
          s: {query: SELECT * FROM lists}
    """)
    assert kinds(rules) == ["sync-structure"]
    assert "not supported with config.edition 3" in rules.problems[0].message
    assert rules.problems[0].span.line == 3
    assert names(rules) == {"public.todos", "public.lists"}


def test_duplicate_definition_names() -> None:
    rules = read("""\
        bucket_definitions:
          todos: {data: [SELECT * FROM todos]}
        streams:
          todos: {query: SELECT * FROM todos}
    """)
    assert kinds(rules) == ["sync-structure"]
    assert "duplicate" in rules.problems[0].message
    assert rules.problems[0].span.line == 4


def test_looks_like_sync_rules() -> None:
    assert looks_like_sync_rules({"bucket_definitions": {}})
    assert looks_like_sync_rules({"streams": None})
    assert not looks_like_sync_rules({"replication": {}})
    assert not looks_like_sync_rules(["streams"])
    assert not looks_like_sync_rules(None)
    assert not looks_like_sync_rules("streams")


# --------------------------------------------------------------------------------------------------------
# Never raises


def test_never_raises_on_garbage() -> None:
    rng = random.Random(20240611)
    alphabet = string.printable + "\"'|>{}[]:-#&*!%\u00e9\x00\x85\u2028"
    base = LEGACY + STREAMS.replace("streams:\n", "") + CTES.replace("streams:\n", "")
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(150)]
    for _ in range(300):
        chars = list(base)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(chars))
            chars[at] = rng.choice(alphabet)
        samples.append("".join(chars))
    samples += ["\x00\x01\x02", "{{{{", "[" * 500, "a: " + "[" * 200 + "]" * 200, "&a [*a]"]
    samples += ["!!python/object:os.system x", "streams: !!python/name:os.system"]
    for sample in samples:
        rules = read_sync_rules(PATH, sample, "public", line_offset=2, col_offset=4)
        assert isinstance(rules, SyncRules)
        assert not any("internal error" in p.message for p in rules.problems), sample


def test_never_raises_on_hostile_sql() -> None:
    rng = random.Random(7)
    words = [
        "SELECT",
        "*",
        "FROM",
        "JOIN",
        "WHERE",
        "(",
        ")",
        ",",
        "todos",
        '"X"',
        ".",
        "'a'",
        "IN",
        "AS",
        "WITH",
        "json_each",
        "=",
        "->>",
        "AND",
        "--",
        "/*",
        '"%"',
        "$1",
        "$$",
        "NOT",
        "ON",
        "\n",
    ]
    for _ in range(400):
        query = " ".join(rng.choice(words) for _ in range(rng.randint(0, 20)))
        text = "streams:\n  s:\n    query: |\n" + "".join(f"      {line}\n" for line in query.split("\n"))
        rules = read_sync_rules(PATH, text, "public")
        assert not any("internal error" in p.message for p in rules.problems), query
    deep = "SELECT * FROM t WHERE " + "(" * 3000 + "1" + ")" * 3000
    rules = read_sync_rules(PATH, f"streams:\n  s:\n    query: {deep}\n", "public")
    assert not any("internal error" in p.message for p in rules.problems)
