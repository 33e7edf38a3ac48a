"""MongoDB authorization: replay setup commands into users, roles and collections, then expand privileges.

Built-in roles are expanded to (resource, actions) pairs after
https://www.mongodb.com/docs/manual/reference/built-in-roles/ (self-managed deployments), faithfully enough for
the RULES.md §5 checks: which actions a user holds on `<db>`, `<db>._powersync_checkpoints` and the cluster, and
whether any path leads to a superuser-class role or action. Resource matching follows
https://www.mongodb.com/docs/manual/reference/resource-document/: `{db: "app", collection: ""}` is every
non-system collection of `app` (and the database itself), `""` for both is every non-system collection of every
database, and a system collection (`system.*`) is only covered when it is named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from lint.sources.mongo import Expr, MongoCommand, MongoSetup
from lint.span import Span
from lint.yamlsrc import Problem

# ---------------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Resource:
    db: str | None  # "" = every database; None for cluster/anyResource
    collection: str | None  # "" = every non-system collection
    cluster: bool = False
    any_resource: bool = False

    def describe(self) -> str:
        if self.any_resource:
            return "anyResource"
        if self.cluster:
            return "the cluster"
        if self.db == "" and self.collection == "":
            return "every database"
        if self.collection == "":
            return f"database {self.db}"
        if self.db == "":
            return f"collection {self.collection} in every database"
        return f"{self.db}.{self.collection}"


@dataclass(frozen=True)
class Privilege:
    resource: Resource
    actions: frozenset[str]
    via: tuple[str, ...]  # role chain that gave it, e.g. ("powersyncRepl@admin",) or ("readWrite@app",)
    # Where it was granted or defined: a custom role's privileges[i]; for a built-in role, the roles[i] entry
    # that granted it (None when the grant has no span).
    origin: Span | None


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
# Built-in roles

_READ = frozenset(
    {
        "changeStream",
        "collStats",
        "dbHash",
        "dbStats",
        "find",
        "killCursors",
        "listCollections",
        "listIndexes",
        "listSearchIndexes",
    }
)
_READ_WRITE = _READ | {
    "convertToCapped",
    "createCollection",
    "createIndex",
    "dropCollection",
    "dropIndex",
    "insert",
    "remove",
    "renameCollectionSameDB",
    "update",
    "createSearchIndexes",
    "dropSearchIndex",
    "updateSearchIndex",
}
# dbAdmin on non-system collections: administration, but no `find` ("does not give full read", RULES.md §9).
_DB_ADMIN = frozenset(
    {
        "bypassDocumentValidation",
        "collMod",
        "collStats",
        "compact",
        "convertToCapped",
        "createCollection",
        "createIndex",
        "dbStats",
        "dropCollection",
        "dropDatabase",
        "dropIndex",
        "enableProfiler",
        "listCollections",
        "listIndexes",
        "planCacheIndexFilter",
        "planCacheRead",
        "planCacheWrite",
        "reIndex",
        "renameCollectionSameDB",
        "storageDetails",
        "validate",
    }
)
_DB_ADMIN_PROFILE = frozenset(
    {
        "changeStream",
        "collStats",
        "convertToCapped",
        "createCollection",
        "dbHash",
        "dbStats",
        "dropCollection",
        "find",
        "killCursors",
        "listCollections",
        "listIndexes",
        "planCacheRead",
    }
)
_USER_ADMIN = frozenset(
    {
        "changeCustomData",
        "changePassword",
        "createRole",
        "createUser",
        "dropRole",
        "dropUser",
        "grantRole",
        "revokeRole",
        "setAuthenticationRestriction",
        "viewRole",
        "viewUser",
    }
)
_CLUSTER_MONITOR = frozenset(
    {
        "checkFreeMonitoringStatus",
        "connPoolStats",
        "getCmdLineOpts",
        "getDefaultRWConcern",
        "getLog",
        "getParameter",
        "getShardMap",
        "hostInfo",
        "inprog",
        "listDatabases",
        "listSessions",
        "listShards",
        "netstat",
        "replSetGetConfig",
        "replSetGetStatus",
        "serverStatus",
        "shardingState",
        "top",
        "useUUID",
    }
)
_CLUSTER_MANAGER = frozenset(
    {
        "addShard",
        "appendOplogNote",
        "applicationMessage",
        "cleanupOrphaned",
        "flushRouterConfig",
        "getDefaultRWConcern",
        "listSessions",
        "listShards",
        "removeShard",
        "replSetConfigure",
        "replSetGetConfig",
        "replSetGetStatus",
        "replSetStateChange",
        "resync",
        "setDefaultRWConcern",
        "setFeatureCompatibilityVersion",
        "transitionFromDedicatedConfigServer",
        "transitionToDedicatedConfigServer",
    }
)
_CLUSTER_MANAGER_DBS = frozenset(
    {
        "analyzeShardKey",
        "clearJumboFlag",
        "enableSharding",
        "refineCollectionShardKey",
        "reshardCollection",
        "moveChunk",
        "splitChunk",
        "splitVector",
    }
)
_HOST_MANAGER = frozenset(
    {
        "applicationMessage",
        "closeAllDatabases",
        "connPoolSync",
        "flushRouterConfig",
        "fsync",
        "invalidateUserCache",
        "killAnyCursor",
        "killAnySession",
        "killop",
        "logRotate",
        "resync",
        "setParameter",
        "shutdown",
        "touch",
        "unlock",
    }
)
_RESTORE = frozenset(
    {
        "bypassDocumentValidation",
        "changeCustomData",
        "changePassword",
        "collMod",
        "convertToCapped",
        "createCollection",
        "createIndex",
        "createRole",
        "createUser",
        "dropCollection",
        "dropRole",
        "dropUser",
        "grantRole",
        "insert",
        "revokeRole",
        "viewRole",
        "viewUser",
    }
)
_SYSTEM_AUTH_WRITE = frozenset({"find", "insert", "update", "remove", "createIndex", "dropIndex", "collStats"})

_Grant = tuple[Resource, frozenset[str]]


def _on(db: str, collection: str = "") -> Resource:
    return Resource(db, collection)


CLUSTER = Resource(None, None, cluster=True)
ANY_RESOURCE = Resource(None, None, any_resource=True)
ALL_DATABASES = Resource("", "")

# Roles that exist on every database; all other built-ins exist only on `admin`.
DATABASE_ROLES = frozenset({"read", "readWrite", "dbAdmin", "dbOwner", "userAdmin"})


def _database_role(role: str, db: str, collection: str) -> list[_Grant]:
    if collection:  # Atlas scopes read/readWrite to one collection
        actions = {"read": _READ, "readWrite": _READ_WRITE}.get(role)
        return [(_on(db, collection), actions)] if actions else []
    if role == "read":
        return [(_on(db), _READ), (_on(db, "system.js"), _READ)]
    if role == "readWrite":
        return [(_on(db), _READ_WRITE), (_on(db, "system.js"), _READ_WRITE)]
    if role == "dbAdmin":
        return [(_on(db), _DB_ADMIN), (_on(db, "system.profile"), _DB_ADMIN_PROFILE)]
    if role == "userAdmin":
        return [(_on(db), _USER_ADMIN)]
    if role == "dbOwner":
        return [*_database_role("readWrite", db, ""), *_database_role("dbAdmin", db, ""), (_on(db), _USER_ADMIN)]
    return []


def _admin_role(role: str) -> list[_Grant] | None:
    listing = frozenset({"listDatabases"})
    grants: dict[str, list[_Grant]] = {
        "readAnyDatabase": [(ALL_DATABASES, _READ), (CLUSTER, listing)],
        "readWriteAnyDatabase": [(ALL_DATABASES, _READ_WRITE), (CLUSTER, listing)],
        "userAdminAnyDatabase": [
            (ALL_DATABASES, _USER_ADMIN),
            (CLUSTER, frozenset({"authSchemaUpgrade", "invalidateUserCache", "listDatabases"})),
            (_on("admin", "system.users"), _SYSTEM_AUTH_WRITE - {"insert", "update", "remove"}),
            (_on("admin", "system.roles"), _SYSTEM_AUTH_WRITE - {"insert", "update", "remove"}),
        ],
        "dbAdminAnyDatabase": [
            (ALL_DATABASES, _DB_ADMIN),
            (_on("", "system.profile"), _DB_ADMIN_PROFILE),
            (CLUSTER, listing),
        ],
        "clusterMonitor": [
            (CLUSTER, _CLUSTER_MONITOR),
            (ALL_DATABASES, frozenset({"collStats", "dbStats", "getDatabaseVersion", "getShardVersion", "indexStats"})),
            (_on("config"), frozenset({"find", "listCollections", "listIndexes", "collStats", "dbStats"})),
            (_on("local"), frozenset({"find", "listCollections", "listIndexes", "collStats", "dbStats"})),
        ],
        "clusterManager": [
            (CLUSTER, _CLUSTER_MANAGER),
            (ALL_DATABASES, _CLUSTER_MANAGER_DBS),
            (_on("config"), frozenset({"find", "insert", "update", "remove", "collStats", "dbHash", "dbStats"})),
            (_on("local"), frozenset({"find", "insert", "update", "remove", "collStats", "dbHash", "dbStats"})),
        ],
        "hostManager": [(CLUSTER, _HOST_MANAGER), (ALL_DATABASES, frozenset({"killCursors", "repairDatabase"}))],
        "backup": [
            (CLUSTER, frozenset({"appendOplogNote", "getParameter", "listDatabases", "serverStatus"})),
            (ALL_DATABASES, frozenset({"find", "listCollections", "listIndexes", "collStats", "dbStats"})),
            (_on("", "system.js"), frozenset({"find"})),
            (_on("admin", "system.users"), frozenset({"find"})),
            (_on("admin", "system.roles"), frozenset({"find"})),
        ],
        "restore": [
            (ALL_DATABASES, _RESTORE),
            (_on("", "system.js"), frozenset({"find", "insert", "update", "remove", "createIndex"})),
            (_on("admin", "system.users"), _SYSTEM_AUTH_WRITE),
            (_on("admin", "system.roles"), _SYSTEM_AUTH_WRITE),
            (CLUSTER, frozenset({"getParameter", "bypassWriteBlockingMode", "setUserWriteBlockMode"})),
        ],
        "enableSharding": [
            (CLUSTER, frozenset({"enableSharding"})),
            (ALL_DATABASES, frozenset({"enableSharding", "refineCollectionShardKey", "reshardCollection"})),
        ],
        # MongoDB 8.0: https://www.mongodb.com/docs/manual/reference/built-in-roles/#mongodb-authrole-directShardOperations
        "directShardOperations": [(CLUSTER, frozenset({"issueDirectShardOperations"}))],
        "__system": [(ANY_RESOURCE, frozenset({"anyAction"}))],
    }
    if role in grants:
        return grants[role]
    if role == "clusterAdmin":
        return [
            *(_admin_role("clusterManager") or []),
            *(_admin_role("clusterMonitor") or []),
            *(_admin_role("hostManager") or []),
            (ALL_DATABASES, frozenset({"dropDatabase"})),
            (CLUSTER, frozenset({"dropConnections", "killAnyCursor", "killAnySession"})),
        ]
    if role == "root":
        parts = ("readWriteAnyDatabase", "dbAdminAnyDatabase", "userAdminAnyDatabase", "clusterAdmin", "restore")
        return [g for name in (*parts, "backup") for g in _admin_role(name) or []]
    if role == "atlasAdmin":  # https://www.mongodb.com/docs/atlas/mongo-shell-built-in-roles/
        atlas = ("readWriteAnyDatabase", "dbAdminAnyDatabase", "clusterMonitor", "enableSharding")
        extra = frozenset({"cleanupOrphaned", "flushRouterConfig", "moveChunk", "splitChunk", "viewUser"})
        return [*(g for name in atlas for g in _admin_role(name) or []), (CLUSTER, extra)]
    return None


ADMIN_ROLES = frozenset(
    {
        "readAnyDatabase",
        "readWriteAnyDatabase",
        "userAdminAnyDatabase",
        "dbAdminAnyDatabase",
        "clusterMonitor",
        "clusterManager",
        "hostManager",
        "clusterAdmin",
        "backup",
        "restore",
        "enableSharding",
        "directShardOperations",
        "root",
        "__system",
        "atlasAdmin",
    }
)
BUILTIN_ROLES = DATABASE_ROLES | ADMIN_ROLES


def is_builtin(role: str, db: str) -> bool:
    """Whether `role@db` is a built-in role (database roles exist everywhere, the others only on admin)."""
    return role in DATABASE_ROLES or (role in ADMIN_ROLES and db == "admin")


def builtin_privileges(role: str, db: str, collection: str = "") -> tuple[tuple[Resource, frozenset[str]], ...]:
    """The (resource, actions) pairs of built-in `role@db` (optionally Atlas-scoped to one collection)."""
    if role in DATABASE_ROLES:
        return tuple(_database_role(role, db, collection))
    if role in ADMIN_ROLES and db == "admin" and not collection:
        return tuple(_admin_role(role) or ())
    return ()


# RULES.md §5 mongo-superuser-role: "users with one of these roles can assign themselves any privilege on any
# database" (built-in-roles, "Superuser Roles"), plus cluster-wide write/administration roles.
# Admin-only roles are listed bare; per-database roles count only on admin and are listed as role@admin.
SUPERUSER_ROLES = frozenset(
    {
        "root",
        "__system",
        "dbOwner@admin",
        "userAdmin@admin",
        "userAdminAnyDatabase",
        "dbAdminAnyDatabase",
        "readWriteAnyDatabase",
        "clusterAdmin",
        "restore",
        "atlasAdmin",
    }
)
# Holding one of these on admin or on every database lets a user create users or grant roles, hence any privilege.
SUPERUSER_ACTIONS = frozenset({"anyAction", "grantRole", "createUser", "createRole", "changePassword"})


def is_superuser_role(role: str, db: str, collection: str = "") -> bool:
    if collection or not is_builtin(role, db):
        return False
    return role in SUPERUSER_ROLES or f"{role}@{db}" in SUPERUSER_ROLES


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


def covers(resource: Resource, db: str, collection: str) -> bool:
    """Whether a privilege on `resource` applies to `{db, collection}` ("" = database level / every database)."""
    if resource.any_resource:
        return True
    if resource.cluster or resource.db is None or resource.collection is None:
        return False
    db_ok = resource.db == "" or (db != "" and resource.db == db)
    if collection == "":
        return db_ok and resource.collection == ""
    if collection.startswith("system."):
        # System collections are never covered by "" (resource-document: "except system collections").
        return db_ok and resource.collection == collection
    return db_ok and resource.collection in ("", collection)


def allows(privs: Sequence[Privilege], action: str, db: str, collection: str) -> Privilege | None:
    """The privilege granting `action` on `{db, collection}`, or None. `collection=""` asks for the database
    level (what changeStream on a whole database needs); `db=""` asks for every database."""
    for p in privs:
        if (action in p.actions or "anyAction" in p.actions) and covers(p.resource, db, collection):
            return p
    return None


def allows_cluster(privs: Sequence[Privilege], action: str) -> Privilege | None:
    """The privilege granting `action` on the cluster resource (`{cluster: true}` or anyResource)."""
    for p in privs:
        if (action in p.actions or "anyAction" in p.actions) and (p.resource.cluster or p.resource.any_resource):
            return p
    return None


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
