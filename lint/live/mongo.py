"""Read-only MongoDB probes (RULES.md §8): topology, version, the login's effective privileges, collection
options and pre/post-image retention, as the server itself reports them.

Two halves. `observe` is pure: it turns recorded command replies into a `MongoObserved` and never raises, so
it is tested against replies shaped exactly like a real server's. `probe` connects (pymongo, imported inside
the function so a static `replint check` never loads it) and sends only read-only commands: `hello`,
`buildInfo`, `connectionStatus`, `listCollections` and `getClusterParameter`. Nothing is created, written or
modified. Every message that leaves this module is built from the redacted URI; the password is never in one.

Reply shapes follow the MongoDB manual: https://www.mongodb.com/docs/manual/reference/command/hello/,
.../command/buildInfo/, .../command/connectionStatus/ (`showPrivileges: true`), .../command/listCollections/
(a cursor whose `firstBatch` holds `{name, type, options, info, idIndex}`) and .../command/getClusterParameter/
(`clusterParameters: [{_id: "changeStreamOptions", preAndPostImages: {expireAfterSeconds}}]`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lint.mongoprivs import ANY_RESOURCE, CLUSTER, Privilege, Resource
from lint.redact import MASK

if TYPE_CHECKING:
    from pymongo import MongoClient

CHECKS = ("hello", "buildInfo", "connectionStatus", "listCollections", "getClusterParameter")
CHECKPOINTS = "_powersync_checkpoints"
MAX_ITEMS = 10_000  # roles, privileges, collections and names kept from one reply
MAX_TEXT = 200  # longest server-provided text carried into a message
DEFAULT_PORT = 27017


@dataclass(frozen=True)
class MongoObserved:
    target: str  # "source" | "storage"
    display: str  # the URI without its password, for messages
    database: str  # the database probed ("" when neither the URI nor the config names one)
    reachable: bool
    error: str | None  # why nothing could be observed: one line, never containing the password
    set_name: str | None = None  # hello.setName (None: standalone, mongos or DocumentDB)
    is_mongos: bool = False  # hello.msg == "isdbgrid"
    documentdb: bool = False  # hello.internal.documentdb_versions (or the older cosmos_versions) present
    version: tuple[int, ...] | None = None  # (major, minor, patch) from buildInfo
    user: str | None = None  # authInfo.authenticatedUsers[0].user
    user_db: str | None = None
    roles: tuple[tuple[str, str], ...] = ()  # authenticatedUserRoles as (role, db)
    privileges: tuple[Privilege, ...] = ()  # authenticatedUserPrivileges, via=("observed",), origin=None
    auth_enabled: bool | None = None  # False: no authenticated user (auth disabled); None: unknown
    collections: dict[str, bool] = field(default_factory=dict)  # name -> changeStreamPreAndPostImages.enabled
    pre_post_expire_seconds: int | None = None  # changeStreamOptions.preAndPostImages.expireAfterSeconds
    skipped: tuple[tuple[str, str], ...] = ()  # (check, reason) for each command that gave no usable reply


# ---------------------------------------------------------------------------------------------------------
# Replies -> facts (pure)


def observe(replies: Mapping[str, Any], *, target: str, display: str, database: str) -> MongoObserved:
    """Facts from command replies keyed by command name (see `CHECKS`). A reply is the server's document, or
    `{"$error": {"code", "codeName", "errmsg"}}` (a raw `{ok: 0, ...}` reply is accepted too)."""
    hello = replies.get("hello") if isinstance(replies, Mapping) else None
    if not isinstance(hello, Mapping) or _error_of(hello) is not None:
        # hello needs no privileges and every driver sends it first: without it nothing else is meaningful.
        err = _error_of(hello) if isinstance(hello, Mapping) else None
        why = _reason(err) if err is not None else "no reply was recorded"
        return MongoObserved(target, display, database, False, f"the server did not answer hello: {why}")
    skipped: list[tuple[str, str]] = []

    def usable(check: str) -> Mapping[str, Any] | None:
        reply = replies.get(check)
        err = _error_of(reply) if isinstance(reply, Mapping) else {"errmsg": "no reply was recorded"}
        if err is not None:
            skipped.append((check, _reason(err)))
            return None
        return reply if isinstance(reply, Mapping) else None

    build = usable("buildInfo")
    status = usable("connectionStatus")
    listing = usable("listCollections")
    params = usable("getClusterParameter")

    internal = hello.get("internal")
    set_name = hello.get("setName")
    auth = status.get("authInfo") if status is not None else None
    user, user_db, auth_enabled = _authenticated_user(auth if isinstance(auth, Mapping) else None)
    if auth_enabled is False and _is_unauthorized(replies.get("listCollections")):
        # No authenticated user, yet the server refuses to list collections: authorization is on and the
        # connection simply carried no credentials (connectionStatus itself needs no privilege).
        auth_enabled = True
    return MongoObserved(
        target=target,
        display=display,
        database=database,
        reachable=True,
        error=None,
        set_name=set_name if isinstance(set_name, str) and set_name else None,
        is_mongos=hello.get("msg") == "isdbgrid",
        documentdb=isinstance(internal, Mapping)
        and (internal.get("documentdb_versions") is not None or internal.get("cosmos_versions") is not None),
        version=_version(build),
        user=user,
        user_db=user_db,
        roles=_roles(auth if isinstance(auth, Mapping) else None),
        privileges=_privileges(auth if isinstance(auth, Mapping) else None),
        auth_enabled=auth_enabled,
        collections=_collections(listing),
        pre_post_expire_seconds=_expire_after(params),
        skipped=tuple(skipped),
    )


def _error_of(reply: Any) -> Mapping[str, Any] | None:
    """The error document of a failed command, or None for a successful reply."""
    if not isinstance(reply, Mapping):
        return {"errmsg": "the reply is not a document"}
    if "$error" in reply:
        err = reply["$error"]
        return err if isinstance(err, Mapping) else {"errmsg": _one_line(err)}
    ok = reply.get("ok", 1)
    if isinstance(ok, (int, float)) and not isinstance(ok, bool) and ok == 0:
        return reply
    if ok is False:
        return reply
    return None


def _is_unauthorized(reply: Any) -> bool:
    err = _error_of(reply) if isinstance(reply, Mapping) else None
    return err is not None and (err.get("codeName") == "Unauthorized" or _code(err) == 13)


def _code(err: Mapping[str, Any]) -> int | None:
    code = err.get("code")
    return code if isinstance(code, int) and not isinstance(code, bool) else None


def _reason(err: Mapping[str, Any]) -> str:
    """Why a command gave nothing, in one line. Server messages can echo the whole command document
    (lsid, $clusterTime), so the common cases get a fixed phrase instead."""
    name = err.get("codeName")
    name = name if isinstance(name, str) and name else None
    code = _code(err)
    tag = ", ".join(x for x in (name, f"code {code}" if code is not None else None) if x)
    tail = f" ({tag})" if tag else ""
    if name == "Unauthorized" or code == 13:
        return f"the user is not authorized to run it{tail}"
    if name == "CommandNotFound" or code == 59:
        return f"the server does not support it{tail}"
    msg = _one_line(err.get("errmsg")) or "the command failed"
    return f"{msg}{tail}"


def _one_line(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


_VERSION_RE = re.compile(r"^\s*(\d{1,6})\.(\d{1,6})(?:\.(\d{1,6}))?")


def _version(build: Mapping[str, Any] | None) -> tuple[int, ...] | None:
    """(major, minor, patch). versionArray's fourth element is a build marker (negative for release
    candidates), so it is dropped."""
    if build is None:
        return None
    arr = build.get("versionArray")
    if isinstance(arr, list) and len(arr) >= 2 and all(_is_int(x) for x in arr[:3]):
        return tuple(int(x) for x in arr[:3])
    text = build.get("version")
    m = _VERSION_RE.match(text) if isinstance(text, str) else None
    if m is None:
        return None
    return tuple(int(g) for g in m.groups() if g is not None)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _authenticated_user(auth: Mapping[str, Any] | None) -> tuple[str | None, str | None, bool | None]:
    if auth is None:
        return None, None, None
    users = auth.get("authenticatedUsers")
    if not isinstance(users, list):
        return None, None, None
    if not users:
        # powersync-service replication-utils.ts does the same: no users (hence no privileges) = auth off.
        return None, None, False
    first = users[0]
    if not isinstance(first, Mapping):
        return None, None, True
    name, db = first.get("user"), first.get("db")
    return (name if isinstance(name, str) else None), (db if isinstance(db, str) else None), True


def _roles(auth: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    items = auth.get("authenticatedUserRoles") if auth is not None else None
    if not isinstance(items, list):
        return ()
    out: dict[tuple[str, str], None] = {}
    for item in items[:MAX_ITEMS]:
        if isinstance(item, Mapping):
            role, db = item.get("role"), item.get("db")
            if isinstance(role, str) and isinstance(db, str):
                out[(role, db)] = None
    return tuple(out)


def _privileges(auth: Mapping[str, Any] | None) -> tuple[Privilege, ...]:
    items = auth.get("authenticatedUserPrivileges") if auth is not None else None
    if not isinstance(items, list):
        return ()
    out: list[Privilege] = []
    for item in items[:MAX_ITEMS]:
        if not isinstance(item, Mapping):
            continue
        resource = _resource(item.get("resource"))
        actions = item.get("actions")
        if resource is None or not isinstance(actions, list):
            continue
        names = frozenset(a for a in actions[:MAX_ITEMS] if isinstance(a, str))
        if names:
            out.append(Privilege(resource, names, ("observed",), None))
    return tuple(out)


def _resource(doc: Any) -> Resource | None:
    """A resource document (https://www.mongodb.com/docs/manual/reference/resource-document/); others the
    server may list, such as `{db, system_buckets}`, are left out: no PowerSync check is about them."""
    if not isinstance(doc, Mapping):
        return None
    if doc.get("anyResource") is True:
        return ANY_RESOURCE
    if doc.get("cluster") is True:
        return CLUSTER
    db, coll = doc.get("db"), doc.get("collection")
    if isinstance(db, str) and isinstance(coll, str):
        return Resource(db, coll)
    return None


def _collections(listing: Mapping[str, Any] | None) -> dict[str, bool]:
    cursor = listing.get("cursor") if listing is not None else None
    batch = cursor.get("firstBatch") if isinstance(cursor, Mapping) else None
    if not isinstance(batch, list):
        return {}
    out: dict[str, bool] = {}
    for doc in batch[:MAX_ITEMS]:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("name"), str):
            continue
        options = doc.get("options")
        images = options.get("changeStreamPreAndPostImages") if isinstance(options, Mapping) else None
        out[doc["name"]] = isinstance(images, Mapping) and images.get("enabled") is True
    return out


def _expire_after(params: Mapping[str, Any] | None) -> int | None:
    """expireAfterSeconds, or None when it is "off" (images live as long as their oplog entries)."""
    items = params.get("clusterParameters") if params is not None else None
    if not isinstance(items, list):
        return None
    for item in items[:MAX_ITEMS]:
        if isinstance(item, Mapping) and item.get("_id") == "changeStreamOptions":
            images = item.get("preAndPostImages")
            value = images.get("expireAfterSeconds") if isinstance(images, Mapping) else None
            return value if _is_int(value) else None
    return None


# ---------------------------------------------------------------------------------------------------------
# Connection strings


@dataclass(frozen=True)
class _Uri:
    scheme: str
    user: str  # percent-decoded
    password: str  # raw, as written ("" when none)
    hosts: tuple[str, ...]  # as written, e.g. ("mongo:27017", "[::1]")
    database: str  # percent-decoded URI path ("" when none)
    params: tuple[tuple[str, str], ...]  # raw key/value pairs, in order


_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)
# URI options whose value is a secret (https://www.mongodb.com/docs/manual/reference/connection-options/):
# the key-file passphrase, and authMechanismProperties, which may carry AWS_SESSION_TOKEN.
_SECRET_PARAM_RE = re.compile(r"password|secret|token|authmechanismproperties", re.I)


def _split(uri: str) -> _Uri | None:
    m = _SCHEME_RE.match(uri.strip())
    if m is None:
        return None
    rest = m.group(2)
    # The user info ends at the *last* '@': a password written without percent-encoding may itself
    # contain '@', '/', '?' or '#', and everything before the last '@' is then hidden. A '@' in a query
    # value only makes the display wrong, never reveals the password.
    userinfo, at, tail = rest.rpartition("@")
    if not at:
        userinfo, tail = "", rest
    user, _, password = userinfo.partition(":")
    tail = tail.partition("#")[0]
    tail, _, query = tail.partition("?")
    hostpart, _, path = tail.partition("/")
    params = tuple((key, value) for key, _, value in (item.partition("=") for item in query.split("&") if item))
    return _Uri(
        scheme=m.group(1).lower(),
        user=unquote(user),
        password=password,
        hosts=tuple(h for h in hostpart.split(",") if h),
        database=unquote(path),
        params=params,
    )


def redact_uri(uri: str) -> str:
    """`mongodb[+srv]://user@hosts/db?options` with the password removed and secret-valued options masked."""
    parts = _split(uri)
    if parts is None:
        return "(not a mongodb:// connection string)"
    out = f"{parts.scheme}://"
    if parts.user:
        out += f"{parts.user}@"
    out += ",".join(parts.hosts)
    if parts.database:
        out += f"/{parts.database}"
    if parts.params:
        shown = [f"{k}={MASK}" if _SECRET_PARAM_RE.search(k) else (f"{k}={v}" if v else k) for k, v in parts.params]
        out += ("" if parts.database else "/") + "?" + "&".join(shown)
    return out


def _host_label(parts: _Uri | None) -> str:
    if parts is None or not parts.hosts:
        return "the server"
    if parts.scheme == "mongodb+srv":
        return ",".join(parts.hosts)
    return ",".join(h if re.search(r":\d+$", h) else f"{h}:{DEFAULT_PORT}" for h in parts.hosts)


def _secrets(parts: _Uri | None) -> tuple[str, ...]:
    if parts is None:
        return ()
    values = [parts.password, *(v for k, v in parts.params if _SECRET_PARAM_RE.search(k))]
    return tuple({s for v in values if v for s in (v, unquote(v))})


def _leaks(text: str, secrets: Sequence[str]) -> bool:
    """Whether `text` contains a secret or any run of 4+ of its characters (pymongo's URI errors quote
    fragments of a mis-encoded URI, e.g. `Bad database name "ss@host/db"`)."""
    for secret in secrets:
        if len(secret) < 4:
            if secret in text:
                return True
            continue
        if any(secret[i : i + 4] in text for i in range(len(secret) - 3)):
            return True
    return False


# ---------------------------------------------------------------------------------------------------------
# Probe (network)


def probe(
    uri: str,
    *,
    target: str,
    database: str | None,
    collections: Sequence[str],
    timeout_s: float = 5.0,
) -> MongoObserved:
    """Connect read-only and observe; never raises. `database` (the config's `database:`) wins over the
    URI path; with neither, listCollections is skipped."""
    parts = _split(uri)
    display = redact_uri(uri)
    db_name = database or (parts.database if parts else "") or ""
    hosts = _host_label(parts)
    secrets = _secrets(parts)

    def failed(error: str) -> MongoObserved:
        return MongoObserved(target, display, db_name, False, error)

    try:
        import pymongo
    except ImportError:
        return failed("pymongo is not installed; install it (pip install pymongo) to run live MongoDB checks")

    timeout_ms = max(1, int(timeout_s * 1000))
    client: MongoClient[dict[str, Any]] | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unknown-option warnings would echo parts of the URI to stderr
            # TLS, directConnection, replicaSet and authSource come from the URI, exactly as PowerSync reads it.
            client = pymongo.MongoClient(
                uri,
                appname="replint",
                serverSelectionTimeoutMS=timeout_ms,
                connectTimeoutMS=timeout_ms,
                socketTimeoutMS=timeout_ms,
                readPreference="primaryPreferred",
                retryWrites=False,
                maxPoolSize=1,
            )
    except Exception as exc:  # pymongo parses the URI here; its messages may quote a mis-encoded password
        return failed(
            _malformed_userinfo(parts) or _failure(exc, hosts, parts.user if parts else "", timeout_s, secrets)
        )
    try:
        # One deadline for every command of the target (pymongo's client-side operation timeout), so a server
        # that answers slowly cannot make `--live-timeout` apply five times over.
        with pymongo.timeout(timeout_s):
            replies = _collect(client, db_name, collections, timeout_s, secrets)
    except Exception as exc:  # any driver failure is a finding, never a crash
        return failed(_failure(exc, hosts, parts.user if parts else "", timeout_s, secrets))
    finally:
        if client is not None:
            client.close()
    return observe(replies, target=target, display=display, database=db_name)


def _malformed_userinfo(parts: _Uri | None) -> str | None:
    """pymongo rejects an unescaped reserved character in the user info with a message that can quote part
    of the password (`Bad database name "ss@host/db"`); say what is wrong ourselves instead."""
    if parts is None or not parts.password:
        return None
    if re.search(r"[:/?#\[\]@]", parts.password) or re.search(r"[/?#\[\]]", parts.user):
        return (
            "the user name or password in the connection string is not percent-encoded "
            "(RFC 3986: encode @ : / ? # [ ] in credentials)"
        )
    return None


def _collect(
    client: MongoClient[dict[str, Any]],
    database: str,
    collections: Sequence[str],
    timeout_s: float,
    secrets: Sequence[str],
) -> dict[str, Any]:
    """Run the read-only commands. A failed `hello` (unreachable, authentication) propagates; any later
    failure becomes that command's `$error` reply."""
    pref = client.read_preference
    admin = client.admin
    replies: dict[str, Any] = {"hello": admin.command("hello", read_preference=pref)}

    def attempt(check: str, run: Callable[[], Any]) -> None:
        replies[check] = _attempt(run, timeout_s, secrets)

    attempt("buildInfo", lambda: admin.command("buildInfo", read_preference=pref))
    # connectionStatus lists the login's privileges on every database; run it where PowerSync does.
    status_db = client[database or "admin"]
    attempt(
        "connectionStatus",
        lambda: status_db.command({"connectionStatus": 1, "showPrivileges": True}, read_preference=pref),
    )
    if database:
        wanted = [n for n in collections if isinstance(n, str) and n != CHECKPOINTS]
        names = [*list(dict.fromkeys(wanted))[: MAX_ITEMS - 1], CHECKPOINTS]
        command = {"listCollections": 1, "filter": {"name": {"$in": names}}, "nameOnly": False}
        attempt("listCollections", lambda: client[database].command(command, read_preference=pref))
    else:
        replies["listCollections"] = {"$error": {"errmsg": "no database is named in the URI or the config"}}
    attempt(
        "getClusterParameter",
        lambda: admin.command({"getClusterParameter": "changeStreamOptions"}, read_preference=pref),
    )
    return replies


def _attempt(run: Callable[[], Any], timeout_s: float, secrets: Sequence[str]) -> Any:
    from pymongo.errors import ConnectionFailure, OperationFailure

    try:
        return run()
    except OperationFailure as exc:
        details = exc.details if isinstance(exc.details, Mapping) else {}
        errmsg = _one_line(details.get("errmsg") or str(exc))
        return {
            "$error": {
                "code": exc.code,
                "codeName": details.get("codeName"),
                "errmsg": "" if _leaks(errmsg, secrets) else errmsg,
            }
        }
    except ConnectionFailure as exc:
        timed_out = "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()
        text = f"timed out after {timeout_s:g} s" if timed_out else "the connection was lost"
        return {"$error": {"codeName": type(exc).__name__, "errmsg": text}}
    except Exception as exc:
        return {"$error": {"codeName": type(exc).__name__, "errmsg": "the driver could not run it"}}


_REFUSED = ("connection refused",)
_UNRESOLVED = (
    "name or service not known",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "dns query name does not exist",
    "dns operation timed out",
    "resolution lifetime expired",
)
_TLS_RE = re.compile(r"\[SSL[^\]]*\][^'\"(),>]*|certificate verify failed[^'\"(),>]*|tlsv1 alert[^'\"(),>]*", re.I)


def _failure(exc: BaseException, hosts: str, user: str, timeout_s: float, secrets: Sequence[str]) -> str:
    """One line saying why the probe could not observe anything: host and user, never the password."""
    from pymongo import errors

    text = str(exc)
    low = text.lower()
    if isinstance(exc, errors.OperationFailure):
        if exc.code in (18, 8000) or "authentication failed" in low or "bad auth" in low:
            # 18 AuthenticationFailed; Atlas answers 8000 AtlasError "bad auth : authentication failed".
            who = f"user {user}" if user else "the connection (the URI names no user)"
            return f"authentication failed for {who} on {hosts}"
        details = exc.details if isinstance(exc.details, Mapping) else {}
        return f"{hosts} refused hello: {_reason({**details, 'code': exc.code})}"
    if any(s in low for s in _UNRESOLVED):
        return f"cannot resolve host {hosts}"
    if any(s in low for s in _REFUSED):
        return f"connection refused by {hosts}"
    tls = _TLS_RE.search(text)
    if tls is not None or ("ssl" in low and "handshake" in low):
        detail = _one_line(tls.group(0)) if tls is not None else ""
        detail = "" if _leaks(detail, secrets) else detail.strip(" :")
        return f"TLS handshake failed with {hosts}" + (f": {detail}" if detail else "")
    if isinstance(exc, errors.ServerSelectionTimeoutError):
        return f"timed out after {timeout_s:g} s selecting a server at {hosts}"
    if isinstance(exc, errors.ConnectionFailure):
        if "timed out" in low:
            return f"timed out after {timeout_s:g} s connecting to {hosts}"
        return f"connection to {hosts} failed"
    if isinstance(exc, (errors.ConfigurationError, ValueError)):
        detail = _one_line(text)
        detail = "" if _leaks(detail, secrets) else detail
        return "invalid connection string" + (f": {detail}" if detail else "")
    return f"cannot connect to {hosts}: {type(exc).__name__}"


__all__ = ["CHECKS", "MongoObserved", "observe", "probe", "redact_uri"]
