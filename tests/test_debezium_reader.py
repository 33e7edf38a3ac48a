"""Debezium PostgreSQL connector reader: Kafka Connect JSON, Strimzi KafkaConnector, .properties files."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint.sources.debezium import (
    DebeziumFile,
    Setting,
    is_config_reference,
    looks_like_debezium_doc,
    looks_like_debezium_properties,
    read_debezium_doc,
    read_debezium_properties,
    read_properties,
)
from lint.span import Span
from lint.yamlsrc import load_located

# debezium/debezium-examples tutorial/register-postgres.json, as committed there.
REGISTER_POSTGRES = """\
{
    "name": "inventory-connector",
    "config": {
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": "postgres",
        "database.port": "5432",
        "database.user": "postgres",
        "database.password": "postgres",
        "database.dbname" : "postgres",
        "database.server.name": "dbserver1",
        "schema.whitelist": "inventory"
    }
}
"""

# A Strimzi KafkaConnector as in the Debezium "Deploying on Kubernetes" guide, secrets through the
# KubernetesSecretConfigProvider.
STRIMZI = """\
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaConnector
metadata:
  name: debezium-connector-postgres
  labels:
    strimzi.io/cluster: debezium-connect-cluster
spec:
  class: io.debezium.connector.postgresql.PostgresConnector
  tasksMax: 1
  config:
    tasks.max: 1
    database.hostname: postgres
    database.port: 5432
    database.user: ${secrets:debezium-example/debezium-secret:username}
    database.password: ${secrets:debezium-example/debezium-secret:password}
    database.dbname: postgres
    topic.prefix: tutorial
    schema.include.list: public
    plugin.name: pgoutput
    heartbeat.interval.ms: 10000
    snapshot.new.tables: off
    provide.transaction.metadata: true
"""

# Debezium Server conf/application.properties (docs example, Kinesis sink) plus what teams add.
SERVER = """\
debezium.sink.type=kinesis
debezium.sink.kinesis.region=eu-central-1
debezium.source.connector.class=io.debezium.connector.postgresql.PostgresConnector
debezium.source.offset.storage.file.filename=data/offsets.dat
debezium.source.offset.flush.interval.ms=0
debezium.source.database.hostname=localhost
debezium.source.database.port=5432
debezium.source.database.user=postgres
debezium.source.database.password=${POSTGRES_PASSWORD:postgres}
debezium.source.database.dbname=postgres
debezium.source.topic.prefix=tutorial
debezium.source.table.include.list=inventory.customers,\\
    inventory.orders
%prod.debezium.source.database.password=prod-Secret-1
debezium.sink.kafka.producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
username="app" password="kafka-pw";
quarkus.log.console.json=false
"""

# A Kafka Connect standalone connector file exercising the java.util.Properties syntax.
STANDALONE = """\
# Debezium PostgreSQL connector for connect-standalone
! legacy comment style
name = orders-cdc
connector.class: io.debezium.connector.postgresql.PostgresConnector
database.hostname   db.internal.example.com
database.port=5432
database.user=cdc_user
database.password=Tr0ub4dor&3
database.sslmode=verify-full
table.include.list=public.orders,\\
                   public.order_items,\\
                   public.customers
topic.prefix=shop\\u002Dprod
"""


def span_of(path: str, text: str, needle: str, nth: int = 0) -> Span:
    """1-based inclusive span of the nth occurrence of a one-line `needle`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(path, line, col, line, col + len(needle) - 1)


def read_doc(path: str, text: str) -> DebeziumFile:
    return read_debezium_doc(load_located(path, text))


def values(settings: dict[str, Setting]) -> dict[str, str]:
    return {k: s.value for k, s in settings.items()}


# --- Kafka Connect JSON ----------------------------------------------------------------------------------


def test_register_postgres_tutorial_json() -> None:
    path = "connectors/register-postgres.json"
    doc = load_located(path, REGISTER_POSTGRES)
    assert looks_like_debezium_doc(doc.data)
    result = read_debezium_doc(doc)
    assert result.problems == ()
    (conn,) = result.connectors
    assert (conn.name, conn.flavor, conn.path) == ("inventory-connector", "connect-json", path)
    assert conn.span == Span(path, 1, 1, 14, 1)
    assert len(conn.settings) == 9
    port = conn.get("database.port")
    assert port == Setting(
        "database.port",
        "5432",
        span_of(path, REGISTER_POSTGRES, '"5432"'),
        span_of(path, REGISTER_POSTGRES, '"database.port"'),
    )
    assert conn.get("database.sslmode") is None
    # The tutorial's literal password is a committed secret; the span is the JSON string.
    assert result.secret_spans == (span_of(path, REGISTER_POSTGRES, '"postgres"', 2),)
    assert conn.get("database.password") is not None
    assert conn.get("database.password").span == result.secret_spans[0]  # type: ignore[union-attr]


def test_flat_put_config_converts_numbers_and_booleans() -> None:
    path = "connect/orders-cdc.json"
    text = textwrap.dedent(
        """\
        {
          "connector.class": "PostgresConnector",
          "name": "orders-cdc",
          "database.hostname": "orders.abc123.eu-west-1.rds.amazonaws.com",
          "database.port": 5432,
          "database.password": "${file:/opt/kafka/secrets/pg.properties:password}",
          "heartbeat.interval.ms": 10000,
          "include.schema.changes": false,
          "slot.name": "dbz_orders"
        }
        """
    )
    result = read_doc(path, text)
    (conn,) = result.connectors
    assert conn.name == "orders-cdc"
    assert conn.span == Span(path, 1, 1, 10, 1)
    assert values(conn.settings) == {
        "connector.class": "PostgresConnector",
        "name": "orders-cdc",
        "database.hostname": "orders.abc123.eu-west-1.rds.amazonaws.com",
        "database.port": "5432",
        "database.password": "${file:/opt/kafka/secrets/pg.properties:password}",
        "heartbeat.interval.ms": "10000",
        "include.schema.changes": "false",
        "slot.name": "dbz_orders",
    }
    assert conn.settings["heartbeat.interval.ms"].span == span_of(path, text, "10000")
    assert result.secret_spans == ()
    assert result.problems == ()


def test_list_of_connectors_keeps_postgres_only_and_names_unnamed_by_file_stem() -> None:
    path = "deploy/connectors.json"
    text = textwrap.dedent(
        """\
        [
          {"name": "mysql-inventory",
           "config": {"connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.password": "x1"}},
          {"config": {"connector.class": " io.debezium.connector.postgresql.PostgresConnector ",
                      "database.password": "hunter2", "slot.name": "debezium"}}
        ]
        """
    )
    doc = load_located(path, text)
    assert looks_like_debezium_doc(doc.data)
    result = read_debezium_doc(doc)
    (conn,) = result.connectors
    assert conn.name == "connectors"
    assert conn.span == Span(path, 4, 3, 5, 71)
    assert conn.settings["connector.class"].value == " io.debezium.connector.postgresql.PostgresConnector "
    # The MySQL connector is not ours, so its password is not reported by this reader.
    assert result.secret_spans == (span_of(path, text, '"hunter2"'),)


def test_non_postgres_and_unrelated_documents_are_not_ours() -> None:
    mysql = '{"name": "m", "config": {"connector.class": "io.debezium.connector.mysql.MySqlConnector"}}'
    assert not looks_like_debezium_doc(load_located("m.json", mysql).data)
    assert read_doc("m.json", mysql).connectors == ()
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
    assert not looks_like_debezium_doc(load_located("d.yaml", deployment).data)
    unrelated: list[object] = [None, 3, "PostgresConnector", [], {"config": "x"}, {"kind": "KafkaConnector"}]
    for data in unrelated:
        assert not looks_like_debezium_doc(data)


def test_wrong_value_types_are_invalid_values_not_crashes() -> None:
    path = "bad.json"
    text = textwrap.dedent(
        """\
        {"name": "bad", "config": {
          "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
          "table.include.list": ["public.a", "public.b"],
          "database.port": "five-four-three-two",
          "database.user": null
        }}
        """
    )
    result = read_doc(path, text)
    (conn,) = result.connectors
    assert "table.include.list" not in conn.settings
    assert [(p.kind, p.span) for p in result.problems] == [
        ("invalid-value", span_of(path, text, '["public.a", "public.b"]')),
        ("invalid-value", span_of(path, text, "null")),
        ("invalid-value", span_of(path, text, '"five-four-three-two"')),
    ]
    assert result.problems[0].message == (
        "connector setting 'table.include.list' is a list; Kafka Connect expects a string (or a number or boolean, "
        "which it reads as text)"
    )
    assert result.problems[2].message.startswith("database.port must be a TCP port number")


def test_load_problems_stay_with_the_caller() -> None:
    doc = load_located("broken.json", '{"name": "x", "config": {"connector.class": }')
    assert [p.kind for p in doc.problems] == ["parse"]
    result = read_debezium_doc(doc)
    assert (result.connectors, result.problems) == ((), ())


# --- Strimzi ---------------------------------------------------------------------------------------------


def test_strimzi_kafkaconnector() -> None:
    path = "k8s/debezium-connector.yaml"
    doc = load_located(path, STRIMZI)
    assert looks_like_debezium_doc(doc.data)
    result = read_debezium_doc(doc)
    assert result.problems == ()
    (conn,) = result.connectors
    assert (conn.name, conn.flavor) == ("debezium-connector-postgres", "strimzi")
    assert conn.span == Span(path, 1, 1, 22, 1)
    cls = conn.get("connector.class")
    assert cls == Setting(
        "connector.class",
        "io.debezium.connector.postgresql.PostgresConnector",
        span_of(path, STRIMZI, "io.debezium.connector.postgresql.PostgresConnector"),
        span_of(path, STRIMZI, "class"),
    )
    assert conn.get("tasks.max") == Setting("tasks.max", "1", Span(path, 9, 13, 9, 13), Span(path, 9, 3, 9, 10))
    assert values(conn.settings)["database.port"] == "5432"
    assert values(conn.settings)["snapshot.new.tables"] == "off"  # YAML 1.2: `off` is a string
    assert values(conn.settings)["provide.transaction.metadata"] == "true"
    assert conn.get("heartbeat.interval.ms").span == span_of(path, STRIMZI, "10000")  # type: ignore[union-attr]
    assert result.secret_spans == ()


def test_strimzi_literal_password_is_a_secret() -> None:
    path = "k8s/connector.yaml"
    text = STRIMZI.replace("${secrets:debezium-example/debezium-secret:password}", "'s3cr3t!'")
    result = read_doc(path, text)
    assert result.secret_spans == (span_of(path, text, "'s3cr3t!'"),)


def test_strimzi_other_connector_class_is_ignored() -> None:
    text = STRIMZI.replace(
        "io.debezium.connector.postgresql.PostgresConnector", "io.debezium.connector.mysql.MySqlConnector"
    )
    assert not looks_like_debezium_doc(load_located("c.yaml", text).data)
    assert read_doc("c.yaml", text).connectors == ()


# --- .properties -----------------------------------------------------------------------------------------


def test_debezium_server_application_properties() -> None:
    path = "conf/application.properties"
    assert looks_like_debezium_properties(SERVER)
    result = read_debezium_properties(path, SERVER)
    (conn,) = result.connectors
    assert (conn.name, conn.flavor) == ("application", "debezium-server")
    assert conn.span == Span(path, 1, 1, 1, 26)
    assert "sink.type" not in conn.settings and "type" not in conn.settings
    assert conn.get("connector.class").value == "io.debezium.connector.postgresql.PostgresConnector"  # type: ignore[union-attr]
    password = conn.get("database.password")
    assert password == Setting(
        "database.password",
        "${POSTGRES_PASSWORD:postgres}",
        span_of(path, SERVER, "${POSTGRES_PASSWORD:postgres}"),
        span_of(path, SERVER, "debezium.source.database.password"),
    )
    tables = conn.get("table.include.list")
    assert tables is not None
    assert tables.value == "inventory.customers,inventory.orders"
    assert tables.span == Span(path, 12, 36, 13, 20)  # from the first line of the value to the last
    # A Quarkus profile key is not the default config, but its literal password was committed all the same;
    # so was the Kafka sink's SASL password.
    assert result.secret_spans == (
        span_of(path, SERVER, "prod-Secret-1"),
        span_of(
            path,
            SERVER,
            'org.apache.kafka.common.security.plain.PlainLoginModule required username="app" password="kafka-pw";',
        ),
    )
    assert result.problems == ()


def test_kafka_connect_standalone_properties_syntax() -> None:
    path = "connect/orders-cdc.properties"
    assert looks_like_debezium_properties(STANDALONE)
    result = read_debezium_properties(path, STANDALONE)
    (conn,) = result.connectors
    assert (conn.name, conn.flavor) == ("orders-cdc", "connect-properties")
    assert conn.span == Span(path, 1, 1, 1, 54)
    assert values(conn.settings) == {
        "name": "orders-cdc",
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "database.hostname": "db.internal.example.com",
        "database.port": "5432",
        "database.user": "cdc_user",
        "database.password": "Tr0ub4dor&3",
        "database.sslmode": "verify-full",
        "table.include.list": "public.orders,public.order_items,public.customers",
        "topic.prefix": "shop-prod",
    }
    assert conn.settings["database.hostname"].span == span_of(path, STANDALONE, "db.internal.example.com")
    assert conn.settings["database.hostname"].key_span == span_of(path, STANDALONE, "database.hostname")
    assert conn.settings["connector.class"].key_span == Span(path, 4, 1, 4, 15)
    assert conn.settings["table.include.list"].span == Span(path, 10, 20, 12, 35)
    assert conn.settings["topic.prefix"].span == span_of(path, STANDALONE, "shop\\u002Dprod")
    assert result.secret_spans == (span_of(path, STANDALONE, "Tr0ub4dor&3"),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # each checked against java.util.Properties.load (JDK 17)
        ("a=b", {"a": "b"}),
        ("a b", {"a": "b"}),
        ("a:b", {"a": "b"}),
        ("  a = b  ", {"a": "b  "}),
        ("key = one \\\n    two", {"key": "one two"}),
        ("a=\\u0041\\t", {"a": "A\t"}),
        ("a\\=b=c", {"a=b": "c"}),
        ("# c\n! c\na=1", {"a": "1"}),
        ("a=1\\\n# not a comment", {"a": "1# not a comment"}),
        ("\\\n#x=1", {}),  # an emptied logical line starts a comment again (JDK 9+)
        ("a=1\na=2", {"a": "2"}),
        ("key", {"key": ""}),
        ("k\\ ey:v\\:x", {"k ey": "v:x"}),
        ("a=1\r\nb=2\rc=3", {"a": "1", "b": "2", "c": "3"}),
        ("u=\\uD83D\\uDE00", {"u": "\U0001f600"}),
        ("x = multi \\\r\n  line \\\n\n y=2", {"x": "multi line ", "y": "2"}),
        ("trailing\\", {"trailing": ""}),
    ],
)
def test_properties_semantics_match_java(text: str, expected: dict[str, str]) -> None:
    got, problems = read_properties("p.properties", text)
    assert problems == ()
    assert values(got) == expected


def test_properties_spans_with_crlf_and_lone_cr() -> None:
    path = "p.properties"
    got, _ = read_properties(path, "a=1\r\nbb = two\rccc:\\\r\n   three\r\n")
    assert got["a"].span == Span(path, 1, 3, 1, 3)
    assert got["bb"].span == Span(path, 2, 6, 2, 8)
    assert got["bb"].key_span == Span(path, 2, 1, 2, 2)
    # The value starts after the continuation: its first character is on line 4.
    assert got["ccc"].span == Span(path, 4, 4, 4, 8)
    assert got["ccc"].key_span == Span(path, 3, 1, 3, 3)


def test_empty_value_is_a_point_after_the_separator() -> None:
    path = "p.properties"
    got, _ = read_properties(path, "database.password=\nother\n")
    assert got["database.password"].span == Span(path, 1, 19, 1, 19)
    assert got["other"].span == Span(path, 2, 6, 2, 6)
    result = read_debezium_properties(path, "connector.class=PostgresConnector\ndatabase.password=\n")
    assert result.secret_spans == ()


def test_malformed_unicode_escape_is_a_parse_problem() -> None:
    path = "p.properties"
    got, problems = read_properties(path, "ok=1\nbad=\\u00zz\nalso=2\n")
    assert values(got) == {"ok": "1", "also": "2"}
    assert [(p.kind, p.span) for p in problems] == [("parse", Span(path, 2, 5, 2, 6))]
    assert "\\uXXXX" in problems[0].message


def test_properties_without_a_postgres_connector_are_not_ours() -> None:
    worker = "bootstrap.servers=kafka:9092\nkey.converter=org.apache.kafka.connect.json.JsonConverter\n"
    assert not looks_like_debezium_properties(worker)
    assert read_debezium_properties("w.properties", worker).connectors == ()
    mysql = "connector.class=io.debezium.connector.mysql.MySqlConnector\ndatabase.password=pw\n"
    assert not looks_like_debezium_properties(mysql)
    result = read_debezium_properties("m.properties", mysql)
    assert result.connectors == ()
    assert result.secret_spans == (Span("m.properties", 2, 19, 2, 20),)  # still a committed secret


def test_invalid_port_in_properties() -> None:
    path = "c.properties"
    result = read_debezium_properties(path, "connector.class=PostgresConnector\ndatabase.port=54 32\n")
    assert [(p.kind, p.span) for p in result.problems] == [("invalid-value", Span(path, 2, 15, 2, 19))]
    ok = read_debezium_properties(path, "connector.class=PostgresConnector\ndatabase.port=${env:PG_PORT}\n")
    assert ok.problems == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${file:/opt/kafka/secrets/pg.properties:password}", True),
        ("${env:PG_PASSWORD}", True),
        ("${secrets:debezium/pg-creds:password}", True),
        ("${directory:/mnt/secrets:password}", True),
        ("${vault:secret/data/pg:password}", True),
        ("${POSTGRES_PASSWORD}", True),
        ("${POSTGRES_PASSWORD:dev-default}", True),
        ("prefix-${env:SUFFIX}", True),
        ("", False),
        ("postgres", False),
        ("${}", False),
        ("$POSTGRES_PASSWORD", False),
        ("{{ .Values.password }}", False),
    ],
)
def test_is_config_reference(value: str, expected: bool) -> None:
    assert is_config_reference(value) is expected


# --- robustness ------------------------------------------------------------------------------------------

_PROPERTIES_ALPHABET = st.sampled_from(
    ["a", "k", ".", "=", ":", " ", "\t", "\f", "\\", "\n", "\r", "\r\n", "#", "!", "u", "0", "é", "\\u00", "${"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PROPERTIES_ALPHABET, max_size=200).map("".join))
def test_properties_never_raise_and_spans_are_in_bounds(text: str) -> None:
    got, _problems = read_properties("p.properties", text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for s in got.values():
        for span in (s.span, s.key_span):
            assert 1 <= span.line <= span.end_line <= lines
    looks_like_debezium_properties(text)
    read_debezium_properties("p.properties", "connector.class=PostgresConnector\n" + text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    read_debezium_properties("x.properties", text)
    doc = load_located("x.json", text)
    looks_like_debezium_doc(doc.data)
    read_debezium_doc(doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([REGISTER_POSTGRES, STRIMZI, SERVER, STANDALONE]), st.data())
def test_mutated_real_inputs_never_raise(original: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(original)))
    cut = data.draw(st.integers(0, 20))
    insert = data.draw(st.text(alphabet='{}[]:,"\\\n -#=!x1', max_size=8))
    text = original[:at] + insert + original[at + cut :]
    doc = load_located("m.yaml", text)
    if looks_like_debezium_doc(doc.data):
        assert isinstance(read_debezium_doc(doc), DebeziumFile)
    read_debezium_doc(doc)
    read_debezium_properties("m.properties", text)
