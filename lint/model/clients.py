"""Debezium connectors, Drasi sources and Neosync connections as model connections and facts.

Each becomes a `connections` item with the same fields as a PowerSync or subscription connection, so the
shared policies (TLS, admin logins, pg_hba admission, RLS, slot clashes) judge them alike; Debezium also gets
a `debezium_connectors` item for the `dbz-*` policies. Defaults are the products' own: Debezium's
`database.sslmode` is `prefer`, `plugin.name` `decoderbufs`, `slot.name` `debezium`, `publication.name`
`dbz_publication`, `publication.autocreate.mode` `all_tables`, `heartbeat.interval.ms` 0
(https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-connector-properties).
"""

from __future__ import annotations

from collections.abc import Mapping

from lint import conninfo
from lint.model.items import ConnectionItem, ConnectorItem, connection_facts
from lint.sources import clients, debezium
from lint.span import Origin, Span

DBZ_DEFAULTS = {
    "database.port": "5432",
    "database.sslmode": "prefer",
    "plugin.name": "decoderbufs",
    "slot.name": "debezium",
    "publication.name": "dbz_publication",
    "publication.autocreate.mode": "all_tables",
    "heartbeat.interval.ms": "0",
}
TLS_DRIVER = {"libpq": "libpq", "debezium": "the PostgreSQL JDBC driver", "drasi": "the driver", "neosync": "pgx"}
TLS_FIX = {
    "libpq": "use sslmode=verify-full (with sslrootcert for a private CA)",
    "debezium": 'set "database.sslmode": "verify-full" (with "database.sslrootcert" for a private CA)',
    "drasi": (
        "Drasi has no setting that makes the change stream verify the server, so enforce TLS on the server: "
        "hostssl lines for this user in pg_hba.conf and ssl = on"
    ),
    "neosync": "set sslMode to verify-full (with the server's CA as the root certificate in clientTls)",
}


def libpq_connection(
    *,
    key: str,
    client: str,
    purpose: str,
    config: str,
    path: str,
    origin: Span,
    user: str | None,
    user_origin: Span,
    database: str | None,
    host: str | None,
    port: int | None,
    identity_env: str | None,
    sslmode: str,
    sslmode_explicit: bool,
    sslmode_origin: Span,
    sslmode_key: str,
    cacert: bool,
    row_security_option: str,
    uri_errors: list[str],
    info: conninfo.ConnInfo | None = None,
    tls_subject: str | None = None,
    uri_options: str | None = None,
    resolved_from: str | None = None,
    server_name: str | None = None,
) -> ConnectionItem:
    """A PostgreSQL client connection as policies see it; `info` (all hosts) decides the server identity."""
    known = host is not None
    info = info or conninfo.ConnInfo("postgresql", ((host or "", port),), {}, user)
    return {
        **connection_facts(),
        "key": key,
        "client": client,
        "purpose": purpose,
        "engine": "postgresql",
        "config": config,
        "path": path,
        "origin": origin.to_dict(),
        "user": user,
        "user_env": None,
        "user_origin": user_origin.to_dict(),
        "database": database,
        "host": host,
        "port": port or conninfo.PG_DEFAULT_PORT,
        "endpoints": sorted(conninfo.server_endpoints(info, conninfo.PG_DEFAULT_PORT)) if known else None,
        "identity_env": identity_env,
        "resolved_from": resolved_from,
        "server_known": known,
        "host_class": conninfo.host_class(host) if host is not None else "unknown",
        "provider": conninfo.provider_of(host) if host else None,
        "sslmode": sslmode,
        "sslmode_explicit": sslmode_explicit,
        "sslmode_env": False,
        "sslmode_origin": sslmode_origin.to_dict(),
        "sslmode_key": sslmode_key,
        "tls_subject": tls_subject or path,
        "tls_driver": TLS_DRIVER[client],
        "tls_fix": TLS_FIX[client],
        "cacert": cacert,
        "uri_sslmode": None,
        "uri_options": uri_options,
        "uri_origin": origin.to_dict(),
        "uri_errors": uri_errors,
        "row_security_option": row_security_option,
        "post_images": None,
        "post_images_explicit": False,
        "post_images_origin": None,
        "debug_api": False,
        "slot_name_prefix": "",
        "role": None,
        "role_defined": False,
        "server_name": server_name,
    }


def _literal(value: str | None) -> str | None:
    """A connector value replint can use: not empty and not a config-provider reference."""
    if value is None or value == "" or debezium.is_config_reference(value):
        return None
    return value


def debezium_connection(c: debezium.DebeziumConnector) -> ConnectionItem:
    def value(key: str) -> str | None:
        s = c.get(key)
        return s.value if s is not None else DBZ_DEFAULTS.get(key)

    def where(key: str) -> Span:
        s = c.get(key)
        return s.span if s is not None else c.span

    host_raw = c.get("database.hostname")
    host = _literal(host_raw.value) if host_raw else None
    port_text = _literal(value("database.port"))
    options = (value("driver.options") or "").replace(" ", "").lower()
    return libpq_connection(
        key=f"debezium:{c.path}:{c.name}",
        client="debezium",
        purpose="cdc",
        config=c.path,
        path=f"Debezium connector {c.name}",
        origin=c.span,
        user=_literal(value("database.user")),
        user_origin=where("database.user"),
        database=_literal(value("database.dbname")),
        host=host,
        port=int(port_text) if port_text and port_text.isdigit() else None,
        identity_env=host_raw.value if host_raw is not None and host is None and host_raw.value else None,
        sslmode=(value("database.sslmode") or "prefer").strip().lower(),
        sslmode_explicit=c.get("database.sslmode") is not None,
        sslmode_origin=where("database.sslmode"),
        sslmode_key="database.sslmode",
        cacert=c.get("database.sslrootcert") is not None,
        row_security_option="off" if "row_security=off" in options else "none",
        uri_errors=[],
    )


def debezium_item(c: debezium.DebeziumConnector, conn: ConnectionItem) -> ConnectorItem:
    """The connector's replication settings, defaults filled in, each with where it is (or the connector)."""

    def setting(key: str) -> tuple[str, bool, Origin]:
        s = c.get(key)
        value = s.value if s is not None else DBZ_DEFAULTS[key]
        return value.strip(), s is not None, (s.span if s else c.span).to_dict()

    port, port_explicit, port_origin = setting("database.port")
    sslmode, sslmode_explicit, sslmode_origin = setting("database.sslmode")
    plugin, plugin_explicit, plugin_origin = setting("plugin.name")
    slot, slot_explicit, slot_origin = setting("slot.name")
    pub, pub_explicit, pub_origin = setting("publication.name")
    mode, mode_explicit, mode_origin = setting("publication.autocreate.mode")
    interval, interval_explicit, interval_origin = setting("heartbeat.interval.ms")
    query = c.get("heartbeat.action.query")
    tables = c.get("table.include.list")
    return {
        "key": f"debezium:{c.path}:{c.name}",
        "name": c.name,
        "path": c.path,
        "flavor": c.flavor,
        "origin": c.span.to_dict(),
        "connection": conn,  # the same map: the role is attached to it later
        "provider": conn["provider"],
        "database_port": port,
        "database_port_explicit": port_explicit,
        "database_port_origin": port_origin,
        "database_sslmode": sslmode,
        "database_sslmode_explicit": sslmode_explicit,
        "database_sslmode_origin": sslmode_origin,
        "plugin_name": plugin.lower(),
        "plugin_name_explicit": plugin_explicit,
        "plugin_name_origin": plugin_origin,
        "slot_name": slot,
        "slot_name_explicit": slot_explicit,
        "slot_name_origin": slot_origin,
        "publication_name": pub,
        "publication_name_explicit": pub_explicit,
        "publication_name_origin": pub_origin,
        "publication_autocreate_mode": mode.lower(),
        "publication_autocreate_mode_explicit": mode_explicit,
        "publication_autocreate_mode_origin": mode_origin,
        "heartbeat_interval_ms": interval,
        "heartbeat_interval_ms_explicit": interval_explicit,
        "heartbeat_interval_ms_origin": interval_origin,
        "heartbeat_ms": int(interval) if interval.isdigit() else (0 if interval in ("", "0") else None),
        "heartbeat_action_query": query.value if query else None,
        "heartbeat_action_origin": query.span.to_dict() if query else None,
        "table_include_list": [t.strip() for t in tables.value.split(",") if t.strip()] if tables else [],
        "table_include_origin": (tables.span if tables else c.span).to_dict(),
        # Filled in from the migrations when there are any (model._debezium_publications); None means unknown.
        "publication_declared": None,
        "publication_origin": None,
        "publication_missing_tables": [],
    }


def client_connection(cc: clients.ClientConnection, env: Mapping[str, tuple[str, str]]) -> ConnectionItem:
    """A Drasi source or Neosync connection; a URL (or `urlFromEnv` resolved from .env) fills what fields leave out."""
    url_text = cc.url.value if cc.url is not None else None
    url_env = cc.url_env.value if cc.url_env is not None else None
    resolved_from = None
    if url_text is None and url_env and url_env in env:
        url_text, resolved_from = env[url_env]
    info = conninfo.parse(url_text) if url_text else None

    def field(f: clients.Field | None, fallback: str | None) -> str | None:
        if f is not None and f.value is not None:
            return f.value
        return fallback

    host = field(cc.host, info.hosts[0][0] if info and info.hosts else None)
    port_text = field(cc.port, str(info.hosts[0][1]) if info and info.hosts and info.hosts[0][1] else None)
    url_sslmode = info.params.get("sslmode") if info else None
    sslmode = field(cc.sslmode, url_sslmode)
    # Drasi's `ssl` property never reaches the Debezium reactivator: its sslmode is Debezium's default, prefer,
    # unless the Entra identity login sets require (lint/sources/drasi.py).
    drasi_default = cc.product == "drasi" and sslmode in (None, "prefer")
    sslmode_span = (cc.sslmode.span if cc.sslmode else None) or (cc.url.span if cc.url else None) or cc.span
    product = "Drasi source" if cc.product == "drasi" else "Neosync connection"
    return libpq_connection(
        key=f"{cc.product}:{cc.path}:{cc.name}",
        client=cc.product,
        purpose="cdc" if cc.product == "drasi" else "sync",
        config=cc.path,
        path=f"{product} {cc.name}",
        origin=cc.span,
        user=field(cc.user, info.user if info else None),
        user_origin=(cc.user.span if cc.user else None) or (cc.url.span if cc.url else None) or cc.span,
        database=field(cc.database, info.database if info else None),
        host=host,
        port=int(port_text) if port_text and port_text.isdigit() else None,
        identity_env=url_env if host is None else None,
        sslmode=(sslmode or "prefer").lower(),
        sslmode_explicit=sslmode is not None and not drasi_default,
        sslmode_origin=sslmode_span,
        sslmode_key=(
            "sslmode for its change stream (the ssl property is not passed on)"
            if drasi_default
            else ("sslmode" if cc.product == "drasi" else "sslMode")
        ),
        cacert=cc.root_cert,
        row_security_option=conninfo.row_security_option(info),
        uri_errors=list(info.errors) if info else [],
        resolved_from=resolved_from,
        server_name=cc.server_name.value if cc.server_name else None,
    )


__all__ = ["client_connection", "debezium_connection", "debezium_item", "libpq_connection"]
