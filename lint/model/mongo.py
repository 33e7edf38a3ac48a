"""MongoDB users as policies see them: effective privileges versus what PowerSync needs (RULES.md §5, §6).

The judged users are the ones PowerSync logs in as (the user of a MongoDB replication connection). When no
config names one — the URI comes from an unresolved `!env` — every user the setup scripts create is judged,
and the message says so: init scripts usually create exactly the replication user.

Requirements come from the PowerSync source-database docs (seed 000) and powersync-service
`modules/module-mongodb/src/replication/replication-utils.ts`: `listCollections`, `find` and database-level
`changeStream` on the source database, and on `<db>._powersync_checkpoints` the actions in
`CHECKPOINT_ACTIONS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from lint import mongoprivs
from lint.live.mongo import MongoObserved
from lint.model import mongoauth
from lint.model.items import CheckItem, ConnectionItem, MongoUserItem, Overgrant
from lint.span import Origin, Span

CHECKPOINTS = "_powersync_checkpoints"
CHECKPOINT_ACTIONS = ("createCollection", "dropCollection", "find", "changeStream", "insert", "update", "remove")
WRITE_ACTIONS = ("insert", "update", "remove")


def _db_level(privs: Sequence[mongoprivs.Privilege], action: str, db: str) -> mongoprivs.Privilege | None:
    """A privilege granting `action` on every collection of `db` (the resource shape change streams require)."""
    for p in privs:
        r = p.resource
        if action not in p.actions and "anyAction" not in p.actions:
            continue
        if r.any_resource or (r.db in (db, "") and r.collection == ""):
            return p
    return None


def _origin(p: mongoprivs.Privilege | None, fallback: Span) -> Origin:
    return (p.origin if p is not None and p.origin is not None else fallback).to_dict()


def _via(p: mongoprivs.Privilege) -> str:
    return " -> ".join(p.via) if p.via else "a direct privilege"


def judged_users(state: mongoauth.MongoState, names: Sequence[str]) -> list[tuple[str, str]]:
    """(user key, why it is judged)."""
    if names:
        return [
            (key, f"the MongoDB user PowerSync logs in as ({u.name})")
            for key, u in state.users.items()
            if u.name in names
        ]
    return [(key, f"MongoDB user {u.name}") for key, u in state.users.items()]


def user_item(
    state: mongoauth.MongoState,
    key: str,
    *,
    why: str,
    db: str | None,
    collections: Sequence[str],
    post_images: str | None,
    connection: ConnectionItem | None,
) -> MongoUserItem:
    user = state.users[key]
    superuser = mongoauth.superuser_reason(state, key)
    return _privilege_item(
        key=f"mongo-user:{key}",
        name=user.name,
        auth_db=user.db,
        why=why,
        origin=user.origin,
        roles=[f"{r.role}@{r.db}" for r in user.roles],
        superuser=(superuser[0], superuser[1] or user.origin) if superuser else None,
        privs=mongoauth.effective_privileges(state, key),
        db=db,
        collections=collections,
        post_images=post_images,
        connection=connection,
    )


def observed_user_item(
    obs: MongoObserved,
    origin: Span,
    *,
    db: str | None,
    collections: Sequence[str],
    post_images: str | None,
    connection: ConnectionItem | None,
) -> MongoUserItem | None:
    """The privileges the live server reports for the login (`connectionStatus`), judged like declared ones."""
    if not obs.reachable or obs.user is None:
        return None
    superuser: tuple[str, Span] | None = None
    for role, role_db in obs.roles:
        if mongoprivs.is_superuser_role(role, role_db):
            superuser = (f"{role}@{role_db}", origin)
            break
    if superuser is None and any(p.resource.any_resource or "anyAction" in p.actions for p in obs.privileges):
        superuser = ("anyAction or anyResource privileges", origin)
    return _privilege_item(
        key=f"mongo-user:live:{obs.display}",
        name=obs.user,
        auth_db=obs.user_db or "admin",
        why=f"the MongoDB user PowerSync logs in as ({obs.user}, observed on the live server {obs.display})",
        origin=origin,
        roles=[f"{r}@{d}" for r, d in obs.roles],
        superuser=superuser,
        privs=tuple(replace(p, origin=origin) for p in obs.privileges),
        db=db,
        collections=collections,
        post_images=post_images,
        connection=connection,
    )


def _privilege_item(
    *,
    key: str,
    name: str,
    auth_db: str,
    why: str,
    origin: Span,
    roles: list[str],
    superuser: tuple[str, Span] | None,
    privs: Sequence[mongoprivs.Privilege],
    db: str | None,
    collections: Sequence[str],
    post_images: str | None,
    connection: ConnectionItem | None,
) -> MongoUserItem:
    known = db is not None
    scope = db or ""
    missing: list[str] = []
    if known and _db_level(privs, "listCollections", scope) is None:
        missing.append("listCollections")
    if (
        known
        and _db_level(privs, "find", scope) is None
        and any(mongoprivs.allows(privs, "find", scope, c) is None for c in collections or [""])
    ):
        missing.append("find")
    if known and _db_level(privs, "changeStream", scope) is None:
        missing.append("changeStream")
    dbadmin = next((p for p in privs if f"dbAdmin@{db}" in p.via or f"dbOwner@{db}" in p.via), None)
    observed_dbadmin = f"dbAdmin@{db}" in roles or f"dbOwner@{db}" in roles  # live: roles, not a via chain
    collmod_db = _db_level(privs, "collMod", scope) if known else None
    return {
        "key": key,
        "name": name,
        "auth_db": auth_db,
        "why": why,
        "origin": origin.to_dict(),
        "roles": roles,
        "superuser": superuser[0] if superuser else None,
        "superuser_origin": superuser[1].to_dict() if superuser else None,
        "source_db": db,
        "collections": list(collections),
        "post_images": post_images,
        "connection_origin": connection["origin"] if connection else None,
        "known_db": known,
        "missing": missing,
        "changestream_collection_only": "changeStream" in missing
        and any("changeStream" in p.actions and p.resource.db == db and p.resource.collection for p in privs),
        "checkpoint_missing": [a for a in CHECKPOINT_ACTIONS if mongoprivs.allows(privs, a, scope, CHECKPOINTS) is None]
        if known
        else [],
        "write_overgrants": _overgrants(privs, scope, origin) if known else [],
        "dbadmin_origin": (_origin(dbadmin, origin) if dbadmin else (origin.to_dict() if observed_dbadmin else None))
        if known
        else None,
        "collmod": known
        and (collmod_db is not None or any("collMod" in p.actions and p.resource.db in (db, "") for p in privs)),
        # Where collMod comes from, or the user when nothing grants it (a policy points there to say so).
        "collmod_origin": _origin(collmod_db or next((p for p in privs if "collMod" in p.actions), None), origin),
        "collmod_missing": []
        if not known or collmod_db is not None
        else [c for c in collections if mongoprivs.allows(privs, "collMod", scope, c) is None],
    }


def _overgrants(privs: Sequence[mongoprivs.Privilege], db: str, fallback: Span) -> list[Overgrant]:
    """Write rights beyond the checkpoint collection: whole-database readWrite, or writes to other collections."""
    out: list[Overgrant] = []
    seen: set[str] = set()
    for p in privs:
        writes = sorted(a for a in p.actions if a in WRITE_ACTIONS or a == "anyAction")
        r = p.resource
        if not writes or r.cluster:
            continue
        if not (r.any_resource or r.db in (db, "")) or r.collection == CHECKPOINTS:
            continue
        if r.collection and r.collection.startswith("system."):
            continue  # built-in roles' system-collection grants ride along with the database-wide one
        what = (
            "every collection of every database"
            if r.any_resource or r.db == ""
            else (f"every collection of {db}" if r.collection == "" else f"{db}.{r.collection}")
        )
        label = f"{'/'.join(writes)} on {what} (through {_via(p)})"
        if label in seen:
            continue
        seen.add(label)
        out.append({"what": label, "origin": _origin(p, fallback)})
    return out


def post_image_items(
    state: mongoauth.MongoState, user: MongoUserItem, sync_origins: dict[str, Origin]
) -> list[CheckItem]:
    """xf-mongo-post-images-vs-privileges: one item per inconsistency between the mode and the setup."""
    mode = user["post_images"] or "off"
    db = user["source_db"]
    if not user["known_db"] or user["connection_origin"] is None:
        return []
    connection_origin = user["connection_origin"]

    def check(key: str, kind: str, collections: list[str], origin: Origin, **facts: Any) -> CheckItem:
        return {
            "key": key,
            "kind": kind,
            "user": user["name"],
            "mode": mode,
            "db": db or "",
            "display": "",
            "collections": collections,
            "declared": bool(facts.get("declared", False)),
            "via_dbadmin": bool(facts.get("via_dbadmin", False)),
            "collection_origin": facts.get("collection_origin"),
            "connection_origin": connection_origin,
            "origin": origin,
        }

    out: list[CheckItem] = []
    if mode == "auto_configure" and user["collmod_missing"]:
        key = f"post-images:{user['key']}:collmod"
        out.append(check(key, "collmod-missing", user["collmod_missing"], user["origin"]))
    elif mode == "read_only":
        for name in user["collections"]:
            coll = state.collections.get(f"{db}.{name}")
            if coll is None or not coll.pre_post_images:
                out.append(
                    check(
                        f"post-images:{db}.{name}",
                        "not-enabled",
                        [name],
                        sync_origins.get(name) or connection_origin,
                        declared=coll is not None,
                        collection_origin=coll.origin.to_dict() if coll is not None else None,
                    )
                )
    if mode in ("read_only", "off") and (user["collmod"] or user["dbadmin_origin"]):
        out.append(
            check(
                f"post-images:{user['key']}:unneeded",
                "collmod-unneeded",
                [],
                user["dbadmin_origin"] or user["collmod_origin"],
                via_dbadmin=user["dbadmin_origin"] is not None,
            )
        )
    return out


__all__ = ["judged_users", "observed_user_item", "post_image_items", "user_item"]
