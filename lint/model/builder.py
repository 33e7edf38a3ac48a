"""The project model: every fact read from every file, with its origin, and the derived views policies judge.

Policies are CEL one-liners over *collections* (lists of plain maps). All reasoning that would make a
policy long — role-graph closure, migration-order privilege coverage, server identity, which tables a
consumer replicates — happens here, once, so every policy sees the same answer (DESIGN.md §3).

The collections and their items are declared in `lint.model.items`.
"""

from __future__ import annotations

import posixpath
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from lint import conninfo
from lint.live.observe import Observed
from lint.model import clients as model_clients
from lint.model import conf as model_conf
from lint.model import hba as model_hba
from lint.model import live as model_live
from lint.model import mongo as model_mongo
from lint.model.items import (
    COLLECTIONS,
    Collections,
    CollisionItem,
    ConnectionItem,
    ExposureItem,
    PrivilegeItem,
    ProjectFacts,
    RoleItem,
    SecretItem,
    SslOff,
    SubscriptionItem,
    SyncTableItem,
    connection_facts,
    empty_collections,
)
from lint.model.mongoauth import MongoState
from lint.model.replay import (
    BUILT_IN_GRANTS,
    PUBLISH_ALL,
    DbState,
    Edge,
    RoleState,
    SubscriptionState,
    TableState,
    default_applies,
)
from lint.redact import mask_setting
from lint.sources import clients, compose, debezium, hba, pgconf
from lint.sources.powersync import PowerSyncConfig, RawConnection
from lint.sources.syncrules import SyncRules
from lint.span import Origin, Span, span_from_dict
from lint.yamlsrc import EnvRef, Problem

CONFIG_PROBLEM_KINDS = frozenset(
    {
        "unknown-key",
        "unknown-type",
        "invalid-value",
        "multiple-connections",
        "sync-config-conflict",
        "sync-config-path",
        "sync-config-unseen",
        "env-interpolation",
        "sync-structure",
    }
)

# Roles whose membership gives superuser-equivalent power (RULES.md §9).
PROVIDER_ADMIN_ROLES = {
    "rds_superuser": "AWS RDS admin role",
    "azure_pg_admin": "Azure admin role",
    "cloudsqlsuperuser": "Cloud SQL admin role",
    "neon_superuser": "Neon admin role",
    "supabase_admin": "Supabase's internal superuser",
    "flypgadmin": "Fly's superuser",
}
OS_ACCESS_ROLES = {
    "pg_execute_server_program": "runs programs on the server as the postgres OS user",
    "pg_write_server_files": "writes files on the server",
    "pg_read_server_files": "reads any file the server can read",
}
BUILTIN_SUPERUSERS = {"postgres", "rdsadmin", "azuresu", "cloudsqladmin", "supabase_admin"}
TABLE_WRITE_PRIVILEGES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")


def span_dict(span: Span | None) -> Origin | None:
    return span.to_dict() if span is not None else None


@dataclass(frozen=True)
class Project:
    """The judged model: plain-data collections (for CEL) plus the project-level map."""

    collections: Collections
    project: ProjectFacts
    files: int
    secret_spans: tuple[Span, ...] = field(default=())

    def items(self, collection: str) -> list[dict[str, Any]]:
        """One collection's items as the plain maps CEL receives (an unknown name has none)."""
        found = cast(dict[str, list[dict[str, Any]]], self.collections).get(collection)
        return found if found is not None else []


@dataclass(frozen=True)
class Inputs:
    """Everything the readers produced for one run."""

    sql: DbState | None
    sql_files: int
    configs: tuple[PowerSyncConfig, ...]
    sync_rules: dict[str, SyncRules]  # by config path ("" key for standalone files: their own path)
    standalone_sync_rules: tuple[SyncRules, ...]
    env: Mapping[str, tuple[str, str]]  # NAME -> (value, file it came from); values never leave the model
    problems: tuple[Problem, ...]
    files: int
    secret_spans: tuple[Span, ...] = ()
    pgconfs: tuple[pgconf.ConfFile, ...] = ()
    hbas: tuple[hba.HbaFile, ...] = ()
    mongo: MongoState | None = None
    debezium: tuple[debezium.DebeziumConnector, ...] = ()
    clients: tuple[clients.ClientConnection, ...] = ()
    live: tuple[Observed, ...] | None = None  # `check --live`: what the probes saw
    deployments: tuple[compose.ComposeFile, ...] = ()  # docker-compose files: where service names mean a host


# ---------------------------------------------------------------------------------------------------------
# Connections


def _scoped(connections: list[ConnectionItem], deployments: tuple[compose.ComposeFile, ...]) -> list[ConnectionItem]:
    """A host of one label (`postgres`, `db`) is a name on a deployment's private network — a compose service —
    so it names one server only within that deployment: its endpoints are qualified with the folder of the
    compose project the connection's file belongs to (the nearest compose file at or above it). Two demos that
    both call their server `postgres` are then two servers; files outside every compose project are unchanged."""
    folders = sorted({posixpath.dirname(d.path) for d in deployments}, key=len, reverse=True)
    for conn in connections:  # in place: connector items built with the connections refer to the same dicts
        where = posixpath.dirname(conn["config"] or "")
        unit = next((f for f in folders if f in ("", where) or where.startswith(f + "/")), None)
        endpoints = conn["endpoints"]
        if unit is not None and endpoints:
            conn["endpoints"] = sorted(f"{e}@{unit or '.'}/" if _private_name(e) else e for e in endpoints)
    return connections


def _one_connector(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Kafka Connect knows a connector by its name: two files defining the same name (a variant with other
    credentials, a copy per environment) are one connector, configured one way or the other, never both at once.
    Debezium Server has no connector name (replint names it after its file), so there the rule does not hold."""
    connect = ("connect-json", "connect-properties", "strimzi")
    return a.get("flavor") in connect and b.get("flavor") in connect and a["name"] == b["name"]


def _private_name(endpoint: str) -> bool:
    """`host:port` whose host is a single DNS label (not an address, not a loopback or provider alias)."""
    host = endpoint.rsplit(":", 1)[0]
    return bool(host) and "." not in host and ":" not in host and host not in ("loopback", "docker-host")


def _value(raw: RawConnection, key: str) -> Any:
    return raw.values.get(key)


def _resolve(value: Any, env: Mapping[str, tuple[str, str]]) -> tuple[str | None, str | None, str | None]:
    """(text, env var name, where it was resolved from) for a scalar that may be `!env`."""
    if isinstance(value, EnvRef):
        found = env.get(value.name)
        if found is not None:
            return found[0], value.name, found[1]
        return None, value.name, None
    if value is None:
        return None, None, None
    return str(value), None, None


def powersync_connection(
    cfg: PowerSyncConfig, raw: RawConnection, env: Mapping[str, tuple[str, str]]
) -> ConnectionItem:
    """A PowerSync source or storage connection as policies see it.

    PowerSync reads only host, port, database, user and password (and connect_timeout) from its URI; the
    explicit fields win over the URI (POWERSYNC.md a.5). `sslmode`/`options` in the URI are ignored.
    """
    engine = str(_value(raw, "type") or "unknown")
    uri_text, uri_env, uri_from = _resolve(_value(raw, "uri"), env)
    info = conninfo.parse(uri_text) if uri_text else None
    host_text, host_env, _ = _resolve(_value(raw, "hostname"), env)
    port_text, _, _ = _resolve(_value(raw, "port"), env)
    user_text, user_env, _ = _resolve(_value(raw, "username"), env)
    db_text, _, _ = _resolve(_value(raw, "database"), env)
    default_port = conninfo.MONGO_DEFAULT_PORT if engine == "mongodb" else conninfo.PG_DEFAULT_PORT

    hosts: tuple[tuple[str, int | None], ...] | None = None
    if host_text is not None:
        port = int(port_text) if port_text and port_text.isdigit() else None
        hosts = ((host_text, port),)
    elif info is not None:
        hosts = info.hosts
        if port_text and port_text.isdigit():
            hosts = tuple((h, int(port_text)) for h, _ in hosts)
    endpoints: list[str] | None = None
    if hosts is not None:
        endpoints = sorted(
            conninfo.server_endpoints(
                conninfo.ConnInfo(
                    info.scheme if info else "postgresql",
                    hosts,
                    {},
                    user_text or (info.user if info else None),
                ),
                default_port,
            )
        )
    identity_env = uri_env if uri_text is None and uri_env else (host_env if host_text is None else None)
    user = user_text or (info.user if info else None)
    database = db_text or (info.database if info else None)
    first_host = hosts[0][0] if hosts else None
    first_port = hosts[0][1] if hosts else None
    sslmode = _value(raw, "sslmode")
    uri_params = info.params if info else {}
    spans = raw.spans
    return {
        **connection_facts(),
        "key": f"powersync:{cfg.path}:{'.'.join(map(str, raw.ypath))}",
        "client": "powersync",
        "purpose": raw.purpose,
        "engine": engine,
        "config": cfg.path,
        "path": f"PowerSync's {'replication' if raw.purpose == 'source' else 'storage'} connection",
        "origin": raw.span.to_dict(),
        "user": user,
        "user_env": user_env if user is None else None,
        "user_origin": span_dict(spans.get("username") or spans.get("uri")),
        "database": database,
        "host": first_host,
        "port": first_port or (default_port if hosts else None),
        "endpoints": endpoints,
        "identity_env": identity_env,
        "resolved_from": uri_from,
        "server_known": endpoints is not None,
        "host_class": conninfo.host_class(first_host) if first_host is not None else "unknown",
        "provider": conninfo.provider_of(first_host) if first_host else None,
        "sslmode": sslmode if isinstance(sslmode, str) else ("verify-full" if sslmode is None else None),
        "sslmode_explicit": sslmode is not None,
        "sslmode_env": isinstance(sslmode, EnvRef),
        "sslmode_origin": (spans.get("sslmode") or raw.span).to_dict(),
        "cacert": _value(raw, "cacert") not in (None, ""),
        "uri_sslmode": uri_params.get("sslmode"),
        "uri_options": uri_params.get("options"),
        "uri_origin": span_dict(spans.get("uri")),
        "uri_errors": list(info.errors) if info else [],
        "row_security_option": conninfo.row_security_option(info),
        "post_images": _value(raw, "post_images") if isinstance(_value(raw, "post_images"), str) else None,
        "post_images_explicit": "post_images" in raw.values,
        "post_images_origin": (spans.get("post_images") or raw.span).to_dict(),
        "debug_api": _value(raw, "debug_api") is True,
        "slot_name_prefix": str(_value(raw, "slot_name_prefix") or "powersync_"),
        "role": None,
        "role_defined": False,
        "sslmode_key": "sslmode",
        "tls_subject": "PowerSync",
        "tls_driver": "PowerSync",
        "tls_fix": "",
        "server_name": None,
    }


def subscription_connection(name: str, sub_origin: Span, conn_span: Span, info: conninfo.ConnInfo) -> ConnectionItem:
    """A `CREATE SUBSCRIPTION ... CONNECTION` string, read by libpq on the subscriber (default sslmode prefer)."""
    sslmode = info.params.get("sslmode")
    return model_clients.libpq_connection(
        key=f"subscription:{name}",
        client="libpq",
        purpose="subscription",
        config=sub_origin.path,
        path=f"subscription {name}",
        origin=conn_span,
        user=info.user,
        user_origin=conn_span,
        database=info.database,
        host=info.hosts[0][0] if info.hosts else "",
        port=info.hosts[0][1] if info.hosts else None,
        identity_env=None,
        sslmode=sslmode or "prefer",
        sslmode_explicit=sslmode is not None,
        sslmode_origin=conn_span,
        sslmode_key="sslmode",
        cacert="sslrootcert" in info.params,
        row_security_option=conninfo.row_security_option(info),
        uri_errors=list(info.errors),
        info=info,
        tls_subject=f"the CONNECTION string of subscription {name}",
        uri_options=info.params.get("options"),
    )


# ---------------------------------------------------------------------------------------------------------
# Role graph


@dataclass(frozen=True)
class _History:
    """Why a CDC role cannot SELECT a table: statements that look as if they grant it but do not."""

    select_revoked: Span | None
    usage_revoked: Span | None
    all_tables_grant: Span | None
    default_grant: Span | None
    default_grant_for_role: str | None
    default_grant_after_table: bool


@dataclass
class _Grant:
    """One GRANT statement (or default privilege, membership, attribute) while privileges are grouped."""

    role: str
    objtype: str
    span: Span
    objects: list[str] = field(default_factory=list)
    privileges: list[str] = field(default_factory=list)
    default_objtype: str | None = None
    for_role: str | None = None
    all_schemas: bool = False
    expanded: bool = False

    def add(self, obj: str, privilege: str) -> None:
        if obj not in self.objects:
            self.objects.append(obj)
        if privilege not in self.privileges:
            self.privileges.append(privilege)


@dataclass(frozen=True)
class Escalation:
    path: tuple[str, ...]  # member ... target
    target: str
    reason: str
    first_edge: Edge


def _escalation(db: DbState, name: str) -> Escalation | None:
    """Shortest SET ROLE / inheritance path from `name` to a superuser-equivalent role, if any.

    Attributes are never inherited, but membership lets a role `SET ROLE` into a superuser (verified,
    RULES.md §10.2). Only PG16+ `WITH SET FALSE` on a hop blocks that; provider admin and OS-access roles act
    through inherited privileges, so for them INHERIT FALSE must also be set to block the hop.
    """
    members = db.memberships().by_member
    queue: deque[tuple[str, tuple[str, ...], Edge | None]] = deque([(name, (name,), None)])
    seen = {name}
    while queue:
        current, path, first = queue.popleft()
        for edge in members.get(current, []):
            target = edge.role
            if target in seen:
                continue
            reason = _power(db, target)
            usable = db.can_set(edge) or (
                db.inherits(edge) and reason is not None and not reason.startswith("SUPERUSER")
            )
            if not usable:
                continue
            hop = first or edge
            if reason is not None:
                return Escalation((*path, target), target, reason, hop)
            seen.add(target)
            queue.append((target, (*path, target), hop))
    return None


def _power(db: DbState, role: str) -> str | None:
    state = db.roles.get(role)
    if state is not None and state.attr("superuser"):
        return "SUPERUSER attribute"
    if role in PROVIDER_ADMIN_ROLES:
        return PROVIDER_ADMIN_ROLES[role]
    if role in OS_ACCESS_ROLES:
        return OS_ACCESS_ROLES[role]
    return None


def _walk(db: DbState, name: str, *, upward: bool, inherit_only: bool) -> list[str]:
    """Roles reachable from `name` through memberships: upward = the groups it belongs to, downward = its
    members; `inherit_only` follows only INHERIT memberships (privileges flow; attributes never do)."""
    graph = db.memberships()
    edges_of = graph.by_member if upward else graph.by_group
    out: list[str] = []
    frontier = [name]
    seen = {name}
    while frontier:
        current = frontier.pop()
        for edge in edges_of.get(current, ()):
            there = edge.role if upward else edge.member
            if there not in seen and (db.inherits(edge) or not inherit_only):
                seen.add(there)
                out.append(there)
                frontier.append(there)
    return out


def _member_of(db: DbState, name: str) -> list[str]:
    """Every group `name` is a direct or transitive member of (SET ROLE-able or not)."""
    return sorted(_walk(db, name, upward=True, inherit_only=False))


def _inherited_privilege_holders(db: DbState, name: str) -> list[str]:
    """The role itself plus every role whose privileges it inherits (and PUBLIC)."""
    return [name, "public", *_walk(db, name, upward=True, inherit_only=True)]


def _own_snapshot(consumer: str) -> bool:
    """Whether a consumer (as `_Builder._cdc_publications` names it) copies tables with its own SELECT: PowerSync
    and Debezium snapshot with `SELECT * FROM t`, where a publication's row filter or column list does not
    apply, then stream through it. A subscription's initial copy honours both (PostgreSQL 15+); what Drasi's
    bootstrap does is not known here."""
    return consumer.startswith(("PowerSync", "Debezium connector "))


def can_select(db: DbState, role: str, table: TableState) -> tuple[bool, bool]:
    """(SELECT on the table, USAGE on its schema) for `role`, with inheritance and predefined roles. What grants
    give: a superuser's bypass of every check is the policies' to judge (`tests/replaydiff.py` compares this with
    PostgreSQL's has_table_privilege for every role and table)."""
    holders = _inherited_privilege_holders(db, role)
    reads_all = any(h == "pg_read_all_data" or ("pg_read_all_data", h) in db.edges for h in holders)
    select = reads_all or any((h, "table", table.name, "SELECT") in db.privileges for h in holders)
    usage = (
        reads_all
        or any((h, "schema", table.schema, "USAGE") in db.privileges for h in holders)
        or any((h, "schema", table.schema, "USAGE") in BUILT_IN_GRANTS - db.revoked.keys() for h in holders)
        # the schema's owner (CREATE SCHEMA ... AUTHORIZATION role), unless it revoked USAGE from itself
        or (
            db.schemas.get(table.schema, (None, None))[0] in holders
            and "USAGE" not in db.schema_owner_lacks.get(table.schema, frozenset())
        )
    )
    owner = table.owner[0]
    if owner is not None and owner in holders and "SELECT" not in table.owner_lacks:
        select = True  # owning the table is not USAGE on its schema: without that, even the owner cannot reach it
    return select, usage


def _inheritors(db: DbState, name: str) -> list[str]:
    """Roles that inherit `name`'s privileges: members, transitively, through INHERIT memberships."""
    return sorted(_walk(db, name, upward=False, inherit_only=True))


# ---------------------------------------------------------------------------------------------------------
# Build


class _Builder:
    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        self.db = inputs.sql
        self.c: Collections = empty_collections()
        self.cdc_roles: dict[str, list[str]] = {}  # role -> why it is a CDC role
        self.cdc_logins: set[str] = set()  # CDC roles a connection logs in as (not only by attribute)
        self.storage_roles: dict[str, list[str]] = {}
        self.sync_tables: list[SyncTableItem] = []

    def build(self) -> Project:
        self._problems()
        connections = _scoped(self._connections(), self.inputs.deployments)
        self._sync()
        self._identify_roles(connections)
        if self.db is not None:
            self._roles()
            self._privileges()
            self._tables_and_publications(connections)
            self._subscriptions()
            self._committed_secrets()
            self._rls(connections)
        self._settings(connections)
        for conn in connections:
            self._attach_role(conn)
        self._connection_facts(connections)
        self.c["connections"] = connections
        self._live(connections)
        self._storage_pairs(connections)
        self._slots(connections)
        self._debezium_slots(connections)
        self._client_secrets()
        self._hba(connections)
        self._mongo(connections)
        has_ps_pg = any(_powersync_pg_source(c) for c in connections)
        project: ProjectFacts = {
            "has_sql": self.inputs.sql_files > 0,
            "has_roles": bool(self.db and any(r.origin for r in self.db.roles.values())),
            "has_powersync": bool(self.inputs.configs),
            "has_powersync_postgres_source": has_ps_pg,
            "cdc_roles": sorted(self.cdc_roles),
            "storage_roles": sorted(self.storage_roles),
            # CREATE SCHEMA powersync AUTHORIZATION <role> in the SQL: the storage role then needs no CREATE
            # on the database (seed 001).
            "powersync_schema_owner": (
                self.db.schemas["powersync"][0] if self.db and "powersync" in self.db.schemas else None
            ),
        }
        return Project(self.c, project, self.inputs.files, self.inputs.secret_spans)

    # -- reader problems and config flags ------------------------------------------------------------------

    def _problems(self) -> None:
        for p in self.inputs.problems:
            # Kinds a config policy judges; any other reader problem is a parse-error finding, never dropped.
            target = self.c["config_problems"] if p.kind in CONFIG_PROBLEM_KINDS else self.c["parse_errors"]
            target.append(
                {
                    "key": f"{p.kind}:{p.span.path}:{p.message}",
                    "kind": p.kind,
                    "message": p.message,
                    "origin": p.span.to_dict(),
                    "powersync_config": False,  # sync rules, Debezium, Drasi, Neosync: not PowerSync's loader
                }
            )
        for cfg in self.inputs.configs:
            for p in cfg.problems:
                self.c["config_problems"].append(
                    {
                        "key": f"{p.kind}:{cfg.path}:{p.message}",
                        "kind": p.kind,
                        "message": p.message,
                        "origin": p.span.to_dict(),
                        "powersync_config": True,
                    }
                )
            for flag in cfg.flags:
                key = f"{flag.kind}:{cfg.path}:{flag.detail}"
                if flag.kind == "secret":
                    self.c["secrets"].append(
                        _secret_item(key, "config", flag.detail, flag.span, literal=flag.literal, detail=flag.detail)
                    )
                    continue
                self.c["flags"].append(
                    {
                        "key": key,
                        "kind": flag.kind,
                        "detail": flag.detail,
                        "literal": flag.literal,
                        "origin": flag.span.to_dict(),
                        "config": cfg.path,
                    }
                )
            for ref, span in cfg.env_refs:
                self.c["env_refs"].append(
                    {
                        "key": f"env:{cfg.path}:{ref.name}:{span.line}",
                        "name": ref.name,
                        "type": ref.type,
                        # A cloud file's `!env` is resolved by the CLI on the user's machine, which has no PS_
                        # prefix rule; only the service refuses other names.
                        "valid_prefix": ref.name.startswith("PS_") or cfg.variant == "cli-cloud",
                        "valid_type": ref.type in ("string", "number", "boolean"),
                        "client": "powersync",
                        "where": "",
                        "origin": span.to_dict(),
                    }
                )
            self.c["services"].append(
                {
                    "key": f"service:{cfg.path}",
                    "path": cfg.path,
                    "variant": cfg.variant,
                    "telemetry_sharing": cfg.telemetry_sharing[0] if cfg.telemetry_sharing else True,
                    "telemetry_configured": cfg.telemetry_sharing is not None,
                    "telemetry_origin": (
                        cfg.telemetry_sharing[1] if cfg.telemetry_sharing else Span.point(cfg.path, 1)
                    ).to_dict(),
                    "origin": Span.point(cfg.path, 1).to_dict(),
                }
            )

    # -- connections ---------------------------------------------------------------------------------------

    def _connections(self) -> list[ConnectionItem]:
        out: list[ConnectionItem] = []
        for cfg in self.inputs.configs:
            for raw in cfg.connections:
                out.append(powersync_connection(cfg, raw, self.inputs.env))
            if cfg.storage is not None:
                out.append(powersync_connection(cfg, cfg.storage, self.inputs.env))
        if self.db is not None:
            for sub in self.db.subscriptions.values():
                out.append(subscription_connection(sub.name, sub.origin, sub.conninfo_span, sub.conninfo))
        for connector in self.inputs.debezium:
            conn = model_clients.debezium_connection(connector)
            out.append(conn)
            self.c["debezium_connectors"].append(model_clients.debezium_item(connector, conn))
        for client in self.inputs.clients:
            out.append(model_clients.client_connection(client, self.inputs.env))
            if client.url_env is not None and client.url_env.value:
                self.c["env_refs"].append(
                    {
                        "key": f"env:{client.path}:{client.url_env.value}:{client.url_env.span.line}",
                        "name": client.url_env.value,
                        "type": "string",
                        "valid_prefix": client.url_env.value.startswith("USER_DEFINED_"),
                        "valid_type": True,
                        "client": client.product,
                        "where": f"Neosync connection {client.name}",
                        "origin": client.url_env.span.to_dict(),
                    }
                )
        return out

    def _attach_role(self, conn: ConnectionItem) -> None:
        roles = {r["name"]: r for r in self.c["roles"]}
        user = conn.get("user")
        role = roles.get(user) if user else None
        conn["role"] = role
        conn["role_defined"] = bool(role and role.get("defined"))
        admin, why = self._admin_login(conn, role)
        conn["admin_login"] = admin
        conn["admin_reason"] = why

    def _connection_facts(self, connections: list[ConnectionItem]) -> None:
        """Cross-file facts of each connection: shared storage login, case-folded user, the publication."""
        storage_users = {c["config"]: c for c in connections if c["purpose"] == "storage" and c.get("user")}
        defined = {r["name"] for r in self.c["roles"] if r.get("defined")}
        pubs = {p["name"]: p for p in self.c["publications"]}
        db = self.db
        for conn in connections:
            storage = storage_users.get(conn["config"]) if conn["purpose"] == "source" else None
            same = storage is not None and storage["engine"] == conn["engine"] and storage["user"] == conn["user"]
            conn["same_as_storage_user"] = same
            conn["storage_user_origin"] = storage["user_origin"] if same and storage else None
            # A user name in a URI or `username:` is used verbatim, but unquoted SQL identifiers fold to lower
            # case: `CREATE ROLE PowerSync_Role` creates powersync_role, so login as PowerSync_Role fails.
            user = conn.get("user")
            folded = user.lower() if isinstance(user, str) else None
            conn["user_case_mismatch"] = (
                folded if folded and folded != user and user not in defined and folded in defined else None
            )
            is_ps_pg = _powersync_pg_source(conn)
            conn["powersync_publication"] = pubs.get("powersync") if is_ps_pg else None
            dropped = db.dropped_publications.get("powersync") if db is not None and is_ps_pg else None
            renamed = db.renamed_publications.get("powersync") if db is not None and is_ps_pg else None
            conn["publication_dropped_origin"] = span_dict(dropped)
            conn["publication_renamed_to"] = renamed[0] if renamed else None
            conn["publication_renamed_origin"] = span_dict(renamed[1] if renamed else None)

    def _admin_login(self, conn: ConnectionItem, role: RoleItem | None) -> tuple[bool, str]:
        user = conn.get("user") or ""
        provider = conn.get("provider")
        if role and role.get("superuser"):
            return True, "it has the SUPERUSER attribute in the migrations"
        if role and role.get("can_become_superuser"):
            return True, f"it can become a superuser through {' -> '.join(role['superuser_path'][1:])}"
        if user == "postgres":
            return True, (
                "'postgres' is the provider's admin login"
                if provider
                else "'postgres' is the bootstrap superuser of a self-hosted server"
            )
        if user in BUILTIN_SUPERUSERS:
            return True, f"'{user}' is a built-in superuser login"
        if provider == "neon" and user.endswith("_owner"):
            return True, f"'{user}' is Neon's database owner login (a member of neon_superuser)"
        if provider == "supabase" and user.startswith("postgres."):
            return True, "'postgres.<ref>' is Supabase's admin login through the pooler"
        return False, ""

    # -- sync rules ----------------------------------------------------------------------------------------

    def _sync(self) -> None:
        engine_of: dict[str, str] = {}
        for cfg in self.inputs.configs:
            for raw in cfg.connections:
                engine_of[cfg.path] = str(raw.values.get("type") or "postgresql")
        sources: list[tuple[str, SyncRules]] = [(p, r) for p, r in self.inputs.sync_rules.items()]
        sources += [("", r) for r in self.inputs.standalone_sync_rules]
        for cfg_path, rules in sources:
            engine = engine_of.get(cfg_path, "postgresql")
            for t in rules.tables:
                qualified = f"{t.schema}.{t.name}"
                self.sync_tables.append(
                    {
                        "key": f"sync:{qualified}{'%' if t.wildcard else ''}",
                        "schema": t.schema,
                        "name": t.name,
                        "qualified": qualified,
                        "wildcard": t.wildcard,
                        "schema_wildcard": t.schema_wildcard,
                        "definition": t.definition,
                        "engine": engine,
                        "config": cfg_path,
                        "origin": t.span.to_dict(),
                    }
                )
            for d in rules.definitions:
                self.c["sync_definitions"].append(
                    {
                        "key": f"syncdef:{rules.path}:{d.kind}:{d.name}",
                        "kind": d.kind,
                        "name": d.name,
                        "accept_dangerous": d.accept_dangerous,
                        "origin": (d.accept_span or d.span).to_dict(),
                    }
                )
        self.c["sync_tables"] = self.sync_tables

    def _sync_matches(self, table: str) -> bool:
        schema, _, name = table.partition(".")
        for t in self.sync_tables:
            if t["engine"] != "postgresql":
                continue
            schema_ok = t["schema"] == schema or (t["schema_wildcard"] and schema.startswith(t["schema"]))
            name_ok = name.startswith(t["name"]) if t["wildcard"] else name == t["name"]
            if schema_ok and name_ok:
                return True
        return False

    # -- roles ---------------------------------------------------------------------------------------------

    def _identify_roles(self, connections: list[ConnectionItem]) -> None:
        for conn in connections:
            user = conn.get("user")
            if not user or conn["engine"] != "postgresql":
                continue
            if conn["purpose"] == "storage":
                self.storage_roles.setdefault(user, []).append(f"the PowerSync storage user in {conn['config']}")
            elif conn["purpose"] == "source":
                self.cdc_roles.setdefault(user, []).append(f"the PowerSync replication user in {conn['config']}")
                self.cdc_logins.add(user)
            elif conn["purpose"] == "sync":
                continue  # Neosync copies with plain queries: no replication, so not a CDC role
            else:
                self.cdc_roles.setdefault(user, []).append(f"the user of {conn['path']}")
                self.cdc_logins.add(user)
        if self.db is None:
            return
        for role in self.db.roles.values():
            if role.attr("replication"):
                self.cdc_roles.setdefault(role.name, []).append("it has the REPLICATION attribute")
        for edge in self.db.edges.values():
            if edge.role == "rds_replication":
                self.cdc_roles.setdefault(edge.member, []).append("it is a member of rds_replication")

    def _unused_replication(self, role: str) -> bool:
        """A role that is a CDC role only because it has REPLICATION (or rds_replication), in a project where no
        consumer, publication or subscription shows that anything replicates: an admin or provider role (Supabase
        creates `postgres` and `supabase_admin` with REPLICATION). What only a consumer's login must not have is
        not known to be wrong for it."""
        by_attribute = {"it has the REPLICATION attribute", "it is a member of rds_replication"}
        if not set(self.cdc_roles.get(role, [])) <= by_attribute:
            return False
        db = self.db
        assert db is not None
        consumers = self.cdc_logins or self.c["debezium_connectors"] or self.inputs.clients
        sources = any(r.purpose == "source" for c in self.inputs.configs for r in c.connections)
        return not (consumers or sources or db.publications or db.subscriptions)

    def _roles(self) -> None:
        assert self.db is not None
        db = self.db
        for role in db.roles.values():
            esc = _escalation(db, role.name)
            member_of = _member_of(db, role.name)
            row_sec = role.settings.get("row_security")
            self.c["roles"].append(
                {
                    "key": f"role:{role.name}",
                    "name": role.name,
                    "defined": role.origin is not None,
                    "origin": span_dict(role.origin) or Span.point("", 1).to_dict(),
                    "superuser": role.attr("superuser"),
                    "replication": role.attr("replication"),
                    "login": role.attr("login"),
                    "bypassrls": role.attr("bypassrls"),
                    "createrole": role.attr("createrole"),
                    "createdb": role.attr("createdb"),
                    "inherit": role.attr("inherit"),
                    "superuser_origin": span_dict(role.attr_span("superuser") or role.origin),
                    "replication_origin": span_dict(role.attr_span("replication") or role.origin),
                    "login_origin": span_dict(role.attr_span("login") or role.origin),
                    "bypassrls_origin": span_dict(role.attr_span("bypassrls") or role.origin),
                    "createrole_origin": span_dict(role.attr_span("createrole") or role.origin),
                    "createdb_origin": span_dict(role.attr_span("createdb") or role.origin),
                    "rds_replication": ("rds_replication", role.name) in db.edges,
                    "row_security_off": bool(row_sec and row_sec[0] in ("off", "false", "0")),
                    "row_security_origin": span_dict(row_sec[1]) if row_sec else None,
                    "password": role.password[0] if role.password else None,
                    "member_of": member_of,
                    # Direct members: a NOLOGIN role with members is a group, judged through its members.
                    "members": sorted(e.member for e in db.memberships().by_group.get(role.name, ())),
                    # REPLICATION is never inherited (verified, RULES.md §10.1): named in messages only.
                    "replication_groups": [g for g in member_of if g in db.roles and db.roles[g].attr("replication")],
                    "config_login": role.name in self.cdc_logins,
                    "can_become_superuser": esc is not None,
                    "superuser_path": list(esc.path) if esc else [],
                    "superuser_reason": esc.reason if esc else "",
                    "superuser_via_origin": span_dict(esc.first_edge.span) if esc else None,
                    "is_cdc": role.name in self.cdc_roles,
                    "cdc_reasons": self.cdc_roles.get(role.name, []),
                    "is_storage": role.name in self.storage_roles,
                    "storage_reasons": self.storage_roles.get(role.name, []),
                }
            )
            self._superuser_grants(role, esc)
        for name in set(self.cdc_roles) | set(self.storage_roles):
            if name not in db.roles:
                db.role(name)  # referenced by config but not created here: attributes unknown
                self.c["roles"].append(
                    {
                        "key": f"role:{name}",
                        "name": name,
                        "defined": False,
                        "origin": Span.point("", 1).to_dict(),
                        "superuser": False,
                        "replication": False,
                        "login": False,
                        "bypassrls": False,
                        "createrole": False,
                        "createdb": False,
                        "inherit": True,
                        "superuser_origin": None,
                        "replication_origin": None,
                        "login_origin": None,
                        "bypassrls_origin": None,
                        "createrole_origin": None,
                        "createdb_origin": None,
                        "rds_replication": False,
                        "row_security_off": False,
                        "row_security_origin": None,
                        "password": None,
                        "member_of": [],
                        "members": [],
                        "replication_groups": [],
                        "config_login": name in self.cdc_logins,
                        "can_become_superuser": False,
                        "superuser_path": [],
                        "superuser_reason": "",
                        "superuser_via_origin": None,
                        "is_cdc": name in self.cdc_roles,
                        "cdc_reasons": self.cdc_roles.get(name, []),
                        "is_storage": name in self.storage_roles,
                        "storage_reasons": self.storage_roles.get(name, []),
                    }
                )

    def _superuser_grants(self, role: RoleState, esc: Escalation | None) -> None:
        """Every statement that, in the final state, gives `role` superuser power."""
        assert self.db is not None
        is_cdc, is_storage = role.name in self.cdc_roles, role.name in self.storage_roles
        if role.attr("superuser"):
            span = role.attr_span("superuser") or role.origin or Span.point("", 1)
            self.c["superuser_grants"].append(
                {
                    "key": f"superuser:{role.name}",
                    "role": role.name,
                    "is_cdc": is_cdc,
                    "is_storage": is_storage,
                    "kind": "attribute",
                    "via": "",
                    "target": "",
                    "path": [role.name],
                    "reason": "SUPERUSER attribute",
                    "origin": span.to_dict(),
                }
            )
        if esc is not None:
            self.c["superuser_grants"].append(
                {
                    "key": f"superuser-membership:{role.name}:{esc.target}",
                    "role": role.name,
                    "is_cdc": is_cdc,
                    "is_storage": is_storage,
                    "kind": "membership",
                    "via": esc.path[1],
                    "target": esc.target,
                    "path": list(esc.path),
                    "reason": esc.reason,
                    "origin": esc.first_edge.span.to_dict(),
                }
            )

    # -- privileges ----------------------------------------------------------------------------------------

    def _privileges(self) -> None:
        assert self.db is not None
        db = self.db
        grouped: dict[tuple[str, str, Span], _Grant] = {}
        for (grantee, objtype, obj, priv), span in db.privileges.items():
            if objtype == "table" and obj not in db.tables:
                continue
            grant = grouped.setdefault((grantee, objtype, span), _Grant(grantee, objtype, span))
            grant.add(obj, priv)
        grants = list(grouped.values())
        grants.extend(self._default_privilege_grants())
        # A GRANT ... ON ALL TABLES IN SCHEMA or ALTER DEFAULT PRIVILEGES also shows up per table; the
        # schema-wide item stands for the statement, so policies judge it once (`expanded` marks the copies).
        wide = {(g.role, g.span) for g in grants if g.objtype in ("schema_all", "default_privileges")}
        for g in grants:
            g.expanded = g.objtype == "table" and (g.role, g.span) in wide
        for edge in db.edges.values():
            grants.append(_Grant(edge.member, "role", edge.span, objects=[edge.role], privileges=["MEMBER"]))
        for role in db.roles.values():
            for attr in ("superuser", "replication", "bypassrls", "createrole", "createdb"):
                if role.attr(attr):
                    span = role.attr_span(attr) or role.origin or Span.point("", 1)
                    grants.append(_Grant(role.name, "attribute", span, privileges=[attr.upper()]))
        heirs_of: dict[str, list[str]] = {}
        items: list[PrivilegeItem] = []
        # Debezium's filtered mode creates the publication itself: CREATE on the database is then needed.
        publication_makers = {
            c["connection"].get("user")
            for c in self.c["debezium_connectors"]
            if c["publication_autocreate_mode"] == "filtered"
        }
        for g in grants:
            # Privileges (not attributes) of a group reach every member that inherits from it.
            if g.role not in heirs_of:
                heirs_of[g.role] = _inheritors(db, g.role)
            heirs = [] if g.objtype == "attribute" else heirs_of[g.role]
            objects = sorted(g.objects)
            qualified_objects = g.objtype in ("table", "sequence")
            items.append(
                {
                    "key": f"privilege:{g.role}:{g.objtype}:{','.join(objects)}:{','.join(sorted(g.privileges))}",
                    "role": g.role,
                    "objtype": g.objtype,
                    "objects": objects,
                    "privileges": g.privileges,
                    "origin": g.span.to_dict(),
                    "expanded": g.expanded,
                    "default_objtype": g.default_objtype,
                    "for_role": g.for_role,
                    "all_schemas": g.all_schemas,
                    "role_is_cdc": g.role in self.cdc_roles,
                    "role_replication_unused": g.role in self.cdc_roles and self._unused_replication(g.role),
                    "role_creates_publications": g.role in publication_makers,
                    "role_is_storage": g.role in self.storage_roles,
                    "inherited_by_cdc": [r for r in heirs if r in self.cdc_roles],
                    "inherited_by_storage": [r for r in heirs if r in self.storage_roles],
                    "schemas": sorted({o.split(".", 1)[0] if qualified_objects else o for o in objects}),
                }
            )
        self.c["privileges"] = items

    def _default_privilege_grants(self) -> list[_Grant]:
        """`ALTER DEFAULT PRIVILEGES` in force at the end: they grant on tables not created yet."""
        assert self.db is not None
        grouped: dict[tuple[str, Span, str | None, str], _Grant] = {}
        for d in self.db.default_privs:
            grant = grouped.setdefault(
                (d.grantee, d.span, d.for_role, d.objtype),
                _Grant(d.grantee, "default_privileges", d.span, default_objtype=d.objtype, for_role=d.for_role),
            )
            if d.schema is not None and d.schema not in grant.objects:
                grant.objects.append(d.schema)
            grant.all_schemas = d.schema is None or grant.all_schemas
            if d.privilege not in grant.privileges:
                grant.privileges.append(d.privilege)
        return list(grouped.values())

    def _can_select(self, role: str, table: TableState) -> tuple[bool, bool]:
        assert self.db is not None
        return can_select(self.db, role, table)

    def _select_history(self, role: str, table: TableState) -> _History:
        """Why a SELECT or USAGE is missing: the statements that look as if they grant it but do not.

        A REVOKE that cleared it; a `GRANT ... ON ALL TABLES IN SCHEMA` that ran before the table existed;
        an `ALTER DEFAULT PRIVILEGES` for another creator (or written after the table was created).
        """
        assert self.db is not None
        db = self.db
        holders = _inherited_privilege_holders(db, role)
        revoked = next(
            (db.revoked[k] for h in holders if (k := (h, "table", table.name, "SELECT")) in db.revoked), None
        )
        usage_revoked = next(
            (db.revoked[k] for h in holders if (k := (h, "schema", table.schema, "USAGE")) in db.revoked),
            None,
        )
        all_tables = next(
            (db.privileges[k] for h in holders if (k := (h, "schema_all", table.schema, "SELECT")) in db.privileges),
            None,
        )
        default = next(
            (
                d
                for d in db.default_privs
                if d.grantee in holders
                and d.objtype == "table"
                and d.privilege == "SELECT"
                and d.schema in (None, table.schema)
            ),
            None,
        )
        return _History(
            revoked,
            usage_revoked,
            all_tables,
            default.span if default else None,
            default.for_role if default else None,
            # Default privileges that would match this table's creator were written after the table existed.
            bool(default and default_applies(db, default.for_role, table.creator)),
        )

    # -- tables, publications ------------------------------------------------------------------------------

    def _tables_and_publications(self, connections: list[ConnectionItem]) -> None:
        assert self.db is not None
        db = self.db
        pub_tables = {name: db.publication_tables(p) for name, p in db.publications.items()}
        cdc_pubs = self._cdc_publications(connections)
        cdc_tables: set[str] = set()
        for name in cdc_pubs:
            cdc_tables.update(pub_tables.get(name, {}))
        group_of_cdc = {r: _member_of(db, r) for r in self.cdc_roles}
        for table in db.tables.values():
            pubs = sorted(n for n, ts in pub_tables.items() if table.name in ts)
            owner = table.owner[0]
            owned_by_cdc = None
            if owner is not None:
                for cdc, groups in group_of_cdc.items():
                    if owner == cdc or owner in groups:
                        owned_by_cdc = cdc
                        break
            in_sync = self._sync_matches(table.name)
            self.c["tables"].append(
                {
                    "key": f"table:{table.name}",
                    "name": table.name,
                    "schema": table.schema,
                    "origin": table.origin.to_dict(),
                    "has_pk": table.has_pk,
                    "replica_identity": table.replica_identity[0] if table.replica_identity else "d",
                    "replica_identity_origin": span_dict(table.replica_identity[1] if table.replica_identity else None),
                    "identity_changed_while_published": span_dict(table.identity_changed_while_published),
                    "rls": self._rls_state(table),
                    "rls_origin": self._rls_origin(table).to_dict(),
                    "forced_rls": bool(table.forced and table.forced[0]),
                    "owner": owner,
                    "owner_origin": table.owner[1].to_dict(),
                    "owned_by_cdc": owned_by_cdc,
                    "policies": [name for name, _ in table.policies],
                    "policy_origin": table.policies[0][1].to_dict() if table.policies else None,
                    "publications": pubs,
                    "replicated": bool(pubs) or in_sync,
                    "in_sync": in_sync,
                }
            )
            for pub_name in pubs:
                pub = db.publications[pub_name]
                ops = pub.publish[0]
                partial = pub.partial.get(table.name)
                self.c["published_tables"].append(
                    {
                        "row_filter": bool(partial and partial[0].row_filter),
                        "columns": list(partial[0].columns) if partial and partial[0].columns else None,
                        "partial_origin": partial[1].to_dict() if partial else None,
                        "snapshot_consumers": [c for c in cdc_pubs.get(pub_name, []) if _own_snapshot(c)],
                        "key": f"published:{pub_name}:{table.name}",
                        "table": table.name,
                        "publication": pub_name,
                        "publishes_update_delete": "update" in ops or "delete" in ops,
                        "publish": list(ops),
                        "has_pk": table.has_pk,
                        "replica_identity": table.replica_identity[0] if table.replica_identity else "d",
                        "replica_identity_origin": span_dict(
                            table.replica_identity[1] if table.replica_identity else None
                        ),
                        "origin": (
                            table.replica_identity[1]
                            if table.replica_identity and table.replica_identity[0] in ("n",)
                            else table.origin
                        ).to_dict(),
                        "table_origin": table.origin.to_dict(),
                        "pk_dropped_origin": span_dict(table.pk_dropped),
                        "publication_origin": pub_tables[pub_name][table.name].to_dict(),
                        "identity_changed_while_published": span_dict(table.identity_changed_while_published),
                    }
                )
        replication_logins = sorted(self.cdc_roles)
        for name, pub in db.publications.items():
            tables = pub_tables[name]
            exposed = sorted(t for t in tables if t not in cdc_tables)
            ops = pub.publish[0]
            self.c["publications"].append(
                {
                    "key": f"publication:{name}",
                    "name": name,
                    "declared": pub.declared,
                    "origin": pub.origin.to_dict(),
                    "all_tables": pub.all_tables,
                    "schemas": sorted(pub.schemas),
                    "tables": sorted(tables),
                    # What to name instead of FOR ALL TABLES / TABLES IN SCHEMA: the tables the sync rules read,
                    # never every table (that would publish sessions and secrets tables by name).
                    "suggested_tables": (
                        sorted(t for t in tables if self._sync_matches(t))
                        if pub.all_tables or pub.schemas
                        else sorted(tables)
                    ),
                    "publish": list(ops),
                    "missing_ops": [op for op in PUBLISH_ALL if op not in ops],
                    "publish_origin": (pub.publish[1] or pub.origin).to_dict(),
                    "via_root": pub.via_root[0],
                    "via_root_origin": (pub.via_root[1] or pub.origin).to_dict(),
                    # Where FOR ALL TABLES / TABLES IN SCHEMA was written (CREATE, or a later ALTER ... ADD).
                    "wide_origin": span_dict(pub.origin if pub.all_tables else next(iter(pub.schemas.values()), None)),
                    "is_cdc_publication": name in cdc_pubs,
                    "consumers": cdc_pubs.get(name, []),
                    "cdc_publications": sorted(cdc_pubs),
                    "exposed_tables": exposed,
                    "replication_logins": replication_logins,
                }
            )
        self._coverage(connections, pub_tables)
        self._cdc_access(connections, pub_tables)
        self._debezium_publications(pub_tables)

    def _debezium_publications(self, pub_tables: dict[str, dict[str, Span]]) -> None:
        """What the migrations say about each pgoutput connector's publication and captured tables."""
        assert self.db is not None
        if not self.db.publications and not self.db.dropped_publications:
            return  # publications are managed elsewhere: nothing to compare with
        for item in self.c["debezium_connectors"]:
            name = item["publication_name"]
            pub = self.db.publications.get(name)
            item["publication_declared"] = pub is not None
            item["publication_origin"] = pub.origin.to_dict() if pub is not None else None
            tables = pub_tables.get(name, {})
            captured = [_qualify(t) for t in item["table_include_list"] if not _is_regex(t)]
            item["publication_missing_tables"] = (
                [t for t in captured if t not in tables] if pub is not None and not pub.all_tables else []
            )

    def _cdc_publications(self, connections: list[ConnectionItem]) -> dict[str, list[str]]:
        """Publication name -> the consumers that stream it (named as `_own_snapshot` reads them)."""
        assert self.db is not None
        out: dict[str, list[str]] = {}
        for conn in connections:
            if _powersync_pg_source(conn):
                out.setdefault("powersync", []).append(f"PowerSync ({conn['config']})")
        for sub in self.db.subscriptions.values():
            for pub in sub.publications:
                out.setdefault(pub, []).append(f"subscription {sub.name}")
        for item in self.c["debezium_connectors"]:
            if item["plugin_name"] == "pgoutput":
                out.setdefault(item["publication_name"], []).append(f"Debezium connector {item['name']}")
        for client in self.inputs.clients:
            drasi_pub = client.extra.get("publication")
            if drasi_pub is not None and drasi_pub.value:
                out.setdefault(drasi_pub.value, []).append(f"Drasi source {client.name}")
        if "powersync" in self.db.publications and "powersync" not in out:
            # PowerSync can only stream a publication of this exact name, so it is the CDC publication even
            # when the PowerSync config is not part of the linted files.
            out["powersync"] = ["PowerSync (the publication name it requires)"]
        return out

    def _rls_state(self, table: TableState) -> bool:
        # As PostgreSQL: policies apply only once RLS is enabled. A CREATE POLICY alone filters nothing
        # (RULES.md took it for enabled; the server says otherwise).
        return table.rls is not None and table.rls[0] == "enable"

    def _rls_origin(self, table: TableState) -> Span:
        return table.rls[1] if table.rls is not None else table.origin

    def _coverage(self, connections: list[ConnectionItem], pub_tables: dict[str, dict[str, Span]]) -> None:
        assert self.db is not None
        pub = self.db.publications.get("powersync")
        if pub is None or not any(_powersync_pg_source(c) for c in connections):
            return
        carried = pub_tables["powersync"]
        for t in self.sync_tables:
            if t["engine"] != "postgresql":
                continue
            if t["wildcard"] or t["schema_wildcard"]:
                covered = (
                    pub.all_tables
                    or t["schema"] in pub.schemas
                    or any(name.startswith(f"{t['schema']}.{t['name']}") for name in carried)
                )
            else:
                covered = pub.all_tables or t["schema"] in pub.schemas or t["qualified"] in carried
            if not covered:
                self.c["sync_coverage"].append(
                    {
                        "key": f"coverage:missing:{t['qualified']}",
                        "kind": "missing",
                        "table": t["qualified"],
                        "tables": [t["qualified"]],
                        "tables_shown": t["qualified"],
                        "wildcard": t["wildcard"],
                        "publication": "powersync",
                        "origin": t["origin"],
                        "publication_origin": pub.origin.to_dict(),
                        "removed_origin": span_dict(pub.removed.get(t["qualified"])),
                    }
                )
        # Unused tables of a FOR ALL TABLES / TABLES IN SCHEMA publication are that publication's finding (which
        # names the tables to keep); those of a table list are one finding that names them.
        if not self.sync_tables or pub.all_tables or pub.schemas:
            return
        unused = [(table, span) for table, span in sorted(carried.items()) if not self._sync_matches(table)]
        if unused:
            self.c["sync_coverage"].append(
                {
                    "key": f"coverage:unused:{unused[0][0]}",
                    "kind": "unused",
                    "table": unused[0][0],
                    "tables": [table for table, _ in unused],
                    "tables_shown": listed([table for table, _ in unused]),
                    "wildcard": False,
                    "publication": "powersync",
                    "origin": unused[0][1].to_dict(),
                    "publication_origin": pub.origin.to_dict(),
                    "removed_origin": None,
                }
            )

    def _cdc_access(self, connections: list[ConnectionItem], pub_tables: dict[str, dict[str, Span]]) -> None:
        assert self.db is not None
        db = self.db
        needs: dict[str, dict[str, str]] = {}  # role -> table -> why
        for conn in connections:
            user = conn.get("user")
            if not user or conn["engine"] != "postgresql" or conn["purpose"] != "source":
                continue
            wanted = dict.fromkeys(pub_tables.get("powersync", {}), "it is in publication powersync")
            for t in db.tables:
                if self._sync_matches(t):
                    wanted.setdefault(t, "the sync rules read it")
            needs.setdefault(user, {}).update(wanted)
        for sub in db.subscriptions.values():
            user = sub.conninfo.user
            if not user:
                continue
            for pub in sub.publications:
                for t in pub_tables.get(pub, {}):
                    needs.setdefault(user, {}).setdefault(t, f"subscription {sub.name} replicates publication {pub}")
        for role, tables in needs.items():
            if role not in db.roles or db.roles[role].origin is None:
                continue
            state = db.roles[role]
            for name, why in sorted(tables.items()):
                table = db.tables.get(name)
                if table is None:
                    continue
                select, usage = self._can_select(role, table)
                history = self._select_history(role, table)
                self.c["cdc_table_access"].append(
                    {
                        "key": f"access:{role}:{name}",
                        "role": role,
                        "table": name,
                        "schema": table.schema,
                        "can_select": select or state.attr("superuser"),
                        "schema_usage": usage or state.attr("superuser"),
                        "needed_because": why,
                        "origin": table.origin.to_dict(),
                        "role_origin": (state.origin or table.origin).to_dict(),
                        "select_revoked_origin": span_dict(history.select_revoked),
                        "usage_revoked_origin": span_dict(history.usage_revoked),
                        "all_tables_grant_origin": span_dict(history.all_tables_grant),
                        "default_grant_origin": span_dict(history.default_grant),
                        "default_grant_for_role": history.default_grant_for_role,
                        "default_grant_after_table": history.default_grant_after_table,
                        "table_creator": table.creator,
                    }
                )

    # -- subscriptions -------------------------------------------------------------------------------------

    def _subscriptions(self) -> None:
        assert self.db is not None
        for sub in self.db.subscriptions.values():
            opts = sub.options
            run_as_owner, rao_origin = _sub_flag(sub, "run_as_owner", False)
            password_required, pr_origin = _sub_flag(sub, "password_required", True)
            slot = opts.get("slot_name")
            self.c["subscriptions"].append(
                {
                    "key": f"subscription:{sub.name}",
                    "name": sub.name,
                    "origin": sub.origin.to_dict(),
                    "run_as_owner": run_as_owner,
                    "run_as_owner_origin": rao_origin,
                    "password_required": password_required,
                    "password_required_origin": pr_origin,
                    "slot_name": slot[0] if slot else sub.name,
                    "publications": list(sub.publications),
                    "user": sub.conninfo.user,
                }
            )

    def _committed_secrets(self) -> None:
        """Every password written in a migration, even one a later statement replaced: it stays in git."""
        assert self.db is not None
        for kind, name, how, span in self.db.committed_secrets:
            role_password = kind == "role-password"
            self.c["secrets"].append(
                _secret_item(
                    f"{'sql-password' if role_password else 'conninfo-password'}:{name}:{span.path}",
                    "sql",
                    f"the password of role {name}"
                    if role_password
                    else f"the password in the CONNECTION string of subscription {name}",
                    span,
                    literal=how == "literal",
                    hashed=how == "hashed",
                    detail=name,
                )
            )

    # -- RLS -----------------------------------------------------------------------------------------------

    def _rls(self, connections: list[ConnectionItem]) -> None:
        """Per consumer and table with row security: what the consumer's login would see.

        PowerSync ignores `options=` in its URI (it sends fixed startup parameters), so only BYPASSRLS or a
        role-level `row_security = off` help it; libpq clients can pass `options=-crow_security=off`.
        """
        assert self.db is not None
        db = self.db
        pub_tables = {name: db.publication_tables(p) for name, p in db.publications.items()}
        for conn in connections:
            user = conn.get("user")
            if not user or conn["engine"] != "postgresql" or conn["purpose"] == "storage":
                continue
            if conn["client"] == "powersync":
                tables = [t for t in pub_tables.get("powersync", {}) if self._sync_matches(t)]
            else:
                sub = db.subscriptions.get(conn["key"].split(":", 1)[1])
                tables = sorted({t for p in (sub.publications if sub else ()) for t in pub_tables.get(p, {})})
            role = db.roles.get(user)
            per_table: list[ExposureItem] = []
            for name in sorted(tables):
                table = db.tables.get(name)
                if table is None or not self._rls_state(table):
                    continue
                superuser = bool(role and role.attr("superuser"))
                bypass = bool(role and role.attr("bypassrls"))
                owner = table.owner[0] == user and not (table.forced and table.forced[0])
                row_sec = role.settings.get("row_security") if role else None
                per_table.append(
                    {
                        "key": f"rls:{conn['key']}:{name}",
                        "client": conn["client"],
                        "connection": conn["path"],
                        "config": conn["config"],
                        "role": user,
                        "role_defined": bool(role and role.origin),
                        "table": name,
                        "tables": [name],  # one cause, many tables: _group_by_cause lists them
                        "tables_shown": name,
                        "superuser": superuser,
                        "bypassrls": bypass,
                        "owner": owner,
                        "role_row_security_off": bool(row_sec and row_sec[0] in ("off", "false", "0")),
                        "row_security_option": conn["row_security_option"],
                        "uri_options": conn.get("uri_options"),
                        "origin": self._rls_origin(table).to_dict(),
                        "connection_origin": conn["origin"],
                        "role_origin": span_dict(role.origin if role else None),
                        "observed": "",
                    }
                )
            self.c["rls_exposures"].extend(_group_by_cause(per_table))

    # -- settings, storage pairs, slots ---------------------------------------------------------------------

    def _settings(self, connections: list[ConnectionItem]) -> None:
        # Values are masked: `primary_conninfo` carries the standby's password, and any policy (a user's too)
        # could print `setting.value`; no built-in policy reads a password out of a setting.
        system = self.db.system if self.db is not None else {}
        for conf in self.inputs.pgconfs:
            for name, setting in pgconf.effective(conf).items():
                self.c["settings"].append(
                    {
                        "key": f"setting:{conf.path}:{name}",
                        "name": name,
                        "value": mask_setting(name, setting.value),
                        "source": setting.file,
                        "origin": setting.span.to_dict(),
                    }
                )
        for name, (value, span) in system.items():
            self.c["settings"].append(
                {
                    "key": f"setting:{name}",
                    "name": name,
                    "value": mask_setting(name, value),
                    "source": "ALTER SYSTEM",
                    "origin": span.to_dict(),
                }
            )
        providers = {c["provider"] for c in connections if c["engine"] == "postgresql" and c["purpose"] != "storage"}
        provider = next(iter(providers)) if len(providers) == 1 else None
        self.c["server_configs"] = model_conf.server_configs(
            self.inputs.pgconfs, system, _consumers(connections), provider
        )

    def _storage_pairs(self, connections: list[ConnectionItem]) -> None:
        storages = [c for c in connections if c["purpose"] == "storage"]
        sources = [c for c in connections if c["purpose"] == "source"]
        for st in storages:
            for src in sources:
                if src["config"] != st["config"] or src["engine"] != st["engine"]:
                    continue
                same, how = _same_server(src, st)
                same_db = src.get("database") is not None and src.get("database") == st.get("database")
                self.c["storage_pairs"].append(
                    {
                        "key": f"pair:{st['config']}:{src['path']}",
                        "engine": st["engine"],
                        "source": src,
                        "storage": st,
                        "same_server": same,
                        "how": how,
                        "same_database": same_db,
                        "origin": st["origin"],
                        "source_origin": src["origin"],
                    }
                )

    def _slots(self, connections: list[ConnectionItem]) -> None:
        """Slot and publication clashes on one server: duplicate slots, PowerSync's prefix and publication."""
        if self.db is None:
            return
        subs = [c for c in self.c["subscriptions"]]
        by_slot: dict[str, SubscriptionItem] = {}
        ps_prefixes = [
            c
            for c in connections
            if c["client"] == "powersync" and c["purpose"] == "source" and c["engine"] == "postgresql"
        ]
        sub_conns = {c["key"]: c for c in connections if c["purpose"] == "subscription"}
        for sub in subs:
            conn = sub_conns.get(f"subscription:{sub['name']}")
            server = ",".join(conn["endpoints"] or []) if conn else ""
            ident = (server, sub["slot_name"])  # slot names are unique per cluster, not per database
            key = "|".join(str(x) for x in ident)
            if key in by_slot:
                self.c["slot_collisions"].append(
                    _collision(
                        key=f"slot:{sub['slot_name']}:{server}",
                        kind="duplicate",
                        slot=sub["slot_name"],
                        first=f"subscription {by_slot[key]['name']}",
                        second=f"subscription {sub['name']}",
                        subscription=sub["name"],
                        slot_key="slot_name",
                        origin=sub["origin"],
                        other_origin=by_slot[key]["origin"],
                    )
                )
            else:
                by_slot[key] = sub
            for ps in ps_prefixes:
                if (
                    conn
                    and set(ps["endpoints"] or []) & set(conn["endpoints"] or [])
                    and sub["slot_name"].startswith(ps["slot_name_prefix"])
                ):
                    self.c["slot_collisions"].append(
                        _with_powersync(sub, f"slot-prefix:{sub['slot_name']}", "powersync-prefix", ps["origin"])
                    )
            # Only a subscription to PowerSync's own source server shares its publication; a publication named
            # powersync on another server is a different object.
            sharing = [
                ps
                for ps in ps_prefixes
                if conn
                and set(ps["endpoints"] or []) & set(conn["endpoints"] or [])
                and ps.get("database") in (None, conn.get("database"))
            ]
            if "powersync" in sub["publications"] and sharing:
                self.c["slot_collisions"].append(
                    _with_powersync(
                        sub, f"publication-powersync:{sub['name']}", "publication-powersync", sharing[0]["origin"]
                    )
                )

    def _live(self, connections: list[ConnectionItem]) -> None:
        """Observed facts (`--live`) into the same collections the static facts feed, plus the live-only ones."""
        observed = self.inputs.live
        if observed is None:
            return
        self.c["live_status"] = model_live.status_items(observed)
        roles = {r["name"]: r for r in self.c["roles"]}
        pubs = {p["name"]: p for p in self.c["publications"] if p.get("declared", True)}
        sync = {t["qualified"] for t in self.sync_tables if t["engine"] == "postgresql" and not t["wildcard"]}
        for obs in observed:
            if obs.mongo is not None and obs.mongo.reachable:
                self._live_mongo(obs, connections)
            pg = obs.pg
            if pg is None or not pg.reachable:
                continue
            conn = _observed_connection(connections, obs, "postgresql")
            if conn is not None:
                conn["observed_identity"] = model_live.identity(pg)
                conn["observed_display"] = obs.display
            described = f"the live {obs.role} server {obs.display}"
            if obs.role == "source":
                consumers = _consumers(connections)
                provider = conn.get("provider") if conn else None
                if pg.settings is not None:  # not read (refused, timed out): nothing is "not set"
                    self.c["server_configs"].append(
                        model_conf.observed_config(
                            pg.settings, described, _span(model_live.origin_of(obs)), consumers, provider
                        )
                    )
                self.c["rls_exposures"].extend(model_live.rls_items(obs, pg, conn, sync))
                publication = model_live.publication_item(obs, pg, sync)
                if publication is not None:
                    self.c["live_publications"].append(publication)
                self.c["live_slots"].extend(model_live.slot_items(obs, pg))
                self.c["live_tables"].extend(model_live.table_items(obs, pg, sync))
            item = model_live.role_item(obs, pg, bool(conn and conn.get("provider") == "rds"))
            if item is not None and obs.role == "source":
                self.c["live_roles"].append(item)
            self.c["drift"].extend(model_live.drift_items(obs, pg, roles, pubs))

    def _live_mongo(self, obs: Observed, connections: list[ConnectionItem]) -> None:
        """A live MongoDB: topology and version, the login's privileges, collection options (RULES.md §8)."""
        mg = obs.mongo
        assert mg is not None
        conn = _observed_connection(connections, obs, "mongodb")
        origin = _span(model_live.origin_of(obs))
        mode = (conn.get("post_images") if conn else None) or "off"
        self.c["live_mongo"].append(
            {
                "key": f"live-mongo:{obs.role}:{obs.display}",
                "target": obs.role,
                "display": obs.display,
                "standalone": mg.set_name is None and not mg.is_mongos and not mg.documentdb,
                "sharded": mg.is_mongos and not mg.documentdb,
                "documentdb": mg.documentdb,
                "version": ".".join(str(v) for v in mg.version) if mg.version else None,
                "version_below_6": bool(mg.version and mg.version < (6, 0)),
                "post_images": mode,
                "auth_disabled": mg.auth_enabled is False,
                "origin": origin.to_dict(),
            }
        )
        if obs.role != "source":
            return
        db = mg.database or (conn.get("database") if conn else None) or None
        # Unqualified sync-rules names mean the connection's database; when that was unknown statically (an
        # unresolved !env URI) they were filed under mongosh's default `test`, and the server now says which it is.
        unknown_db = conn is None or conn.get("database") is None
        names = sorted(
            {
                t["name"]
                for t in self.sync_tables
                if t["engine"] == "mongodb" and (t["schema"] == db or (unknown_db and t["schema"] == "test"))
            }
        )
        item = model_mongo.observed_user_item(mg, origin, db=db, collections=names, post_images=mode, connection=conn)
        if item is not None:
            self.c["mongo_users"].append(item)
        if mode == "read_only" and db is not None:
            for name in names:
                if mg.collections.get(name) is not True:
                    self.c["mongo_post_images"].append(
                        {
                            "key": f"post-images-live:{obs.display}:{name}",
                            "kind": "not-enabled-live",
                            "user": mg.user or "",
                            "mode": mode,
                            "db": db,
                            "collections": [name],
                            "declared": name in mg.collections,
                            "via_dbadmin": False,
                            "collection_origin": None,
                            "display": obs.display,
                            "origin": origin.to_dict(),
                            "connection_origin": origin.to_dict(),
                        }
                    )

    def _debezium_slots(self, connections: list[ConnectionItem]) -> None:
        """Debezium slots on one server and database: duplicates, PowerSync's prefix, PowerSync's publication."""
        by_slot: dict[str, dict[str, Any]] = {}
        powersync = [c for c in connections if _powersync_pg_source(c)]
        for item in self._slot_holders(connections):
            conn = item["connection"]
            server = ",".join(conn["endpoints"] or [conn.get("identity_env") or "?"])
            ident = f"{server}|{item['slot_name']}"  # slot names are unique per cluster, not per database
            slot_where = item["slot_name_origin"]
            # Two definitions of one Kafka Connect connector are no clash: deploying one replaces the other.
            if ident in by_slot and not _one_connector(by_slot[ident], item):
                first = by_slot[ident]
                self.c["slot_collisions"].append(
                    _collision(
                        key=f"slot:{item['slot_name']}:{server}",
                        kind="duplicate",
                        slot=item["slot_name"],
                        slot_default=not item["slot_name_explicit"],
                        **_distinct_names(first, item),
                        subscription=None,
                        slot_key="slot.name",
                        origin=slot_where,
                        other_origin=first["slot_name_origin"],
                    )
                )
            else:
                by_slot[ident] = item
            for ps in powersync:
                shared = set(ps["endpoints"] or []) & set(conn["endpoints"] or [])
                if shared and item["slot_name"].startswith(ps["slot_name_prefix"]):
                    self.c["slot_collisions"].append(
                        _collision(
                            key=f"slot-prefix:{item['slot_name']}",
                            kind="powersync-prefix",
                            slot=item["slot_name"],
                            first="PowerSync",
                            second=item["name"],
                            subscription=None,
                            slot_key="slot.name",
                            origin=slot_where,
                            other_origin=ps["origin"],
                        )
                    )
            if item["publication_name"] == "powersync" and any(
                set(ps["endpoints"] or []) & set(conn["endpoints"] or [])
                and ps.get("database") in (None, conn.get("database"))
                for ps in powersync
            ):
                self.c["slot_collisions"].append(
                    _collision(
                        key=f"publication-powersync:{item['name']}",
                        kind="publication-powersync",
                        slot=item["slot_name"],
                        first="PowerSync",
                        second=item["name"],
                        subscription=None,
                        slot_key="publication.name",
                        origin=item["publication_name_origin"],
                        other_origin=powersync[0]["origin"],
                    )
                )

    def _slot_holders(self, connections: list[ConnectionItem]) -> list[dict[str, Any]]:
        """Debezium connectors and Drasi sources with their slot and publication names (defaults filled in)."""
        out = [{**item, "name": f"Debezium connector {item['name']}"} for item in self.c["debezium_connectors"]]
        by_key = {c["key"]: c for c in connections}
        for client in self.inputs.clients:
            slot, pub = client.extra.get("slot"), client.extra.get("publication")
            conn = by_key.get(f"{client.product}:{client.path}:{client.name}")
            if slot is None or slot.value is None or conn is None:
                continue
            out.append(
                {
                    "name": f"Drasi source {client.name}",
                    "connection": conn,
                    "slot_name": slot.value,
                    "slot_name_explicit": False,
                    "slot_name_origin": slot.span.to_dict(),
                    "publication_name": pub.value if pub is not None and pub.value else "",
                    "publication_name_origin": (pub.span if pub is not None else slot.span).to_dict(),
                }
            )
        return out

    def _client_secrets(self) -> None:
        """Clear-text passwords in Debezium, Drasi and Neosync files and in MongoDB setup scripts."""
        fixes = {
            "debezium": "use a Kafka config provider reference such as "
            "${file:/opt/kafka/secrets/pg.properties:password} (or ${env:PG_PASSWORD}) and rotate the exposed password",
            "drasi": "reference a Kubernetes Secret (password: {kind: Secret, name: ..., key: ...}) and rotate the "
            "exposed password",
            "neosync": "use urlFromEnv with a USER_DEFINED_ variable, or enter the password in Neosync instead of "
            "committing it, and rotate it",
            "mongo": "use passwordPrompt() or process.env.<NAME> in the script and rotate the exposed password",
        }
        for connector in self.inputs.debezium:
            for key, setting in connector.settings.items():
                if not debezium.is_secret_key(key) or not setting.value or debezium.is_config_reference(setting.value):
                    continue
                self._secret("debezium", f"Debezium connector {connector.name}: {key}", setting.span, fixes["debezium"])
        for client in self.inputs.clients:
            product = "Drasi source" if client.product == "drasi" else "Neosync connection"
            if client.password is not None and client.password.value:
                self._secret(
                    client.product,
                    f"{product} {client.name}: the password",
                    client.password.span,
                    fixes[client.product],
                )
            url = client.url.value if client.url is not None else None
            if url and conninfo.parse(url).has_password and client.url is not None:
                self._secret(
                    client.product,
                    f"{product} {client.name}: the URL",
                    client.url.span,
                    fixes[client.product],
                    embedded=True,
                )
        state = self.inputs.mongo
        if state is not None:
            for user in state.users.values():
                if user.password_literal:
                    self._secret(
                        "mongo",
                        f"the password of MongoDB user {user.name}",
                        user.password_span or user.origin,
                        fixes["mongo"],
                    )

    def _secret(self, source: str, where: str, span: Span, fix: str, *, embedded: bool = False) -> None:
        self.c["secrets"].append(
            _secret_item(f"{source}-secret:{where}:{span.path}", source, where, span, fix=fix, embedded=embedded)
        )

    # -- pg_hba.conf ---------------------------------------------------------------------------------------

    def _member_of(self, user: str, group: str) -> model_hba.Tri:
        """Is `user` a member of `group` according to the migrations? Unknown users are a maybe."""
        db = self.db
        if db is None or user not in db.roles:
            return "maybe"
        if user == group or group in _member_of(db, user):
            return "yes"
        return "no"

    def _hba(self, connections: list[ConnectionItem]) -> None:
        files = self.inputs.hbas
        if not files:
            return
        logical_users = {c["user"] for c in connections if c.get("user") and c["purpose"] in model_hba.LOGICAL_PURPOSES}
        subjects = [
            model_hba.Subject(name, "cdc", "; ".join(why), name in logical_users)
            for name, why in self.cdc_roles.items()
        ]
        subjects += [
            model_hba.Subject(name, "storage", "; ".join(why), False)
            for name, why in self.storage_roles.items()
            if name not in self.cdc_roles
        ]
        ssl_off = next(
            (
                SslOff(path=s["path"], origin=s["ssl_origin"], explicit=s["ssl_explicit"])
                for s in self.c["server_configs"]
                if s["ssl"] is False
            ),
            None,
        )
        self.c["hba_records"] = model_hba.record_items(files, subjects, self._member_of, ssl_off)
        self.c["hba_users"] = model_hba.user_items(files, subjects, self._member_of)
        self.c["hba_admissions"] = model_hba.admission_items(files, connections, self._member_of)

    # -- MongoDB -------------------------------------------------------------------------------------------

    def _mongo(self, connections: list[ConnectionItem]) -> None:
        state = self.inputs.mongo
        if state is None:
            return
        for p in state.problems:
            self.c["parse_errors"].append(
                {
                    "key": f"mongo:{p.span.path}:{p.message}",
                    "kind": p.kind,
                    "message": p.message,
                    "origin": p.span.to_dict(),
                    "powersync_config": False,
                }
            )
        sources = [c for c in connections if c["engine"] == "mongodb" and c["purpose"] == "source"]
        names = [c["user"] for c in sources if c["user"]]
        conn = sources[0] if sources else None
        db = (conn.get("database") if conn else None) or _mongo_sync_db(self.sync_tables)
        collections = sorted(
            {t["name"] for t in self.sync_tables if t["engine"] == "mongodb" and t["schema"] == db and t["name"]}
        )
        origins = {t["name"]: t["origin"] for t in self.sync_tables if t["engine"] == "mongodb" and t["schema"] == db}
        for key, why in model_mongo.judged_users(state, names):
            item = model_mongo.user_item(
                state,
                key,
                why=why,
                db=db,
                collections=collections,
                post_images=conn.get("post_images") if conn else None,
                connection=conn,
            )
            self.c["mongo_users"].append(item)
            self.c["mongo_post_images"].extend(model_mongo.post_image_items(state, item, origins))


def _collision(
    *,
    key: str,
    kind: str,
    slot: str,
    first: str,
    second: str,
    origin: Origin,
    other_origin: Origin,
    slot_key: str,
    subscription: str | None = None,
    slot_default: bool = False,
) -> CollisionItem:
    """Two consumers that would share one replication slot (or PowerSync's prefix or publication)."""
    return {
        "key": key,
        "kind": kind,
        "slot": slot,
        "slot_key": slot_key,
        "slot_default": slot_default,
        "first": first,
        "second": second,
        "subscription": subscription,
        "origin": origin,
        "other_origin": other_origin,
    }


def _observed_connection(connections: list[ConnectionItem], obs: Observed, engine: str) -> ConnectionItem | None:
    """The PowerSync connection a live observation probed (its config, source or storage, engine)."""
    return next(
        (
            c
            for c in connections
            if c["client"] == "powersync"
            and c["config"] == obs.config
            and c["purpose"] == obs.role
            and c["engine"] == engine
        ),
        None,
    )


def _with_powersync(sub: SubscriptionItem, key: str, kind: str, powersync_origin: Origin) -> CollisionItem:
    """A subscription that clashes with PowerSync on its server (its slot prefix, or its publication)."""
    return _collision(
        key=key,
        kind=kind,
        slot=sub["slot_name"],
        first="PowerSync",
        second=f"subscription {sub['name']}",
        subscription=sub["name"],
        slot_key="slot_name",
        origin=sub["origin"],
        other_origin=powersync_origin,
    )


def _secret_item(
    key: str,
    source: str,
    where: str,
    span: Span,
    *,
    literal: bool = True,
    hashed: bool = False,
    detail: str | None = None,
    fix: str = "",
    embedded: bool = False,
) -> SecretItem:
    return {
        "key": key,
        "kind": "secret",
        "source": source,
        "where": where,
        "detail": where if detail is None else detail,
        "literal": literal,
        "hashed": hashed,
        "embedded": embedded,
        "fix": fix,
        "config": span.path,
        "origin": span.to_dict(),
    }


def _qualify(table: str) -> str:
    """Debezium's table.include.list entries are schema.table (unqualified means public), case folded."""
    table = table.strip().lower()
    return table if "." in table else f"public.{table}"


def _is_regex(entry: str) -> bool:
    """table.include.list entries are regular expressions; only plain names can be compared with a publication."""
    return any(ch in entry for ch in "*+?[](){}|^$\\")


def _mongo_sync_db(sync_tables: list[SyncTableItem]) -> str | None:
    dbs = {t["schema"] for t in sync_tables if t["engine"] == "mongodb"}
    return next(iter(dbs)) if len(dbs) == 1 else None


def _consumers(connections: list[ConnectionItem]) -> list[model_conf.Consumer]:
    """Slot and WAL-sender demand on the source server (RULES.md conf-replication-capacity)."""
    out: list[model_conf.Consumer] = []
    for c in connections:
        if c["engine"] != "postgresql":
            continue
        origin = _span(c["origin"])
        if _powersync_pg_source(c):
            # one slot per instance plus one while a new sync config is deployed, both streaming meanwhile
            out.append(model_conf.Consumer(f"PowerSync ({c['config']}): 2", 2, 2, origin))
        elif c["purpose"] in ("subscription", "cdc"):
            out.append(model_conf.Consumer(f"{c['path']}: 1", 1, 1, origin))
    return out


def _span(d: Origin) -> Span:
    span = span_from_dict(d)
    assert span is not None
    return span


def _group_by_cause(items: list[ExposureItem]) -> list[ExposureItem]:
    """One item per cause, not per table: exposures alike but for the table (and whether the login owns it)
    become the first one with `tables` listing every table, so one login filtered by RLS on forty tables is one
    finding that names them, at the first table."""
    groups: dict[bool, list[ExposureItem]] = {}
    for item in items:
        groups.setdefault(item["owner"], []).append(item)
    out: list[ExposureItem] = []
    for group in groups.values():
        first = group[0].copy()
        first["tables"] = [i["table"] for i in group]
        first["tables_shown"] = listed(first["tables"])
        out.append(first)
    return out


def listed(names: list[str], shown: int = 5) -> str:
    """ "a, b, c, d, e and 3 more": a message names a few, not forty."""
    head = ", ".join(names[:shown])
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return head + more


def _distinct_names(first: dict[str, Any], second: dict[str, Any]) -> dict[str, str]:
    """`first`/`second` of a collision; two holders of one name (every demo's `application.properties`) are told
    apart by their files, so the message never reads "connector application and connector application"."""
    if first["name"] != second["name"]:
        return {"first": first["name"], "second": second["name"]}
    a, b = first["slot_name_origin"], second["slot_name_origin"]
    where = (a.get("path", "?"), b.get("path", "?"))
    if where[0] == where[1]:
        where = (f"{where[0]}:{a.get('line', '?')}", f"{where[1]}:{b.get('line', '?')}")
    return {"first": f"{first['name']} in {where[0]}", "second": f"{second['name']} in {where[1]}"}


def _powersync_pg_source(conn: ConnectionItem) -> bool:
    return bool(conn["client"] == "powersync" and conn["purpose"] == "source" and conn["engine"] == "postgresql")


def _sub_flag(sub: SubscriptionState, name: str, default: bool) -> tuple[bool, Origin]:
    """A boolean subscription option and where it was set (the CREATE statement when left at its default)."""
    value = sub.options.get(name)
    if value is None:
        return default, sub.origin.to_dict()
    return value[0].strip().lower() in ("true", "on", "1", "yes", ""), value[1].to_dict()


def _same_server(a: ConnectionItem, b: ConnectionItem) -> tuple[str, str]:
    """('yes'|'no'|'maybe'|'unknown', how we know)."""
    ia, ib = a.get("observed_identity"), b.get("observed_identity")
    if ia and ib:
        # Observed by --live: the servers themselves say whether they are one (host names can hide that).
        if ia == ib:
            where = f"{a['observed_display']} and {b['observed_display']}"
            return "yes", f"both live servers report the same {ia} ({where})"
        return "no", "the live servers report different identities"
    if a.get("identity_env") and a.get("identity_env") == b.get("identity_env"):
        return "yes", f"both read the environment variable {a['identity_env']}"
    ea, eb = a.get("endpoints"), b.get("endpoints")
    if ea is None or eb is None:
        missing = a.get("identity_env") or b.get("identity_env") or "an unresolved value"
        return "unknown", f"the server comes from !env {missing}, which replint cannot resolve"
    overlap = sorted(set(ea) & set(eb))
    if overlap:
        where = overlap[0].replace("loopback:", "the local host, port ")
        src = a.get("resolved_from") or b.get("resolved_from")
        return "yes", f"both reach {where}" + (f" (values resolved from {src})" if src else "")
    if (any(e.startswith("loopback:") for e in ea) and any(e.startswith("docker-host:") for e in eb)) or (
        any(e.startswith("docker-host:") for e in ea) and any(e.startswith("loopback:") for e in eb)
    ):
        ports_a = {e.rsplit(":", 1)[1] for e in ea}
        ports_b = {e.rsplit(":", 1)[1] for e in eb}
        if ports_a & ports_b:
            return "maybe", "one side uses host.docker.internal and the other localhost on the same port"
    return "no", "different hosts or ports"


def build(inputs: Inputs) -> Project:
    return _Builder(inputs).build()


__all__ = ["COLLECTIONS", "Inputs", "Project", "build", "powersync_connection"]
