"""MongoDB authorization: replay setup commands into users, roles and collections, then expand privileges.

Faithful enough for the RULES.md §5 checks: which actions a user holds on `<db>`, `<db>._powersync_checkpoints`
and the cluster, and whether any path leads to a superuser-class role or action. What built-in roles grant and
how resources match is `lint.mongoprivs`, shared with the live probe.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lint.mongoprivs import (
    ADMIN_ROLES,
    ANY_RESOURCE,
    CLUSTER,
    SUPERUSER_ACTIONS,
    SUPERUSER_ROLES,
    Privilege,
    Resource,
    builtin_privileges,
    is_builtin,
    is_superuser_role,
)
from lint.sources.mongo import Expr, MongoCommand, MongoSetup
from lint.span import Span
from lint.yamlsrc import Problem

# ---------------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class RoleRef:
    role: str
    db: str
    span: Span | None
    collection: str = ""  # Atlas collection-scoped built-in role: readWrite@app._powersync_checkpoints

    @property
    def key(self) -> str:
        return f"{self.role}@{self.db}"

    @property
    def label(self) -> str:
        return f"{self.key}.{self.collection}" if self.collection else self.key


@dataclass(frozen=True)
class UserState:
    name: str
    db: str  # authentication database
    roles: tuple[RoleRef, ...]
    password_literal: bool  # pwd was a literal string (a committed secret), or has a literal fallback
    origin: Span
    password_span: Span | None


@dataclass(frozen=True)
class RoleState:
    name: str
    db: str
    privileges: tuple[Privilege, ...]  # direct privileges, origin per privilege
    roles: tuple[RoleRef, ...]
    origin: Span


@dataclass(frozen=True)
class CollectionState:
    db: str
    name: str
    pre_post_images: bool  # changeStreamPreAndPostImages.enabled from create/collMod (last wins)
    origin: Span


@dataclass(frozen=True)
class MongoState:
    users: dict[str, UserState]  # key "name@db"
    roles: dict[str, RoleState]  # key "role@db" (custom roles only)
    collections: dict[str, CollectionState]  # key "db.collection"
    problems: tuple[Problem, ...]


# ---------------------------------------------------------------------------------------------------------
# Replay


class _Replay:
    def __init__(self) -> None:
        self.users: dict[str, UserState] = {}
        self.roles: dict[str, RoleState] = {}
        self.collections: dict[str, CollectionState] = {}
        self.problems: list[Problem] = []

    def problem(self, message: str, span: Span, kind: str = "mongo-replay") -> None:
        self.problems.append(Problem(kind, message, span))

    def run(self, cmd: MongoCommand) -> None:
        name = _subject(cmd)
        if name is None:
            self.problem(f"{cmd.name}: the {_what(cmd.name)} name is not a string; it was not checked", cmd.span)
            return
        handler = {
            "createUser": self.create_user,
            "updateUser": self.update_user,
            "dropUser": self.drop_user,
            "grantRolesToUser": self.grant_roles_to_user,
            "revokeRolesFromUser": self.revoke_roles_from_user,
            "createRole": self.create_role,
            "updateRole": self.update_role,
            "dropRole": self.drop_role,
            "grantRolesToRole": self.grant_roles_to_role,
            "revokeRolesFromRole": self.revoke_roles_from_role,
            "grantPrivilegesToRole": self.grant_privileges_to_role,
            "revokePrivilegesFromRole": self.revoke_privileges_from_role,
            "create": self.create_collection,
            "collMod": self.coll_mod,
        }.get(cmd.name)
        if handler is not None:
            handler(cmd, name)

    # -- users -----------------------------------------------------------------------------------------

    def create_user(self, cmd: MongoCommand, name: str) -> None:
        key = f"{name}@{cmd.db}"
        if key in self.users:
            self.problem(f"user {key} is created twice; MongoDB fails the second createUser", cmd.span)
            return
        roles = self.role_refs(cmd, "roles", required=True)
        literal, pwd_span = _password(cmd)
        self.users[key] = UserState(name, cmd.db, tuple(roles), literal, cmd.span, pwd_span)

    def update_user(self, cmd: MongoCommand, name: str) -> None:
        user = self.user(cmd, name)
        if user is None:
            return
        if "roles" in cmd.body:
            user = replace(user, roles=tuple(self.role_refs(cmd, "roles", required=True)))
        if "pwd" in cmd.body:
            literal, pwd_span = _password(cmd)
            user = replace(user, password_literal=literal, password_span=pwd_span)
        self.users[f"{name}@{cmd.db}"] = user

    def drop_user(self, cmd: MongoCommand, name: str) -> None:
        if self.user(cmd, name) is not None:
            del self.users[f"{name}@{cmd.db}"]

    def grant_roles_to_user(self, cmd: MongoCommand, name: str) -> None:
        user = self.user(cmd, name)
        if user is not None:
            roles = _merge(user.roles, self.role_refs(cmd, "roles", required=True))
            self.users[f"{name}@{cmd.db}"] = replace(user, roles=roles)

    def revoke_roles_from_user(self, cmd: MongoCommand, name: str) -> None:
        user = self.user(cmd, name)
        if user is not None:
            roles = _without(user.roles, self.role_refs(cmd, "roles", required=True, check=False))
            self.users[f"{name}@{cmd.db}"] = replace(user, roles=roles)

    def user(self, cmd: MongoCommand, name: str) -> UserState | None:
        key = f"{name}@{cmd.db}"
        found = self.users.get(key)
        if found is None:
            self.problem(
                f"{cmd.name} on user {key}, which is not created before it in the files read "
                "(MongoDB fails with UserNotFound)",
                cmd.span,
            )
        return found

    # -- roles -----------------------------------------------------------------------------------------

    def create_role(self, cmd: MongoCommand, name: str) -> None:
        key = f"{name}@{cmd.db}"
        if is_builtin(name, cmd.db):
            self.problem(f"createRole {key}: a built-in role has this name; MongoDB refuses it", cmd.span)
            return
        if key in self.roles:
            self.problem(f"role {key} is created twice; MongoDB fails the second createRole", cmd.span)
            return
        privileges = self.privileges(cmd, key)
        roles = self.role_refs(cmd, "roles", required=True)
        self.roles[key] = RoleState(name, cmd.db, tuple(privileges), tuple(roles), cmd.span)

    def update_role(self, cmd: MongoCommand, name: str) -> None:
        role = self.role(cmd, name)
        if role is None:
            return
        # updateRole replaces the whole privileges/roles arrays it is given (it does not merge).
        if "privileges" in cmd.body:
            role = replace(role, privileges=tuple(self.privileges(cmd, f"{name}@{cmd.db}")))
        if "roles" in cmd.body:
            role = replace(role, roles=tuple(self.role_refs(cmd, "roles", required=True)))
        self.roles[f"{name}@{cmd.db}"] = role

    def drop_role(self, cmd: MongoCommand, name: str) -> None:
        if self.role(cmd, name) is not None:
            del self.roles[f"{name}@{cmd.db}"]

    def grant_roles_to_role(self, cmd: MongoCommand, name: str) -> None:
        role = self.role(cmd, name)
        if role is not None:
            roles = _merge(role.roles, self.role_refs(cmd, "roles", required=True))
            self.roles[f"{name}@{cmd.db}"] = replace(role, roles=roles)

    def revoke_roles_from_role(self, cmd: MongoCommand, name: str) -> None:
        role = self.role(cmd, name)
        if role is not None:
            roles = _without(role.roles, self.role_refs(cmd, "roles", required=True, check=False))
            self.roles[f"{name}@{cmd.db}"] = replace(role, roles=roles)

    def grant_privileges_to_role(self, cmd: MongoCommand, name: str) -> None:
        role = self.role(cmd, name)
        if role is not None:
            added = self.privileges(cmd, f"{name}@{cmd.db}")
            self.roles[f"{name}@{cmd.db}"] = replace(role, privileges=(*role.privileges, *added))

    def revoke_privileges_from_role(self, cmd: MongoCommand, name: str) -> None:
        role = self.role(cmd, name)
        if role is None:
            return
        kept: list[Privilege] = []
        revoked = self.privileges(cmd, f"{name}@{cmd.db}")
        for p in role.privileges:
            actions = p.actions
            for r in revoked:
                if r.resource == p.resource:
                    actions = actions - r.actions
            if actions:
                kept.append(replace(p, actions=frozenset(actions)))
        self.roles[f"{name}@{cmd.db}"] = replace(role, privileges=tuple(kept))

    def role(self, cmd: MongoCommand, name: str) -> RoleState | None:
        key = f"{name}@{cmd.db}"
        found = self.roles.get(key)
        if found is None:
            why = (
                "built-in roles cannot be modified"
                if is_builtin(name, cmd.db)
                else "it is not created before it in the files read (MongoDB fails with RoleNotFound)"
            )
            self.problem(f"{cmd.name} on role {key}: {why}", cmd.span)
        return found

    # -- role references and privileges ----------------------------------------------------------------

    def role_refs(self, cmd: MongoCommand, key: str, *, required: bool, check: bool = True) -> list[RoleRef]:
        value = cmd.body.get(key)
        span = cmd.spans.get((key,), cmd.span)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.problem(
                f"{cmd.name} {_subject(cmd)}: '{key}' is not a literal list; its roles cannot be checked",
                span,
                "mongo-unresolved",
            )
            return []
        refs: list[RoleRef] = []
        for i, item in enumerate(value):
            ref = _role_ref(item, cmd.db, cmd.spans.get((key, i), span))
            if ref is None:
                self.problem(
                    f"{cmd.name} {_subject(cmd)}: {key}[{i}] is not a role name or {{role, db}} document; "
                    "it was not checked",
                    cmd.spans.get((key, i), span),
                    "mongo-unresolved",
                )
                continue
            if check and not self.known_role(ref):
                continue
            refs.append(ref)
        return refs

    def known_role(self, ref: RoleRef) -> bool:
        span = ref.span or Span.point("", 1)
        if ref.key in self.roles and not ref.collection:
            return True
        if ref.role in ADMIN_ROLES and ref.db != "admin":
            self.problem(
                f'built-in role {ref.role} exists only on the admin database; write {{role: "{ref.role}", '
                f'db: "admin"}} (MongoDB rejects {ref.key})',
                span,
            )
            return False
        if is_builtin(ref.role, ref.db):
            return True
        self.problem(f"role {ref.key} is not defined before it is granted (MongoDB fails with RoleNotFound)", span)
        return False

    def privileges(self, cmd: MongoCommand, role_key: str) -> list[Privilege]:
        value = cmd.body.get("privileges")
        span = cmd.spans.get(("privileges",), cmd.span)
        if value is None and cmd.name in ("createRole", "updateRole"):
            if cmd.name == "createRole":
                self.problem(f"createRole {role_key} has no privileges list (MongoDB requires one)", cmd.span)
            return []
        if not isinstance(value, list):
            self.problem(
                f"{cmd.name} {role_key}: 'privileges' is not a literal list; they cannot be checked",
                span,
                "mongo-unresolved",
            )
            return []
        out: list[Privilege] = []
        for i, item in enumerate(value):
            item_span = cmd.spans.get(("privileges", i), span)
            priv = _privilege(item, role_key, item_span)
            if isinstance(priv, str):
                self.problem(f"{cmd.name} {role_key}: privileges[{i}] {priv}; it was not checked", item_span)
            else:
                out.append(priv)
        return out

    # -- collections -----------------------------------------------------------------------------------

    def create_collection(self, cmd: MongoCommand, name: str) -> None:
        enabled = _pre_post_images(cmd.body)
        key = f"{cmd.db}.{name}"
        self.collections[key] = CollectionState(cmd.db, name, bool(enabled), cmd.span)

    def coll_mod(self, cmd: MongoCommand, name: str) -> None:
        enabled = _pre_post_images(cmd.body)
        if enabled is None:
            return
        key = f"{cmd.db}.{name}"
        self.collections[key] = CollectionState(cmd.db, name, enabled, cmd.span)


def _subject(cmd: MongoCommand) -> str | None:
    """The user/role/collection name; a non-literal one is kept as `<source text>`."""
    value = cmd.body.get(cmd.name)
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Expr):
        return f"<{value.text}>"
    return None


def _what(name: str) -> str:
    if name in ("create", "collMod"):
        return "collection"
    return "user" if "User" in name else "role"


def _password(cmd: MongoCommand) -> tuple[bool, Span | None]:
    pwd = cmd.body.get("pwd")
    literal = (isinstance(pwd, str) and pwd != "") or (isinstance(pwd, Expr) and pwd.fallback_literal)
    return literal, cmd.spans.get(("pwd",)) if pwd is not None else None


def _pre_post_images(body: dict[str, Any]) -> bool | None:
    """changeStreamPreAndPostImages.enabled as written: None when absent or not a literal."""
    option = body.get("changeStreamPreAndPostImages")
    if isinstance(option, dict) and isinstance(option.get("enabled"), bool):
        return bool(option["enabled"])
    return None


def _role_ref(item: Any, default_db: str, span: Span) -> RoleRef | None:
    """A roles[] entry: "name" (on the command's database), {role, db[, collection]}, or Atlas's
    {roleName, databaseName[, collectionName]}."""
    if isinstance(item, str) and item:
        return RoleRef(item, default_db, span)
    if not isinstance(item, dict):
        return None
    role = item.get("role", item.get("roleName"))
    db = item.get("db", item.get("databaseName", default_db))
    collection = item.get("collection", item.get("collectionName", "")) or ""
    if not (isinstance(role, str) and role and isinstance(db, str) and db and isinstance(collection, str)):
        return None
    return RoleRef(role, db, span, collection)


def _privilege(item: Any, role_key: str, span: Span) -> Privilege | str:
    """A privileges[] entry, or why it is not one."""
    if not isinstance(item, dict):
        return "is not a {resource, actions} document"
    res = item.get("resource")
    actions = item.get("actions")
    if not isinstance(res, dict):
        return "has no literal resource document"
    if not (isinstance(actions, list) and actions and all(isinstance(a, str) for a in actions)):
        return "has no literal list of action names"
    resource: Resource
    if res.get("anyResource") is True:
        resource = ANY_RESOURCE
    elif res.get("cluster") is True:
        resource = CLUSTER
    elif isinstance(res.get("db"), str) and isinstance(res.get("collection"), str):
        resource = Resource(res["db"], res["collection"])
    else:
        return "has a resource that is not {db, collection}, {cluster: true} or {anyResource: true}"
    return Privilege(resource, frozenset(actions), (role_key,), span)


def _merge(old: tuple[RoleRef, ...], new: Iterable[RoleRef]) -> tuple[RoleRef, ...]:
    seen = {(r.role, r.db, r.collection) for r in old}
    out = list(old)
    for r in new:
        if (r.role, r.db, r.collection) not in seen:
            seen.add((r.role, r.db, r.collection))
            out.append(r)
    return tuple(out)


def _without(old: tuple[RoleRef, ...], gone: Iterable[RoleRef]) -> tuple[RoleRef, ...]:
    drop = {(r.role, r.db, r.collection) for r in gone}
    return tuple(r for r in old if (r.role, r.db, r.collection) not in drop)


def replay(setups: Sequence[MongoSetup]) -> MongoState:
    """Run every command of every setup, in the given order, into the final state."""
    run = _Replay()
    for setup in setups:
        for cmd in setup.commands:
            run.run(cmd)
    return MongoState(run.users, run.roles, run.collections, tuple(run.problems))


# ---------------------------------------------------------------------------------------------------------
# Effective privileges

MAX_ROLE_DEPTH = 50
MAX_PRIVILEGES = 20_000  # role graphs with many diamonds would otherwise expand exponentially


def effective_privileges(state: MongoState, user_key: str) -> tuple[Privilege, ...]:
    """Every privilege the user holds: built-in roles and nested custom roles expanded (cycle-safe)."""
    user = state.users.get(user_key)
    if user is None:
        return ()
    out: list[Privilege] = []
    for ref in user.roles:
        _expand(state, ref, (), out)
    return tuple(out)


def _expand(state: MongoState, ref: RoleRef, chain: tuple[str, ...], out: list[Privilege]) -> None:
    if ref.key in chain or len(chain) >= MAX_ROLE_DEPTH or len(out) >= MAX_PRIVILEGES:
        return
    custom = None if ref.collection else state.roles.get(ref.key)
    if custom is not None:
        via = (*chain, ref.key)
        out.extend(replace(p, via=via) for p in custom.privileges)
        for nested in custom.roles:
            _expand(state, nested, via, out)
        return
    via = (*chain, ref.label)
    out.extend(
        Privilege(res, acts, via, ref.span) for res, acts in builtin_privileges(ref.role, ref.db, ref.collection)
    )


# ---------------------------------------------------------------------------------------------------------
# Superuser detection


def superuser_reason(state: MongoState, user_key: str) -> tuple[str, Span | None] | None:
    """Why this user is superuser-class, and where: a superuser role (reached directly or through custom roles;
    the span is where that role is written), or a custom privilege with anyAction, anyResource,
    user/role-management actions on admin or every database, or writes to admin.system.users/roles."""
    user = state.users.get(user_key)
    if user is None:
        return None
    for ref in user.roles:
        found = _superuser_role(state, ref, ())
        if found is not None:
            return found
    # Built-in roles that trip these checks are the superuser roles already matched above.
    for p in effective_privileges(state, user_key):
        reason = _superuser_privilege(p)
        if reason is not None:
            return reason, p.origin
    return None


def _superuser_role(state: MongoState, ref: RoleRef, chain: tuple[str, ...]) -> tuple[str, Span | None] | None:
    if ref.key in chain or len(chain) >= MAX_ROLE_DEPTH:
        return None
    custom = None if ref.collection else state.roles.get(ref.key)
    if custom is None:
        if not is_superuser_role(ref.role, ref.db, ref.collection):
            return None
        name = ref.role if ref.role in SUPERUSER_ROLES else ref.key
        return (f"{name} (via {' -> '.join(chain)})" if chain else name), ref.span
    for nested in custom.roles:
        found = _superuser_role(state, nested, (*chain, ref.key))
        if found is not None:
            return found
    return None


def _superuser_privilege(p: Privilege) -> str | None:
    res = p.resource
    if "anyAction" in p.actions:
        return f"anyAction on {res.describe()}"
    if res.any_resource:
        return f"{', '.join(sorted(p.actions))} on anyResource"
    admin_wide = res.db in ("admin", "") and res.collection == ""
    risky = sorted(p.actions & SUPERUSER_ACTIONS)
    if admin_wide and risky:
        return f"{', '.join(risky)} on {res.describe()}"
    if res.db in ("admin", "") and res.collection in ("system.users", "system.roles"):
        writes = sorted(p.actions & {"insert", "update"})
        if writes:
            return f"{', '.join(writes)} on admin.{res.collection}"
    return None
