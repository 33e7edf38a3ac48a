"""Observed facts from `--live` as model items, so the same policies judge the real servers.

Observed items carry the declaring config's span as their location when there is one (the connection that
named the server), and say in their text that they were observed live. Items:
- `live_status`: targets that could not be probed, were unreachable, or where a check was skipped — so a live
  run never reads as an all-clear it did not earn;
- a `server_configs` item per live PostgreSQL source (wal_level, capacity, retention), judged by `conf-*`;
- `rls_exposures` for published tables whose row security would filter the replication login;
- the server identity of each connection (`system_identifier`, or the postmaster start time and port when the
  login may not read it) for `cfg-storage-shares-source-server`;
- `live_roles`, `live_publications`, `live_slots` for the `live-pg-*` policies, and `drift` for declared state
  the server contradicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from lint.live.observe import Observed
from lint.live.postgres import PgObserved
from lint.model.items import (
    ConnectionItem,
    DriftItem,
    ExposureItem,
    LivePublicationItem,
    LiveRoleItem,
    LiveTableItem,
    PublicationItem,
    RoleItem,
    SlotItem,
    StatusItem,
)
from lint.span import Origin, Span

PROVIDER_ADMINS = ("rds_superuser", "azure_pg_admin", "cloudsqlsuperuser", "neon_superuser", "supabase_admin")
PUBLISH_FLAGS = ("pubinsert", "pubupdate", "pubdelete", "pubtruncate")


def origin_of(obs: Observed) -> Origin:
    return (obs.origin or Span.point(obs.config or "(command line)", 1)).to_dict()


def status_items(observed: Sequence[Observed]) -> list[StatusItem]:
    items: list[StatusItem] = []
    for obs in observed:
        item = partial(_status, obs)
        probe = obs.pg or obs.mongo
        if obs.problem is not None or probe is None:
            items.append(item(f"live:{obs.role}:{obs.display}", "not-probed", obs.problem or "no probe ran"))
            continue
        if not probe.reachable:
            items.append(item(f"live:{obs.role}:{obs.display}", "unreachable", probe.error or "unreachable"))
            continue
        has_fingerprint = isinstance(probe, PgObserved) and probe.fingerprint is not None
        for check, reason in probe.skipped:
            if check == "system identifier" and has_fingerprint:
                continue  # not readable without pg_monitor; the start-time fingerprint answers the same question
            items.append(item(f"live:{obs.role}:{obs.display}:{check}", "skipped", reason, check))
    return items


def _status(obs: Observed, key: str, kind: str, reason: str, check: str = "") -> StatusItem:
    return {
        "key": key,
        "kind": kind,
        "check": check,
        "reason": reason,
        "target": obs.role,
        "display": obs.display,
        "origin": origin_of(obs),
        "engine": obs.engine,
    }


def identity(pg: PgObserved) -> str | None:
    if pg.system_identifier:
        return f"system identifier {pg.system_identifier}"
    return f"server started at {pg.fingerprint.split('|')[0]}" if pg.fingerprint else None


def rls_items(obs: Observed, pg: PgObserved, conn: ConnectionItem | None, sync: set[str]) -> list[ExposureItem]:
    """Published tables (of `powersync` for PowerSync) whose RLS would filter this login's snapshot."""
    role = pg.role or {}
    if not role or pg.publications is None or pg.tables is None:
        return []  # a check that did not run says nothing (its skip is a `live_status` item)
    pub = pg.publications.get("powersync") if conn is None or conn.get("client") == "powersync" else None
    published = set(pub["tables"]) if pub else {t for p in pg.publications.values() for t in p["tables"]}
    if sync:
        published &= sync
    config = [c for c in role.get("rolconfig", []) if c.replace(" ", "").lower() in ("row_security=off",)]
    out: list[ExposureItem] = []
    for t in pg.tables:
        name = f"{t['nspname']}.{t['relname']}"
        if name not in published or not t["relrowsecurity"]:
            continue
        owner = bool(t["owner_or_member"]) and not t["relforcerowsecurity"]
        out.append(
            {
                "key": f"rls-live:{obs.role}:{obs.display}:{name}",
                "client": conn["client"] if conn else "libpq",
                "connection": conn["path"] if conn else f"the live {obs.role} connection",
                "config": obs.config,
                "role": role["rolname"],
                "role_defined": True,
                "table": name,
                "tables": [name],
                "tables_shown": name,
                "superuser": bool(role["rolsuper"]),
                "bypassrls": bool(role["rolbypassrls"]),
                "owner": owner,
                "role_row_security_off": bool(config) or role.get("row_security") == "off",
                "row_security_option": conn["row_security_option"] if conn else "none",
                "uri_options": conn.get("uri_options") if conn else None,
                "origin": origin_of(obs),
                "connection_origin": origin_of(obs),
                "role_origin": None,
                "observed": f" (observed on the live server {obs.display})",
            }
        )
    return out


def role_item(obs: Observed, pg: PgObserved, rds: bool) -> LiveRoleItem | None:
    role = pg.role
    if not role:
        return None
    memberships = pg.memberships or ()  # read in the same check as the role itself
    supers = [m["rolname"] for m in memberships if m["rolsuper"]]
    admins = [m["rolname"] for m in memberships if m["rolname"] in PROVIDER_ADMINS]
    rds_replication = any(m["rolname"] == "rds_replication" for m in memberships)
    return {
        "key": f"live-role:{obs.role}:{obs.display}",
        "target": obs.role,
        "display": obs.display,
        "name": role["rolname"],
        "superuser": bool(role["rolsuper"]),
        "superuser_groups": supers,
        "admin_groups": admins,
        "replication": bool(role["rolreplication"]) or rds_replication,
        "rds": rds,
        "createrole": bool(role["rolcreaterole"]),
        "createdb": bool(role["rolcreatedb"]),
        "origin": origin_of(obs),
    }


def publication_item(obs: Observed, pg: PgObserved, sync: set[str]) -> LivePublicationItem | None:
    if pg.publications is None or pg.tables is None:
        return None
    pub = pg.publications.get("powersync")
    existing = {f"{t['nspname']}.{t['relname']}" for t in pg.tables}
    return {
        "key": f"live-publication:{obs.display}",
        "display": obs.display,
        "exists": pub is not None,
        "all_tables": bool(pub and pub["puballtables"]),
        "missing_ops": [f.removeprefix("pub") for f in PUBLISH_FLAGS if pub is not None and not pub[f]],
        "via_root": bool(pub and pub["pubviaroot"]),
        "missing_tables": sorted(t for t in sync if pub is not None and t not in pub["tables"] and t in existing),
        "absent_tables": sorted(t for t in sync if t not in existing),
        "origin": origin_of(obs),
    }


def table_items(obs: Observed, pg: PgObserved, sync: set[str]) -> list[LiveTableItem]:
    """Per published (or synced) table: can the login read it, and can its changes be replicated."""
    if pg.tables is None:
        return []
    pub = (pg.publications or {}).get("powersync")
    wanted = set(pub["tables"]) if pub else set()
    wanted |= sync
    out: list[LiveTableItem] = []
    for t in pg.tables:
        name = f"{t['nspname']}.{t['relname']}"
        if name not in wanted:
            continue
        out.append(
            {
                "key": f"live-table:{obs.display}:{name}",
                "display": obs.display,
                "table": name,
                "schema_usage": bool(t["schema_usage"]),
                "can_select": bool(t["can_select"]),
                "replica_identity": {"d": "default", "n": "nothing", "f": "full", "i": "index"}.get(
                    t["relreplident"], t["relreplident"]
                ),
                "has_pk": bool(t["has_pk"]),
                "owner": bool(t["owner_or_member"]),
                "origin": origin_of(obs),
            }
        )
    return out


def slot_items(obs: Observed, pg: PgObserved) -> list[SlotItem]:
    return [
        {
            "key": f"live-slot:{obs.display}:{s['slot_name']}",
            "display": obs.display,
            "name": s["slot_name"],
            "plugin": s["plugin"],
            "type": s["slot_type"],
            "active": bool(s["active"]),
            "wal_status": s["wal_status"],
            "retained_mb": (s["retained_bytes"] or 0) // (1024 * 1024),
            "origin": origin_of(obs),
        }
        for s in pg.slots or ()
    ]


def drift_items(
    obs: Observed, pg: PgObserved, declared_roles: dict[str, RoleItem], declared_pubs: dict[str, PublicationItem]
) -> list[DriftItem]:
    """Declared (migrations) versus observed (server): attributes of the login, publications and their tables."""
    out: list[DriftItem] = []
    role = pg.role or {}
    declared = declared_roles.get(role.get("rolname", ""))
    if declared and declared.get("defined"):
        for attr, col in (
            ("superuser", "rolsuper"),
            ("replication", "rolreplication"),
            ("bypassrls", "rolbypassrls"),
            ("login", "rolcanlogin"),
        ):
            if bool(declared.get(attr)) != bool(role.get(col)):
                out.append(
                    _drift(
                        obs,
                        f"role {role['rolname']}",
                        f"{attr.upper()}",
                        declared=declared.get(attr),
                        observed=bool(role.get(col)),
                        at=declared["origin"],
                    )
                )
    if obs.role == "source" and pg.publications is not None:
        for name, pub in declared_pubs.items():
            live = pg.publications.get(name)
            if live is None:
                out.append(
                    _drift(obs, f"publication {name}", "exists", declared=True, observed=False, at=pub["origin"])
                )
                continue
            if not pub["all_tables"]:
                missing = sorted(set(pub["tables"]) - set(live["tables"]))
                if missing:
                    out.append(
                        _drift(
                            obs,
                            f"publication {name}",
                            "tables " + ", ".join(missing),
                            declared=True,
                            observed=False,
                            at=pub["origin"],
                        )
                    )
    return out


def _drift(obs: Observed, what: str, prop: str, *, declared: Any, observed: Any, at: Origin) -> DriftItem:
    return {
        "key": f"drift:{obs.display}:{what}:{prop}",
        "what": what,
        "property": prop,
        "declared": bool(declared),
        "observed": bool(observed),
        "display": obs.display,
        "origin": at,
        "observed_origin": origin_of(obs),
    }


__all__ = [
    "drift_items",
    "identity",
    "origin_of",
    "publication_item",
    "rls_items",
    "role_item",
    "slot_items",
    "status_items",
]
