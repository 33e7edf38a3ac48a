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
from lint.span import Span

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


def _origin(p: mongoprivs.Privilege | None, fallback: Span) -> dict[str, Any]:
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
    connection: dict[str, Any] | None,
) -> dict[str, Any]:
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
    connection: dict[str, Any] | None,
) -> dict[str, Any] | None:
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
    connection: dict[str, Any] | None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
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
    }
    if db is None:
        item.update(
            known_db=False,
            missing=[],
            changestream_collection_only=False,
            checkpoint_missing=[],
            write_overgrants=[],
            dbadmin_origin=None,
            collmod=False,
            collmod_missing=[],
        )
        return item
    item["known_db"] = True
    missing: list[str] = []
    if _db_level(privs, "listCollections", db) is None:
        missing.append("listCollections")
    if _db_level(privs, "find", db) is None and any(
        mongoprivs.allows(privs, "find", db, c) is None for c in collections or [""]
    ):
        missing.append("find")
    if _db_level(privs, "changeStream", db) is None:
        missing.append("changeStream")
    item["missing"] = missing
    item["changestream_collection_only"] = "changeStream" in missing and any(
        "changeStream" in p.actions and p.resource.db == db and p.resource.collection for p in privs
    )
    item["checkpoint_missing"] = [a for a in CHECKPOINT_ACTIONS if mongoprivs.allows(privs, a, db, CHECKPOINTS) is None]
    item["write_overgrants"] = _overgrants(privs, db, origin)
    dbadmin = next((p for p in privs if f"dbAdmin@{db}" in p.via or f"dbOwner@{db}" in p.via), None)
    observed_dbadmin = f"dbAdmin@{db}" in roles or f"dbOwner@{db}" in roles  # live: roles, not a via chain
    item["dbadmin_origin"] = _origin(dbadmin, origin) if dbadmin else (origin.to_dict() if observed_dbadmin else None)
    collmod_db = _db_level(privs, "collMod", db)
    item["collmod"] = collmod_db is not None or any("collMod" in p.actions and p.resource.db in (db, "") for p in privs)
    item["collmod_origin"] = _origin(collmod_db or next((p for p in privs if "collMod" in p.actions), None), origin)
    item["collmod_missing"] = (
        [] if collmod_db is not None else [c for c in collections if mongoprivs.allows(privs, "collMod", db, c) is None]
    )
    return item


def _overgrants(privs: Sequence[mongoprivs.Privilege], db: str, fallback: Span) -> list[dict[str, Any]]:
    """Write rights beyond the checkpoint collection: whole-database readWrite, or writes to other collections."""
    out: list[dict[str, Any]] = []
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
    state: mongoauth.MongoState, user: dict[str, Any], sync_origins: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """xf-mongo-post-images-vs-privileges: one item per inconsistency between the mode and the setup."""
    mode = user["post_images"] or "off"
    db = user["source_db"]
    if not user["known_db"] or user["connection_origin"] is None:
        return []
    base = {"user": user["name"], "mode": mode, "db": db, "connection_origin": user["connection_origin"]}
    out: list[dict[str, Any]] = []
    if mode == "auto_configure" and user["collmod_missing"]:
        out.append(
            {
                **base,
                "key": f"post-images:{user['key']}:collmod",
                "kind": "collmod-missing",
                "collections": user["collmod_missing"],
                "origin": user["origin"],
            }
        )
    elif mode == "read_only":
        for name in user["collections"]:
            coll = state.collections.get(f"{db}.{name}")
            if coll is None or not coll.pre_post_images:
                out.append(
                    {
                        **base,
                        "key": f"post-images:{db}.{name}",
                        "kind": "not-enabled",
                        "collections": [name],
                        "declared": coll is not None,
                        "origin": sync_origins.get(name) or user["connection_origin"],
                        "collection_origin": coll.origin.to_dict() if coll is not None else None,
                    }
                )
    if mode in ("read_only", "off") and (user["collmod"] or user["dbadmin_origin"]):
        out.append(
            {
                **base,
                "key": f"post-images:{user['key']}:unneeded",
                "kind": "collmod-unneeded",
                "collections": [],
                "via_dbadmin": user["dbadmin_origin"] is not None,
                "origin": user["dbadmin_origin"] or user["collmod_origin"],
            }
        )
    return out


__all__ = ["judged_users", "observed_user_item", "post_image_items", "user_item"]
