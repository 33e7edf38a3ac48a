"""Drasi PostgreSQL `Source` resources -> `ClientConnection`s.

Accepted shape (https://drasi.io/how-to-guides/configure-sources/configure-postgresql-source/): a YAML
document, usually one of several `---` documents in a file applied with `drasi apply -f`, of the form

    apiVersion: v1
    kind: Source
    name: retail-ops              # Drasi's own resource format: the name is top-level, not metadata.name
    spec:
      kind: PostgreSQL            # the SourceProvider; other kinds are not ours
      identity: {kind: MicrosoftEntraWorkloadID, clientId: ...}   # optional
      properties:
        host: ...   port: 5432   database: ...   user: ...   password: ...   ssl: true
        tables: [public.Customer, public.Sale]

Any property value may instead be a Kubernetes reference `{kind: Secret, name: pg-creds, key: password}`
(or `kind: ConfigMap`), recorded as `ref="secret:pg-creds/password"`. Types follow the PostgreSQL
SourceProvider's `config_schema` (drasi-platform `cli/installers/resources/default-source-providers.yaml`:
host/user/password/database strings, port a number, ssl a boolean, tables an array; database, host, port and
tables required); a value of the wrong type is an `invalid-value` problem. Documents that are not PostgreSQL
Sources (queries, reactions, other source kinds) are ignored.

**What `ssl` does.** Nothing, for the change stream: the Debezium reactivator builds its connector config
from host, port, user, password, database and tables only (drasi-platform
`sources/relational/debezium-reactivator/.../RelationalChangeMonitor.java` `createBaseConfig`,
`databases/PostgreSql.java` `createConnectorConfig`) and never sets `database.sslmode`, so Debezium's default
`prefer` applies — TLS when the server offers it, no certificate check, plaintext fallback
(https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-property-database-sslmode).
The bootstrap proxy also connects with JDBC `sslmode=prefer` unless an `sslMode` property is given
(`sources/relational/sql-proxy/.../ResultStream.java`). Only `identity.kind: MicrosoftEntraWorkloadID` makes
the reactivator set `database.sslmode=require`. `sslmode` is therefore `prefer` (or `require` with that
identity) whatever `ssl` says; the `ssl` value itself is kept in `extra["ssl"]`.

The reactivator names its replication slot and publication `rg_<source name with - replaced by _>`
(`PostgreSql.createConnectorConfig`); both are reported in `extra["slot"]` / `extra["publication"]` (span:
the source name) so slot-collision policies can see them.

Multi-document files: pass every document (`lint.yamlsrc.load_all_located`) as a sequence.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from lint.sources.clients import ClientConnection, ClientFile, Field
from lint.span import Span
from lint.yamlsrc import EnvRef, Located, Problem, YamlPath, describe_type

__all__ = ["looks_like_drasi_source", "read_drasi"]

PROVIDER = "PostgreSQL"
REQUIRED = ("database", "host", "port", "tables")
KNOWN = ("host", "port", "database", "user", "password", "ssl", "tables")
REF_KINDS = {"Secret": "secret", "ConfigMap": "configmap"}
MAX_DOCUMENTS = 10_000
MAX_TABLES = 100_000


def _is_postgres_source(data: Any) -> bool:
    if not (isinstance(data, dict) and data.get("kind") == "Source"):
        return False
    spec = data.get("spec")
    kind = spec.get("kind") if isinstance(spec, dict) else None
    return isinstance(kind, str) and kind.strip().lower() == PROVIDER.lower()


def looks_like_drasi_source(data: Any) -> bool:
    """A Drasi `kind: Source` resource for the PostgreSQL provider (or a list holding one)."""
    if isinstance(data, list):
        return any(_is_postgres_source(item) for item in data[:MAX_DOCUMENTS])
    return _is_postgres_source(data)


def _stem(path: str) -> str:
    base = posixpath.basename(path.replace("\\", "/"))
    return posixpath.splitext(base)[0] or base


class _Reader:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.path = doc.path
        self.problems: list[Problem] = []
        self.secrets: list[Span] = []

    def invalid(self, message: str, span: Span) -> None:
        self.problems.append(Problem("invalid-value", message, span))

    def read(self) -> ClientConnection | None:
        data = self.doc.data
        if not _is_postgres_source(data):
            return None
        assert isinstance(data, dict)
        spec = data["spec"]
        kind = spec["kind"]
        if kind != PROVIDER:
            self.invalid(
                f"spec.kind '{kind}' must be spelled '{PROVIDER}': Drasi looks source providers up by exact name",
                self.doc.at(("spec", "kind")),
            )
        if data.get("apiVersion") != "v1":
            self.invalid("apiVersion must be 'v1' for a Drasi Source", self.doc.at(("apiVersion",)))
        name, name_span = self._name(data)
        props_path: YamlPath = ("spec", "properties")
        props = spec.get("properties")
        if isinstance(props, dict):
            for key in REQUIRED:
                if props.get(key) is None:
                    self.invalid(
                        f"spec.properties.{key} is missing; the PostgreSQL source requires it",
                        self.doc.key_at(props_path),
                    )
        else:
            where = self.doc.at(props_path) if "properties" in spec else self.doc.key_at(("spec",))
            self.invalid(
                "spec.properties must be a mapping with host, port, database, user, password and tables",
                where,
            )
            props = {}
        fields = {key: self._field(props, key) for key in KNOWN if key != "tables"}
        tables = self._tables(props)
        password = fields["password"]
        if password is not None and password.value:
            self.secrets.append(password.span)
        extra = self._extra(props, name, name_span, fields["ssl"])
        return ClientConnection(
            product="drasi",
            path=self.path,
            name=name,
            span=self.doc.at(()),
            name_span=name_span,
            url=None,
            url_env=None,
            host=fields["host"],
            port=fields["port"],
            database=fields["database"],
            user=fields["user"],
            password=password,
            sslmode=self._sslmode(spec, fields["ssl"]),
            server_name=None,
            root_cert=False,
            tables=tables,
            extra=extra,
        )

    def _name(self, data: dict[str, Any]) -> tuple[str, Span]:
        name = data.get("name")
        if isinstance(name, str) and name:
            return name, self.doc.at(("name",))
        meta = data.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"]:
            return meta["name"], self.doc.at(("metadata", "name"))
        self.invalid("a Drasi Source needs a top-level 'name'", self.doc.at(()))
        return _stem(self.path), self.doc.at(())

    def _field(self, props: dict[str, Any], key: str) -> Field | None:
        if key not in props or props[key] is None:
            return None
        vpath: YamlPath = ("spec", "properties", key)
        raw, span = props[key], self.doc.at(vpath)
        expect = "number" if key == "port" else "boolean" if key == "ssl" else "string"
        if isinstance(raw, dict):
            return self._reference(raw, vpath, key)
        if isinstance(raw, EnvRef):
            self.invalid(f"spec.properties.{key} uses !env, which Drasi does not expand; use a Secret reference", span)
            return None
        if isinstance(raw, bool):
            if expect != "boolean":
                self.invalid(f"spec.properties.{key} must be a {expect}, not a boolean", span)
            return Field("true" if raw else "false", None, span)
        if isinstance(raw, int | float):
            text = str(raw)
            if expect == "number":
                if not (isinstance(raw, int) and 0 < raw <= 65535):
                    self.invalid(f"spec.properties.{key} must be a TCP port number (1-65535)", span)
            else:
                self.invalid(f"spec.properties.{key} must be a {expect}, not a number; quote it", span)
            return Field(text, None, span)
        if isinstance(raw, str):
            if expect != "string":
                self.invalid(f"spec.properties.{key} must be a {expect}, not a string; write it unquoted", span)
            return Field(raw, None, span)
        self.invalid(f"spec.properties.{key} is {describe_type(raw)}; it must be a {expect}", span)
        return None

    def _reference(self, raw: dict[str, Any], vpath: YamlPath, key: str) -> Field | None:
        span = self.doc.at(vpath)
        kind = raw.get("kind")
        prefix = REF_KINDS.get(kind) if isinstance(kind, str) else None
        ref_name, ref_key = raw.get("name"), raw.get("key")
        if prefix is None or not isinstance(ref_name, str) or not isinstance(ref_key, str):
            self.invalid(
                f"spec.properties.{key} must be a value or a reference of the form "
                "{kind: Secret, name: <secret>, key: <key>}",
                span,
            )
            return None
        return Field(None, f"{prefix}:{ref_name}/{ref_key}", span)

    def _tables(self, props: dict[str, Any]) -> tuple[Field, ...]:
        raw = props.get("tables")
        tpath: YamlPath = ("spec", "properties", "tables")
        span_of_tables = self.doc.at(tpath)
        if raw is None:
            return ()  # reported as missing by the caller
        if not isinstance(raw, list):
            what = describe_type(raw)
            self.invalid(f"spec.properties.tables is {what}; it must be a list of schema.table names", span_of_tables)
            return ()
        out: list[Field] = []
        for i, item in enumerate(raw[:MAX_TABLES]):
            span = self.doc.at((*tpath, i))
            if not isinstance(item, str) or not item.strip():
                self.invalid(f"spec.properties.tables[{i}] is {describe_type(item)}; it must be a table name", span)
                continue
            if "." not in item:
                # Debezium matches table.include.list against schema-qualified names (docs: "Tables must be
                # prefixed with their schema name").
                self.invalid(f"table '{item}' must be prefixed with its schema, e.g. 'public.{item}'", span)
            out.append(Field(item, None, span))
        return tuple(out)

    def _sslmode(self, spec: dict[str, Any], ssl: Field | None) -> Field:
        identity = spec.get("identity")
        if isinstance(identity, dict) and identity.get("kind") == "MicrosoftEntraWorkloadID":
            # PostgreSql.createConnectorConfig: the Entra token login sets database.sslmode=require.
            return Field("require", None, self.doc.at(("spec", "identity", "kind")))
        # The reactivator never passes `ssl` on: Debezium's database.sslmode default `prefer` applies.
        span = ssl.span if ssl is not None else self.doc.key_at(("spec", "properties"))
        return Field("prefer", None, span)

    def _extra(self, props: dict[str, Any], name: str, name_span: Span, ssl: Field | None) -> dict[str, Field]:
        extra: dict[str, Field] = {}
        if ssl is not None:
            extra["ssl"] = ssl
        for key, raw in props.items():
            if key in KNOWN:
                continue
            span = self.doc.at(("spec", "properties", key))
            if isinstance(raw, dict):
                ref = self._reference(raw, ("spec", "properties", key), key)
                if ref is not None:
                    extra[key] = ref
            elif isinstance(raw, bool):
                extra[key] = Field("true" if raw else "false", None, span)
            elif isinstance(raw, int | float | str):
                extra[key] = Field(str(raw), None, span)
        derived = "rg_" + name.replace("-", "_")
        extra["slot"] = Field(derived, None, name_span)
        extra["publication"] = Field(derived, None, name_span)
        return extra


def read_drasi(doc: Located | Sequence[Located]) -> ClientFile:
    """PostgreSQL Sources in one parsed document or in every document of a multi-document file.

    The documents' own load problems (`Located.problems`) are not repeated: the caller that loaded them has them.
    """
    docs = [doc] if isinstance(doc, Located) else list(doc)[:MAX_DOCUMENTS]
    path = docs[0].path if docs else ""
    connections: list[ClientConnection] = []
    problems: list[Problem] = []
    secrets: list[Span] = []
    for one in docs:  # one.problems are the caller's (it loaded the documents)
        reader = _Reader(one)
        conn = reader.read()
        if conn is not None:
            connections.append(conn)
        problems.extend(reader.problems)
        secrets.extend(reader.secrets)
    return ClientFile(path, tuple(connections), tuple(problems), tuple(secrets))
