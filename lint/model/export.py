"""The model as a document (`replint model`): the collections policies see and the replayed databases.

Nothing here is new knowledge: the collections are the built project's, and each database record is the
replayed state read back field by field. Secrets stay out as everywhere in the model — a role's password is
only how it is written, a subscription's connection is shown without its password, and setting values are
masked under secret-bearing names (`lint.redact.mask_setting`).
"""

from __future__ import annotations

from lint.model.builder import Project
from lint.model.items import (
    MODEL_VERSION,
    Database,
    DbMembership,
    DbPrivilege,
    DbRole,
    DbSubscription,
    DbTable,
    ModelDocument,
)
from lint.model.replay import DbState, RoleState, SubscriptionState, TableState
from lint.redact import mask_setting

_IDENTITY = {"d": "default", "n": "nothing", "f": "full", "i": "index"}


def document(built: Project, db: DbState | None, root: str, sql_files: int) -> ModelDocument:
    return {
        "replint_model": MODEL_VERSION,
        "root": root,
        "project": built.project,
        "collections": built.collections,
        "databases": [] if db is None else [database(db, sql_files)],
    }


def database(db: DbState, sql_files: int) -> Database:
    return {
        "name": "the project's migrations",
        "postgres_version": {"major": db.version, "source": db.version_source},
        "sql_files": sql_files,
        "roles": [_role(r) for _, r in sorted(db.roles.items())],
        "memberships": [
            DbMembership(
                role=e.role,
                member=e.member,
                admin=e.admin,
                inherit=db.inherits(e),
                set=db.can_set(e),
                origin=e.span.to_dict(),
            )
            for _, e in sorted(db.edges.items())
        ],
        "privileges": [
            DbPrivilege(grantee=g, objtype=t, object=o, privilege=p, origin=span.to_dict())
            for (g, t, o, p), span in sorted(db.privileges.items())
        ],
        "default_privileges": [
            {
                "for_role": d.for_role,
                "schema": d.schema,
                "objtype": d.objtype,
                "privilege": d.privilege,
                "grantee": d.grantee,
                "origin": d.span.to_dict(),
            }
            for d in db.default_privs
        ],
        "schemas": [
            {"name": name, "owner": owner, "origin": span.to_dict()}
            for name, (owner, span) in sorted(db.schemas.items())
        ],
        "tables": [_table(t) for _, t in sorted(db.tables.items())],
        "publications": [
            {
                "name": p.name,
                "declared": p.declared,
                "all_tables": p.all_tables,
                "tables": sorted(p.tables),
                "schemas": sorted(p.schemas),
                "publish": list(p.publish[0]),
                "via_root": p.via_root[0],
                "origin": p.origin.to_dict(),
            }
            for _, p in sorted(db.publications.items())
        ],
        "subscriptions": [_subscription(s.name, s) for _, s in sorted(db.subscriptions.items())],
        "settings": [
            {"name": name, "value": mask_setting(name, value), "origin": span.to_dict()}
            for name, (value, span) in sorted(db.system.items())
        ],
    }


def _role(r: RoleState) -> DbRole:
    return {
        "name": r.name,
        "defined": r.origin is not None,
        "superuser": r.attr("superuser"),
        "createrole": r.attr("createrole"),
        "createdb": r.attr("createdb"),
        "login": r.attr("login"),
        "replication": r.attr("replication"),
        "bypassrls": r.attr("bypassrls"),
        "inherit": r.attr("inherit"),
        "password": r.password[0] if r.password else None,
        "settings": {k: (mask_setting(k, v) if v is not None else None) for k, (v, _) in sorted(r.settings.items())},
        "origin": r.origin.to_dict() if r.origin else None,
    }


def _table(t: TableState) -> DbTable:
    identity = t.replica_identity[0] if t.replica_identity else "d"
    return {
        "name": t.name,
        "owner": t.owner[0],
        "has_pk": t.has_pk,
        "rls": bool(t.rls and t.rls[0] == "enable"),
        "forced": bool(t.forced and t.forced[0]),
        "replica_identity": _IDENTITY.get(identity, identity),
        "partition_of": t.partition_of,
        "policies": [name for name, _ in t.policies],
        "origin": t.origin.to_dict(),
    }


def _subscription(name: str, s: SubscriptionState) -> DbSubscription:
    host, port = s.conninfo.hosts[0] if s.conninfo.hosts else (None, None)
    return {
        "name": name,
        "publications": list(s.publications),
        "host": host or None,
        "port": port,
        "user": s.conninfo.user,
        "database": s.conninfo.database,
        "options": {k: mask_setting(k, v) for k, (v, _) in sorted(s.options.items())},
        "origin": s.origin.to_dict(),
    }
