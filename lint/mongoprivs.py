"""MongoDB's privilege vocabulary: resources, privileges, built-in roles and what they allow.

Built-in roles are expanded to (resource, actions) pairs after
https://www.mongodb.com/docs/manual/reference/built-in-roles/ (self-managed deployments). Resource matching
follows https://www.mongodb.com/docs/manual/reference/resource-document/: `{db: "app", collection: ""}` is every
non-system collection of `app` (and the database itself), `""` for both is every non-system collection of every
database, and a system collection (`system.*`) is only covered when it is named.

A leaf module: the model (`lint.model.mongoauth`, which replays setup scripts) and the live probe
(`lint.live.mongo`, which reads a server's roles) share it, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lint.span import Span


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
