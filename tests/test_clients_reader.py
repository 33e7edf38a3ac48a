"""Drasi PostgreSQL Source and Neosync connection readers (one ClientConnection shape for both)."""

from __future__ import annotations

import json
import textwrap

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lint.sources.clients import ClientConnection, ClientFile, Field
from lint.sources.drasi import looks_like_drasi_source, read_drasi
from lint.sources.neosync import looks_like_neosync_connection, read_neosync
from lint.span import Span
from lint.yamlsrc import load_all_located, load_located

# drasi.io "Connect to PostgreSQL": the plain-text example, then the Secret-reference example, in one file
# with a continuous query, as `drasi apply -f` takes them.
DRASI = """\
apiVersion: v1
kind: Source
name: retail-ops
spec:
  kind: PostgreSQL
  properties:
    host: retail.postgres.database.azure.com
    port: 5432
    user: postgres@retail-operations
    password: secret-password
    database: retail-operations
    ssl: true
    tables:
      - public.Customer
      - public.Sale
---
apiVersion: v1
kind: Source
name: retail-ops-secure
spec:
  kind: PostgreSQL
  properties:
    host: retail.postgres.database.azure.com
    port: 5432
    user:
      kind: Secret
      name: pg-creds
      key: user
    password:
      kind: Secret
      name: pg-creds
      key: password
    database: retail-operations
    ssl: true
    tables:
      - public.Customer
      - public.Sale
---
apiVersion: v1
kind: ContinuousQuery
name: high-value-sales
spec:
  mode: query
  sources:
    subscriptions:
      - id: retail-ops
  query: MATCH (s:Sale) WHERE s.total > 1000 RETURN s.id, s.total
"""

# Neosync GetConnectionResponse for a host-parameter Postgres connection (protobuf JSON, lowerCamel).
NEOSYNC_HOST = """\
{
  "connection": {
    "id": "3b8f7c2e-0c1d-4a57-9a7e-2f4f6b1f0a11",
    "name": "prod-postgres",
    "connectionConfig": {
      "pgConfig": {
        "connection": {
          "host": "prod-db.internal.example.com",
          "port": 5432,
          "name": "app",
          "user": "neosync_reader",
          "pass": "n3osync-Pa55",
          "sslMode": "verify-full"
        },
        "clientTls": {
          "rootCert": "-----BEGIN CERTIFICATE-----\\nMIIBszCCAVmgAwIBAgIU\\n-----END CERTIFICATE-----\\n",
          "serverName": "prod-db.internal.example.com"
        }
      }
    },
    "createdByUserId": "0b0c0d0e-0000-4000-8000-000000000001",
    "createdAt": "2024-05-02T10:11:12Z",
    "accountId": "8c1d2f3a-4b5c-4d6e-8f70-112233445566"
  }
}
"""

# A CreateConnectionRequest body with a connection URL.
NEOSYNC_URL = """\
{
  "accountId": "8c1d2f3a-4b5c-4d6e-8f70-112233445566",
  "name": "staging-postgres",
  "connectionConfig": {
    "pgConfig": {
      "url": "postgresql://neosync:St4ging-pw@staging-db.example.com:5432/app?sslmode=require&application_name=neosync"
    }
  }
}
"""


def span_of(path: str, text: str, needle: str, nth: int = 0) -> Span:
    """1-based inclusive span of the nth occurrence of a one-line `needle`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(path, line, col, line, col + len(needle) - 1)


def drasi(path: str, text: str) -> ClientFile:
    return read_drasi(load_all_located(path, text))


def neosync(path: str, text: str) -> ClientFile:
    return read_neosync(load_located(path, text))


def lit(path: str, text: str, needle: str, nth: int = 0) -> Field:
    return Field(needle, None, span_of(path, text, needle, nth))


# --- Drasi -----------------------------------------------------------------------------------------------


def test_drasi_documented_sources() -> None:
    path = "drasi/sources.yaml"
    docs = load_all_located(path, DRASI)
    assert [looks_like_drasi_source(d.data) for d in docs] == [True, True, False]
    result = read_drasi(docs)
    assert result.problems == ()
    plain, secure = result.connections
    assert plain == ClientConnection(
        product="drasi",
        path=path,
        name="retail-ops",
        span=Span(path, 1, 1, 15, 1),
        name_span=span_of(path, DRASI, "retail-ops"),
        url=None,
        url_env=None,
        host=lit(path, DRASI, "retail.postgres.database.azure.com"),
        port=lit(path, DRASI, "5432"),
        database=Field("retail-operations", None, span_of(path, DRASI, "retail-operations", 1)),
        user=lit(path, DRASI, "postgres@retail-operations"),
        password=lit(path, DRASI, "secret-password"),
        # `ssl: true` is not passed to Debezium: the change stream uses its default sslmode `prefer`.
        sslmode=Field("prefer", None, span_of(path, DRASI, "true")),
        server_name=None,
        root_cert=False,
        tables=(lit(path, DRASI, "public.Customer"), lit(path, DRASI, "public.Sale")),
        extra={
            "ssl": Field("true", None, span_of(path, DRASI, "true")),
            "slot": Field("rg_retail_ops", None, span_of(path, DRASI, "retail-ops")),
            "publication": Field("rg_retail_ops", None, span_of(path, DRASI, "retail-ops")),
        },
    )
    assert result.secret_spans == (span_of(path, DRASI, "secret-password"),)
    assert secure.name == "retail-ops-secure"
    assert secure.span == Span(path, 17, 1, 37, 1)
    assert secure.user == Field(None, "secret:pg-creds/user", Span(path, 26, 7, 29, 4))
    assert secure.password == Field(None, "secret:pg-creds/password", Span(path, 30, 7, 33, 4))
    assert secure.extra["slot"].value == "rg_retail_ops_secure"


def test_drasi_single_document_and_configmap_reference() -> None:
    path = "source.yaml"
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: Source
        name: orders
        spec:
          kind: PostgreSQL
          properties:
            host: {kind: ConfigMap, name: pg-endpoints, key: host}
            port: 5432
            user: drasi
            password: {kind: Secret, name: pg-creds, key: password}
            database: shop
            sslMode: verify-full
            tables: [public.orders]
        """
    )
    doc = load_located(path, text)
    assert looks_like_drasi_source(doc.data)
    result = read_drasi(doc)
    (conn,) = result.connections
    assert conn.host == Field(
        None, "configmap:pg-endpoints/host", span_of(path, text, "{kind: ConfigMap, name: pg-endpoints, key: host}")
    )
    assert conn.extra["sslMode"] == lit(path, text, "verify-full")
    # No `ssl` written: the sslmode fact points at the properties key.
    assert conn.sslmode == Field("prefer", None, span_of(path, text, "properties"))
    assert result.secret_spans == ()
    assert result.problems == ()


def test_drasi_entra_workload_identity_means_require() -> None:
    text = DRASI.split("---\n", maxsplit=1)[0].replace(
        "  kind: PostgreSQL\n", "  kind: PostgreSQL\n  identity:\n    kind: MicrosoftEntraWorkloadID\n    clientId: x\n"
    )
    result = drasi("s.yaml", text)
    (conn,) = result.connections
    assert conn.sslmode == Field("require", None, span_of("s.yaml", text, "MicrosoftEntraWorkloadID"))


def test_drasi_wrong_types_and_missing_required_properties() -> None:
    path = "bad.yaml"
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: Source
        name: broken
        spec:
          kind: postgresql
          properties:
            port: "5432"
            user: 1001
            password: {kind: Vault, path: pg}
            ssl: "yes"
            tables:
              - Customer
              - {name: x}
        """
    )
    result = drasi(path, text)
    (conn,) = result.connections
    assert conn.port == Field("5432", None, span_of(path, text, '"5432"'))
    assert conn.password is None
    assert conn.tables == (lit(path, text, "Customer"),)
    assert [(p.kind, p.span, p.message) for p in result.problems] == [
        (
            "invalid-value",
            span_of(path, text, "postgresql"),
            "spec.kind 'postgresql' must be spelled 'PostgreSQL': Drasi looks source providers up by exact name",
        ),
        (
            "invalid-value",
            span_of(path, text, "properties"),
            "spec.properties.database is missing; the PostgreSQL source requires it",
        ),
        (
            "invalid-value",
            span_of(path, text, "properties"),
            "spec.properties.host is missing; the PostgreSQL source requires it",
        ),
        (
            "invalid-value",
            span_of(path, text, '"5432"'),
            "spec.properties.port must be a number, not a string; write it unquoted",
        ),
        ("invalid-value", span_of(path, text, "1001"), "spec.properties.user must be a string, not a number; quote it"),
        (
            "invalid-value",
            span_of(path, text, "{kind: Vault, path: pg}"),
            "spec.properties.password must be a value or a reference of the form "
            "{kind: Secret, name: <secret>, key: <key>}",
        ),
        (
            "invalid-value",
            span_of(path, text, '"yes"'),
            "spec.properties.ssl must be a boolean, not a string; write it unquoted",
        ),
        (
            "invalid-value",
            span_of(path, text, "Customer"),
            "table 'Customer' must be prefixed with its schema, e.g. 'public.Customer'",
        ),
        (
            "invalid-value",
            span_of(path, text, "{name: x}"),
            "spec.properties.tables[1] is a mapping; it must be a table name",
        ),
    ]
    assert result.secret_spans == ()  # a literal number password would be one; this is a bad reference


def test_drasi_other_documents_are_not_ours() -> None:
    for text in (
        "apiVersion: v1\nkind: Source\nname: s\nspec: {kind: SQLServer, properties: {host: h}}\n",
        "apiVersion: v1\nkind: Reaction\nname: r\nspec: {kind: SignalR}\n",
        "kind: Source\nspec: PostgreSQL\n",
        "- 1\n- 2\n",
    ):
        docs = load_all_located("x.yaml", text)
        assert not any(looks_like_drasi_source(d.data) for d in docs)
        assert read_drasi(docs).connections == ()
    assert read_drasi([]).connections == ()


# --- Neosync ---------------------------------------------------------------------------------------------


def test_neosync_host_parameters_connection() -> None:
    path = "neosync/prod-postgres.json"
    doc = load_located(path, NEOSYNC_HOST)
    assert looks_like_neosync_connection(doc.data)
    result = read_neosync(doc)
    assert result.problems == ()
    (conn,) = result.connections
    assert conn == ClientConnection(
        product="neosync",
        path=path,
        name="prod-postgres",
        span=Span(path, 2, 17, 24, 3),
        name_span=span_of(path, NEOSYNC_HOST, '"prod-postgres"'),
        url=None,
        url_env=None,
        host=Field("prod-db.internal.example.com", None, span_of(path, NEOSYNC_HOST, '"prod-db.internal.example.com"')),
        port=Field("5432", None, span_of(path, NEOSYNC_HOST, "5432")),
        database=Field("app", None, span_of(path, NEOSYNC_HOST, '"app"')),
        user=Field("neosync_reader", None, span_of(path, NEOSYNC_HOST, '"neosync_reader"')),
        password=Field("n3osync-Pa55", None, span_of(path, NEOSYNC_HOST, '"n3osync-Pa55"')),
        sslmode=Field("verify-full", None, span_of(path, NEOSYNC_HOST, '"verify-full"')),
        server_name=Field(
            "prod-db.internal.example.com", None, span_of(path, NEOSYNC_HOST, '"prod-db.internal.example.com"', 1)
        ),
        root_cert=True,
        tables=(),
        extra={
            "id": Field(
                "3b8f7c2e-0c1d-4a57-9a7e-2f4f6b1f0a11",
                None,
                span_of(path, NEOSYNC_HOST, '"3b8f7c2e-0c1d-4a57-9a7e-2f4f6b1f0a11"'),
            )
        },
    )
    assert result.secret_spans == (span_of(path, NEOSYNC_HOST, '"n3osync-Pa55"'),)


def test_neosync_url_secret_span_is_the_password_only() -> None:
    path = "neosync/staging.json"
    result = neosync(path, NEOSYNC_URL)
    (conn,) = result.connections
    assert conn.name == "staging-postgres"
    assert conn.span == Span(path, 1, 1, 9, 1)
    assert conn.url is not None and conn.url.value is not None and conn.url.value.startswith("postgresql://neosync:")
    assert conn.url.span == span_of(
        path,
        NEOSYNC_URL,
        '"postgresql://neosync:St4ging-pw@staging-db.example.com:5432/app?sslmode=require&application_name=neosync"',
    )
    assert result.secret_spans == (span_of(path, NEOSYNC_URL, "St4ging-pw"),)
    assert conn.sslmode == Field("require", None, span_of(path, NEOSYNC_URL, "require"))
    assert (conn.host, conn.password) == (None, None)  # the URL is the source of truth; see conn.url


def test_neosync_url_from_env_snake_case_in_a_list() -> None:
    path = "neosync/connections.json"
    body = [
        {"name": "env-pg", "connection_config": {"pg_config": {"url_from_env": "USER_DEFINED_PG_URL"}}},
        {"name": "mysql-src", "connectionConfig": {"mysqlConfig": {"url": "mysql://u:p@h/db"}}},
        {"connection": {"name": "wrapped-pg", "connectionConfig": {"pgConfig": {"urlFromEnv": "DATABASE_URL"}}}},
    ]
    text = json.dumps(body, indent=2) + "\n"
    doc = load_located(path, text)
    assert looks_like_neosync_connection(doc.data)
    result = read_neosync(doc)
    assert [c.name for c in result.connections] == ["env-pg", "wrapped-pg"]
    first, wrapped = result.connections
    assert first.url_env == Field(
        "USER_DEFINED_PG_URL", "env:USER_DEFINED_PG_URL", span_of(path, text, '"USER_DEFINED_PG_URL"')
    )
    assert wrapped.url_env == Field("DATABASE_URL", "env:DATABASE_URL", span_of(path, text, '"DATABASE_URL"'))
    assert (first.url, first.sslmode, first.password) == (None, None, None)
    assert result.secret_spans == ()  # the MySQL password is not this reader's business
    assert result.problems == ()


def test_neosync_get_connections_response_and_string_port() -> None:
    path = "connections.json"
    text = textwrap.dedent(
        """\
        {"connections": [
          {"name": "s3-dump", "connectionConfig": {"awsS3Config": {"bucket": "dumps"}}},
          {"name": "pg-dest", "connectionConfig": {"pgConfig": {"connection": {"host": "10.0.0.5", "port": "6432",
            "name": "dest", "user": "neosync", "pass": "", "ssl_mode": "disable"}}}}
        ]}
        """
    )
    result = neosync(path, text)
    (conn,) = result.connections
    assert conn.port == Field("6432", None, span_of(path, text, '"6432"'))
    assert conn.sslmode == Field("disable", None, span_of(path, text, '"disable"'))
    assert conn.password == Field("", None, span_of(path, text, '""'))
    assert result.secret_spans == ()  # an empty password is no secret
    assert result.problems == ()


def test_neosync_tls_keys_and_tunnel_credentials_are_secrets() -> None:
    path = "conn.json"
    text = textwrap.dedent(
        """\
        {"name": "mtls-pg", "connectionConfig": {"pgConfig": {
          "url": "postgres://reader@db.example.com/app",
          "tunnel": {"host": "bastion.example.com", "port": 22, "user": "tunnel",
                     "authentication": {"privateKey": {"value": "-----BEGIN OPENSSH PRIVATE KEY-----",
                                                       "passphrase": "pp"}}},
          "clientTls": {"clientKey": "-----BEGIN PRIVATE KEY-----"}
        }}}
        """
    )
    result = neosync(path, text)
    (conn,) = result.connections
    assert conn.extra["tunnel_host"] == Field("bastion.example.com", None, span_of(path, text, '"bastion.example.com"'))
    assert result.secret_spans == (
        span_of(path, text, '"-----BEGIN PRIVATE KEY-----"'),
        span_of(path, text, '"-----BEGIN OPENSSH PRIVATE KEY-----"'),
        span_of(path, text, '"pp"'),
    )
    assert [(p.kind, p.span) for p in result.problems] == [("invalid-value", span_of(path, text, '"clientTls"'))]
    assert conn.root_cert is False and conn.server_name is None


def test_neosync_invalid_values() -> None:
    path = "bad.json"
    text = textwrap.dedent(
        """\
        {"name": "Bad_Name", "connectionConfig": {"pgConfig": {
          "url": "postgres://db/app?sslmode=required",
          "connection": {"host": "db", "port": "five", "sslMode": "strict", "pass": 12345}
        }}}
        """
    )
    result = neosync(path, text)
    (conn,) = result.connections
    assert conn.sslmode == Field("required", None, span_of(path, text, "required"))
    assert [(p.span, p.message) for p in result.problems] == [
        (
            span_of(path, text, '"Bad_Name"'),
            "connection name must be 3-100 characters of lower-case letters, digits and '-'; the API rejects it",
        ),
        (
            span_of(path, text, '"pgConfig"'),
            "pgConfig sets url and connection; they are one oneof, so give exactly one",
        ),
        (span_of(path, text, "12345"), "pass is a number; Neosync expects a string"),
        (
            span_of(path, text, '"strict"'),
            "sslMode 'strict' is not one of disable, allow, prefer, require, verify-ca, verify-full",
        ),
        (span_of(path, text, '"five"'), "port must be a TCP port number (1-65535)"),
        (
            span_of(path, text, "required"),
            "url sslmode 'required' is not one of disable, allow, prefer, require, verify-ca, verify-full",
        ),
    ]
    assert all(p.kind == "invalid-value" for p in result.problems)
    assert result.secret_spans == (span_of(path, text, "12345"),)  # a number is still a committed password


def test_neosync_escaped_url_falls_back_to_the_whole_value() -> None:
    path = "e.json"
    text = '{"name": "esc-pg", "connectionConfig": {"pgConfig": {"url": "postgres:\\/\\/u:pw@h\\/db"}}}\n'
    result = neosync(path, text)
    # JSON escapes make the decoded text shorter than the source, so only the whole value can be pointed at.
    assert result.secret_spans == (span_of(path, text, '"postgres:\\/\\/u:pw@h\\/db"'),)


def test_neosync_bare_connection_config_takes_the_file_stem() -> None:
    path = "neosync/check-request.yaml"
    text = "pgConfig:\n  url: postgres://app:pw@db:5432/app?password=other&sslmode=verify-ca\n"
    result = neosync(path, text)
    (conn,) = result.connections
    assert (conn.name, conn.name_span, conn.span) == ("check-request", Span(path, 1, 1, 2, 1), Span(path, 1, 1, 2, 1))
    # A plain YAML scalar maps one to one onto the source: both password spellings are located exactly.
    assert result.secret_spans == (span_of(path, text, "pw"), span_of(path, text, "other"))
    assert conn.sslmode == Field("verify-ca", None, span_of(path, text, "verify-ca"))


def test_neosync_unrelated_json_is_not_ours() -> None:
    for data in (
        {"job": {"name": "x", "source": {"connectionId": "abc"}}},
        {"connectionConfig": {"mysqlConfig": {"url": "mysql://h/db"}}},
        {"connection": {"host": "h"}},
        [1, "two", None],
        "pgConfig",
        None,
    ):
        assert not looks_like_neosync_connection(data)
    assert neosync("x.json", '{"connections": "none"}').connections == ()


# --- robustness ------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    docs = load_all_located("x.yaml", text)
    read_drasi(docs)
    for doc in docs:
        looks_like_drasi_source(doc.data)
        looks_like_neosync_connection(doc.data)
        read_neosync(doc)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([DRASI, NEOSYNC_HOST, NEOSYNC_URL]), st.data())
def test_mutated_real_inputs_never_raise(original: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(original)))
    cut = data.draw(st.integers(0, 20))
    insert = data.draw(st.text(alphabet='{}[]:,"\\\n -#@/?=x1', max_size=8))
    text = original[:at] + insert + original[at + cut :]
    docs = load_all_located("m.yaml", text)
    assert isinstance(read_drasi(docs), ClientFile)
    for doc in docs:
        assert isinstance(read_neosync(doc), ClientFile)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "pgConfig",
                        "pg_config",
                        "connectionConfig",
                        "connection",
                        "connections",
                        "url",
                        "urlFromEnv",
                        "pass",
                        "port",
                        "clientTls",
                        "tunnel",
                        "authentication",
                        "privateKey",
                        "kind",
                        "spec",
                        "properties",
                        "tables",
                        "name",
                        "key",
                        "ssl",
                        "identity",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_random_structures_never_raise(value: object) -> None:
    text = json.dumps(value)
    doc = load_located("r.json", text)
    read_neosync(doc)
    read_drasi(doc)
    wrapped = json.dumps({"kind": "Source", "spec": {"kind": "PostgreSQL", "properties": value}})
    read_drasi(load_located("r.json", wrapped))
