"""Neosync PostgreSQL connection definitions (API / CLI JSON) -> `ClientConnection`s.

Neosync keeps connections in its API; teams commit them as the JSON of its Connect/gRPC API, i.e. protobuf
JSON of `mgmt.v1alpha1` (https://github.com/nucleuscloud/neosync `backend/protos/mgmt/v1alpha1/
connection.proto`, rendered at https://docs.neosync.dev/api/mgmt/v1alpha1/connection.proto). Accepted:

- a `Connection` (`{"id", "name", "accountId", "connectionConfig": {"pgConfig": {...}}}`), which is also the
  `CreateConnectionRequest` / `UpdateConnectionRequest` body;
- the responses that wrap it: `{"connection": {...}}` (Get/Create/UpdateConnectionResponse) and
  `{"connections": [...]}` (GetConnectionsResponse);
- a top-level list of connections (or of those wrappers), and a bare `{"connectionConfig": ...}` or
  `{"pgConfig": ...}` (CheckConnectionConfigRequest) — these take the file name stem as their name.

Protobuf JSON accepts both the lowerCamel JSON name and the proto field name, so `connectionConfig` /
`connection_config`, `pgConfig` / `pg_config`, `urlFromEnv` / `url_from_env`, `sslMode` / `ssl_mode`,
`clientTls` / `client_tls`, `rootCert` / `root_cert`, `serverName` / `server_name` are all read (both spellings
of one field at once is an error there, and an `invalid-value` problem here). Only `pgConfig` connections
are ours; MySQL, S3 and other connection types are ignored.

`PostgresConnectionConfig` is a oneof of `url` (a URI; `?sslmode=` and a `user:password@` userinfo are
read from it), `connection` (`host`, `port` int32 — a JSON number or a numeric string, `name` = the database,
`user`, `pass`, `sslMode`) and `urlFromEnv` (the name of an environment variable holding the URL; it must start
with `USER_DEFINED_`, seed 003 — judged by policy, not here). `clientTls` carries `rootCert`, `clientCert`,
`clientKey` and `serverName` (seed 003: both client cert and key, or neither). When no sslmode is written,
`sslmode` is None: the pgx driver's default is `prefer`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import Any

from lint.sources.clients import (
    SSLMODES,
    ClientConnection,
    ClientFile,
    Field,
    url_part_span,
    url_query_param,
    url_secret_spans,
)
from lint.span import Span
from lint.yamlsrc import Located, Problem, YamlPath, describe_type

__all__ = ["looks_like_neosync_connection", "read_neosync"]

MAX_CONNECTIONS = 10_000
# CreateConnectionRequest.name: (buf.validate.field).string.pattern
_NAME_RE = re.compile(r"^[a-z0-9-]{3,100}$")

_CONFIG_KEYS = ("connectionConfig", "connection_config")
_PG_KEYS = ("pgConfig", "pg_config")


def _key(data: dict[str, Any], *names: str) -> str | None:
    """The spelling of a field present in `data` (lowerCamel first, as protobuf JSON prints it)."""
    for name in names:
        if name in data and data[name] is not None:
            return name
    return None


def _config_key(data: dict[str, Any]) -> str | None:
    key = _key(data, *_CONFIG_KEYS)
    return key if key is not None and isinstance(data[key], dict) else None


def _candidates(data: Any) -> Iterator[tuple[YamlPath, YamlPath]]:
    """(connection object path, ConnectionConfig path) for every connection-shaped object."""

    def one(item: Any, path: YamlPath) -> Iterator[tuple[YamlPath, YamlPath]]:
        if not isinstance(item, dict):
            return
        key = _config_key(item)
        if key is not None:
            yield path, (*path, key)
        elif _key(item, *_PG_KEYS) is not None:
            yield path, path
        elif isinstance(item.get("connection"), dict) and _config_key(item["connection"]) is not None:
            inner = (*path, "connection")
            yield inner, (*inner, _config_key(item["connection"]) or "")
        elif isinstance(item.get("connections"), list):
            for i, conn in enumerate(item["connections"][:MAX_CONNECTIONS]):
                if isinstance(conn, dict) and _config_key(conn) is not None:
                    yield (*path, "connections", i), (*path, "connections", i, _config_key(conn) or "")

    if isinstance(data, list):
        for i, item in enumerate(data[:MAX_CONNECTIONS]):
            yield from one(item, (i,))
    else:
        yield from one(data, ())


def _get(data: Any, path: YamlPath) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    return data


def _pg(data: Any, cfg_path: YamlPath) -> tuple[dict[str, Any], YamlPath] | None:
    cfg = _get(data, cfg_path)
    if not isinstance(cfg, dict):
        return None
    key = _key(cfg, *_PG_KEYS)
    if key is None or not isinstance(cfg[key], dict):
        return None
    return cfg[key], (*cfg_path, key)


def looks_like_neosync_connection(data: Any) -> bool:
    """A Neosync Connection (or API wrapper / list of them) whose config is a PostgreSQL `pgConfig`."""
    return any(_pg(data, cfg_path) is not None for _obj, cfg_path in _candidates(data))


def _stem(path: str) -> str:
    base = posixpath.basename(path.replace("\\", "/"))
    return posixpath.splitext(base)[0] or base


class _Reader:
    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.path = doc.path
        self.problems: list[Problem] = []  # doc.problems are the caller's (it loaded the document)
        self.secrets: list[Span] = []

    def invalid(self, message: str, span: Span) -> None:
        self.problems.append(Problem("invalid-value", message, span))

    def field_key(self, data: dict[str, Any], path: YamlPath, camel: str, snake: str) -> str | None:
        """Which spelling is used; both at once is rejected by protobuf JSON."""
        if camel != snake and data.get(camel) is not None and data.get(snake) is not None:
            self.invalid(f"'{camel}' and '{snake}' are the same field; write it once", self.doc.key_at((*path, snake)))
        return _key(data, camel, snake)

    def string(self, data: dict[str, Any], path: YamlPath, camel: str, snake: str | None = None) -> Field | None:
        key = self.field_key(data, path, camel, snake or camel)
        if key is None:
            return None
        raw, span = data[key], self.doc.at((*path, key))
        if not isinstance(raw, str):
            self.invalid(f"{key} is {describe_type(raw)}; Neosync expects a string", span)
            return None
        return Field(raw, None, span)

    def read(self) -> ClientFile:
        connections: list[ClientConnection] = []
        for obj_path, cfg_path in _candidates(self.doc.data):
            found = _pg(self.doc.data, cfg_path)
            if found is not None:
                connections.append(self._connection(obj_path, *found))
        return ClientFile(self.path, tuple(connections), tuple(self.problems), tuple(self.secrets))

    def _connection(self, obj_path: YamlPath, pg: dict[str, Any], pg_path: YamlPath) -> ClientConnection:
        obj = _get(self.doc.data, obj_path)
        assert isinstance(obj, dict)
        name, name_span = self._name(obj, obj_path)
        url = self.string(pg, pg_path, "url")
        url_env = self._url_env(pg, pg_path)
        conn_key = self.field_key(pg, pg_path, "connection", "connection")
        conn = pg.get(conn_key) if conn_key is not None else None
        chosen = [k for k, v in (("url", url), ("urlFromEnv", url_env), ("connection", conn)) if v is not None]
        if len(chosen) > 1:
            self.invalid(
                f"pgConfig sets {' and '.join(chosen)}; they are one oneof, so give exactly one",
                self.doc.key_at(pg_path),
            )
        elif not chosen:
            self.invalid("pgConfig needs one of url, urlFromEnv or connection", self.doc.key_at(pg_path))
        parts: dict[str, Field | None] = dict.fromkeys(("host", "port", "database", "user", "password", "sslmode"))
        if conn is not None:
            if isinstance(conn, dict):
                parts = self._parts(conn, (*pg_path, conn_key or "connection"))
            else:
                what = describe_type(conn)
                self.invalid(
                    f"pgConfig.connection is {what}; it must be an object", self.doc.at((*pg_path, "connection"))
                )
        if url is not None:
            self.secrets.extend(url_secret_spans(url.value or "", url.span))
            parts["sslmode"] = self._url_sslmode(url)
        server_name, root_cert = self._tls(pg, pg_path)
        self._tunnel(pg, pg_path)
        extra: dict[str, Field] = {}
        if isinstance(obj.get("id"), str):
            extra["id"] = Field(obj["id"], None, self.doc.at((*obj_path, "id")))
        tunnel_key = _key(pg, "tunnel")
        if tunnel_key is not None and isinstance(pg[tunnel_key], dict):
            host = self.string(pg[tunnel_key], (*pg_path, tunnel_key), "host")
            if host is not None:
                extra["tunnel_host"] = host
        return ClientConnection(
            product="neosync",
            path=self.path,
            name=name,
            span=self.doc.at(obj_path),
            name_span=name_span,
            url=url,
            url_env=url_env,
            host=parts["host"],
            port=parts["port"],
            database=parts["database"],
            user=parts["user"],
            password=parts["password"],
            sslmode=parts["sslmode"],
            server_name=server_name,
            root_cert=root_cert,
            tables=(),
            extra=extra,
        )

    def _name(self, obj: dict[str, Any], obj_path: YamlPath) -> tuple[str, Span]:
        raw = obj.get("name")
        if not isinstance(raw, str) or not raw:
            return _stem(self.path), self.doc.at(obj_path)
        span = self.doc.at((*obj_path, "name"))
        if not _NAME_RE.match(raw):
            self.invalid(
                "connection name must be 3-100 characters of lower-case letters, digits and '-'; the API rejects it",
                span,
            )
        return raw, span

    def _url_env(self, pg: dict[str, Any], pg_path: YamlPath) -> Field | None:
        field = self.string(pg, pg_path, "urlFromEnv", "url_from_env")
        if field is None or field.value is None:
            return None
        return Field(field.value, f"env:{field.value}", field.span)

    def _url_sslmode(self, url: Field) -> Field | None:
        text = url.value or ""
        found = url_query_param(text, "sslmode")
        if found is None:
            return None
        value, start, end = found
        field = Field(value, None, url_part_span(text, url.span, start, end))
        if value not in SSLMODES:
            self.invalid(f"url sslmode '{value}' is not one of {', '.join(SSLMODES)}", field.span)
        return field

    def _parts(self, conn: dict[str, Any], path: YamlPath) -> dict[str, Field | None]:
        password = self.string(conn, path, "pass")
        if password is not None and password.value:
            self.secrets.append(password.span)
        elif isinstance(conn.get("pass"), int | float) and not isinstance(conn["pass"], bool):
            self.secrets.append(self.doc.at((*path, "pass")))  # rejected by the API, but committed all the same
        sslmode = self.string(conn, path, "sslMode", "ssl_mode")
        if sslmode is not None and sslmode.value not in SSLMODES:
            self.invalid(f"sslMode '{sslmode.value}' is not one of {', '.join(SSLMODES)}", sslmode.span)
        return {
            "host": self.string(conn, path, "host"),
            "port": self._port(conn, path),
            "database": self.string(conn, path, "name"),
            "user": self.string(conn, path, "user"),
            "password": password,
            "sslmode": sslmode,
        }

    def _port(self, conn: dict[str, Any], path: YamlPath) -> Field | None:
        if conn.get("port") is None:
            return None
        raw, span = conn["port"], self.doc.at((*path, "port"))
        # proto3 JSON: an int32 is a JSON number or a string holding one.
        if isinstance(raw, bool) or not isinstance(raw, int | str | float):
            self.invalid(f"port is {describe_type(raw)}; it must be a number", span)
            return None
        text = str(raw).strip() if not isinstance(raw, float) else (str(int(raw)) if raw.is_integer() else str(raw))
        if not (re.fullmatch(r"[0-9]{1,5}", text) and 0 < int(text) <= 65535):
            self.invalid("port must be a TCP port number (1-65535)", span)
        return Field(text, None, span)

    def _tls(self, pg: dict[str, Any], pg_path: YamlPath) -> tuple[Field | None, bool]:
        key = self.field_key(pg, pg_path, "clientTls", "client_tls")
        if key is None:
            return None, False
        tls, path = pg[key], (*pg_path, key)
        if not isinstance(tls, dict):
            self.invalid(f"{key} is {describe_type(tls)}; it must be an object", self.doc.at(path))
            return None, False
        root = self.string(tls, path, "rootCert", "root_cert")
        cert = self.string(tls, path, "clientCert", "client_cert")
        private = self.string(tls, path, "clientKey", "client_key")
        if private is not None and private.value:
            self.secrets.append(private.span)
        if bool(cert and cert.value) != bool(private and private.value):
            self.invalid(
                "clientTls needs both clientCert and clientKey (or neither); Neosync rejects one alone",
                self.doc.key_at(path),
            )
        return self.string(tls, path, "serverName", "server_name"), bool(root and root.value)

    def _tunnel(self, pg: dict[str, Any], pg_path: YamlPath) -> None:
        """SSH tunnel credentials written inline are committed secrets too."""
        tunnel = pg.get("tunnel")
        auth_path: YamlPath = (*pg_path, "tunnel", "authentication")
        auth = tunnel.get("authentication") if isinstance(tunnel, dict) else None
        if not isinstance(auth, dict):
            return
        for method, keys in (("passphrase", ("value",)), ("privateKey", ("value", "passphrase"))):
            mkey = self.field_key(auth, auth_path, method, "private_key" if method == "privateKey" else method)
            block = auth.get(mkey) if mkey is not None else None
            if not isinstance(block, dict):
                continue
            for key in keys:
                value = self.string(block, (*auth_path, mkey or method), key)
                if value is not None and value.value:
                    self.secrets.append(value.span)


def read_neosync(doc: Located) -> ClientFile:
    """PostgreSQL connections in a parsed Neosync connection JSON (or YAML) document (`doc.problems` not repeated)."""
    return _Reader(doc).read()
