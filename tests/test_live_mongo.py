"""Live MongoDB probes (RULES.md §8).

A MongoDB server cannot be installed on this machine (there is no package for it, and no network beyond PyPI),
so the probe's reply handling is tested against recorded replies: `tests/data/mongo_replies/*.json` hold one
reply per command, shaped exactly like a real server's (MongoDB manual: hello, buildInfo, connectionStatus with
showPrivileges, the listCollections cursor, getClusterParameter), in relaxed Extended JSON. `probe()` itself is
tested without a server: against a closed loopback port, and with pymongo's client replaced by a fake that
answers from the recordings and logs every command sent. One test runs against a real server when
REPLINT_TEST_MONGODB_URI is set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pymongo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo.errors import (
    ConfigurationError,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from lint.live import mongo
from lint.live.mongo import MongoObserved, observe, probe, redact_uri
from lint.mongoprivs import ANY_RESOURCE, CLUSTER, Privilege, Resource, allows

REPLIES = Path(__file__).parent / "data" / "mongo_replies"
CHECKPOINT_ACTIONS = ("createCollection", "dropCollection", "find", "changeStream", "insert", "update", "remove")
PASSWORD = "Pl4nted-S3cret!x"


def recording(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REPLIES / f"{name}.json").read_text())
    return data


def observed(name: str, database: str = "app", target: str = "source") -> MongoObserved:
    return observe(recording(name), target=target, display="mongodb://powersync@mongo:27017/app", database=database)


def obs_priv(db: str, collection: str, *actions: str) -> Privilege:
    return Privilege(Resource(db, collection), frozenset(actions), ("observed",), None)


# ---------------------------------------------------------------------------------------------------------
# observe(): recorded replies


def test_replica_set_primary_7_with_custom_role() -> None:
    o = observed("rs-primary-7.0")
    assert o.target == "source"
    assert o.display == "mongodb://powersync@mongo:27017/app"
    assert o.database == "app"
    assert o.reachable is True
    assert o.error is None
    assert o.set_name == "rs0"
    assert o.is_mongos is False
    assert o.documentdb is False
    assert o.version == (7, 0, 14)
    assert (o.user, o.user_db) == ("powersync", "admin")
    assert o.roles == (("powersyncRepl", "admin"),)
    assert o.privileges == (
        obs_priv("app", "", "changeStream", "find", "listCollections"),
        obs_priv("app", "_powersync_checkpoints", *CHECKPOINT_ACTIONS),
    )
    assert o.auth_enabled is True
    assert o.collections == {"todos": True, "comments": False, "_powersync_checkpoints": True, "lists": True}
    assert o.pre_post_expire_seconds == 600
    assert o.skipped == ()


def test_observed_privileges_feed_mongoauth_matching() -> None:
    # The lead evaluates RULES.md §5 on observed privileges with the same matcher as the static rules.
    privs = observed("rs-primary-7.0").privileges
    assert allows(privs, "changeStream", "app", "") == privs[0]  # database-level changeStream
    assert allows(privs, "find", "app", "todos") == privs[0]
    for action in CHECKPOINT_ACTIONS:
        assert allows(privs, action, "app", "_powersync_checkpoints") is not None
    assert allows(privs, "insert", "app", "todos") is None
    assert allows(privs, "collMod", "app", "todos") is None


def test_standalone_6_as_root() -> None:
    o = observed("standalone-6.0")
    assert o.set_name is None
    assert o.is_mongos is False
    assert o.version == (6, 0, 19)
    assert (o.user, o.user_db) == ("admin", "admin")
    assert o.roles == (("root", "admin"),)
    # The time-series {db, system_buckets} resource is not one PowerSync checks: left out.
    assert [p.resource for p in o.privileges] == [
        CLUSTER,
        Resource("", ""),
        Resource("admin", "system.users"),
        Resource("admin", "system.roles"),
    ]
    assert "grantRole" in o.privileges[1].actions
    assert o.collections == {"lists": True, "todos": False}
    assert o.pre_post_expire_seconds is None
    assert o.skipped == (
        ("getClusterParameter", "getClusterParameter cannot be run on standalones (IllegalOperation, code 20)"),
    )


def test_mongos_7() -> None:
    o = observed("mongos-7.0")
    assert o.is_mongos is True
    assert o.set_name is None
    assert o.documentdb is False
    assert o.version == (7, 0, 12)
    assert o.roles == (("read", "app"), ("powersyncCheckpoints", "admin"))
    assert [p.resource for p in o.privileges] == [
        Resource("app", ""),
        Resource("app", "system.js"),
        Resource("app", "_powersync_checkpoints"),
    ]
    assert o.collections == {"todos": False, "lists": False}
    assert o.pre_post_expire_seconds is None  # "off"
    assert o.skipped == ()


def test_documentdb_answers_like_a_mongos_but_is_flagged() -> None:
    o = observed("documentdb")
    assert o.documentdb is True
    assert o.is_mongos is True  # the gateway really says msg: "isdbgrid"; policies check documentdb first
    assert o.set_name is None
    assert o.version == (7, 0, 0)
    assert o.roles == (("readWriteAnyDatabase", "admin"), ("clusterAdmin", "admin"))
    assert o.privileges[1] == Privilege(
        CLUSTER, frozenset({"listDatabases", "killAnyCursor", "killop", "serverStatus"}), ("observed",), None
    )
    assert o.collections == {"todos": False}
    assert o.skipped == (("getClusterParameter", "the server does not support it (CommandNotFound, code 59)"),)


def test_older_cosmos_versions_name_is_documentdb_too() -> None:
    replies = recording("documentdb")
    replies["hello"]["internal"] = {"cosmos_versions": ["1.104-1", "1.105.0", "12.1-1"]}
    replies["hello"]["setName"] = "globaldb"
    o = observe(replies, target="source", display="d", database="app")
    assert o.documentdb is True
    assert o.set_name == "globaldb"


def test_auth_disabled() -> None:
    o = observed("auth-disabled-7.0", database="powersync_demo")
    assert o.database == "powersync_demo"
    assert o.set_name == "rs0"
    assert o.auth_enabled is False
    assert (o.user, o.user_db) == (None, None)
    assert o.roles == ()
    assert o.privileges == ()
    assert o.collections == {"lists": False, "todos": False}
    assert o.pre_post_expire_seconds is None
    assert o.skipped == ()


def test_no_credentials_on_a_server_with_auth() -> None:
    o = observed("no-credentials-7.0")
    assert o.auth_enabled is True  # listCollections refused: authorization is on
    assert o.user is None
    assert o.privileges == ()
    assert o.collections == {}
    assert o.skipped == (
        ("listCollections", "the user is not authorized to run it (Unauthorized, code 13)"),
        ("getClusterParameter", "the user is not authorized to run it (Unauthorized, code 13)"),
    )


def test_unauthorized_get_cluster_parameter() -> None:
    o = observed("unauthorized-cluster-param-7.0")
    assert o.set_name == "rs-prod"
    assert (o.user, o.user_db) == ("powersync", "app")
    assert o.roles == (("readWrite", "app"), ("read", "app"))
    assert "insert" in o.privileges[0].actions  # readWrite on the whole database: an overgrant
    assert o.collections == {"todos": True, "lists": False}
    assert o.pre_post_expire_seconds is None
    # The server's errmsg echoes the whole command document (lsid, $clusterTime): not carried over.
    assert o.skipped == (("getClusterParameter", "the user is not authorized to run it (Unauthorized, code 13)"),)


def test_mongodb_5() -> None:
    o = observed("rs-5.0")
    assert o.version == (5, 0, 28)
    assert o.set_name == "rs0"
    assert o.collections == {"todos": False, "lists": False}
    assert o.skipped == (("getClusterParameter", "the server does not support it (CommandNotFound, code 59)"),)


@pytest.mark.parametrize("path", sorted(REPLIES.glob("*.json")), ids=lambda p: p.stem)
def test_every_recording_is_reachable(path: Path) -> None:
    o = observe(json.loads(path.read_text()), target="storage", display="x", database="app")
    assert o.reachable and o.error is None and o.version is not None and o.target == "storage"


def test_raw_error_reply_is_accepted() -> None:
    replies = recording("rs-primary-7.0")
    replies["buildInfo"] = {
        "ok": 0,
        "errmsg": "operation exceeded time limit",
        "code": 50,
        "codeName": "MaxTimeMSExpired",
    }
    o = observe(replies, target="source", display="d", database="app")
    assert o.version is None
    assert o.skipped == (("buildInfo", "operation exceeded time limit (MaxTimeMSExpired, code 50)"),)


def test_missing_replies_are_skipped() -> None:
    replies = {"hello": recording("rs-primary-7.0")["hello"]}
    o = observe(replies, target="source", display="d", database="app")
    assert o.reachable and o.set_name == "rs0"
    assert o.auth_enabled is None
    assert [c for c, _ in o.skipped] == ["buildInfo", "connectionStatus", "listCollections", "getClusterParameter"]
    assert {r for _, r in o.skipped} == {"no reply was recorded"}


@pytest.mark.parametrize(
    "hello",
    [None, {"$error": {"code": 6, "codeName": "HostUnreachable", "errmsg": "connection reset"}}, "garbage"],
)
def test_no_hello_means_unreachable(hello: Any) -> None:
    replies: dict[str, Any] = {} if hello is None else {"hello": hello}
    o = observe(replies, target="source", display="d", database="app")
    assert o.reachable is False
    assert o.error is not None and o.error.startswith("the server did not answer hello: ")
    assert o.set_name is None and o.skipped == ()


def test_unreachable_hello_error_text() -> None:
    o = observe(
        {"hello": {"$error": {"code": 6, "codeName": "HostUnreachable", "errmsg": "connection reset"}}},
        target="source",
        display="d",
        database="app",
    )
    assert o.error == "the server did not answer hello: connection reset (HostUnreachable, code 6)"


@pytest.mark.parametrize(
    ("build", "version"),
    [
        ({"version": "8.0.3", "versionArray": [8, 0, 3, 0]}, (8, 0, 3)),
        ({"version": "7.0.0-rc1", "versionArray": [7, 0, 0, -49]}, (7, 0, 0)),  # release-candidate marker dropped
        ({"version": "6.0.19-ent"}, (6, 0, 19)),
        ({"version": "6.0"}, (6, 0)),
        ({"version": "unknown", "versionArray": ["7", "0"]}, None),
        ({"versionArray": [True, False]}, None),
        ({}, None),
    ],
)
def test_version_parsing(build: dict[str, Any], version: tuple[int, ...] | None) -> None:
    replies = recording("rs-primary-7.0")
    replies["buildInfo"] = {**build, "ok": 1.0}
    assert observe(replies, target="source", display="d", database="app").version == version


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(3600, 3600), ("off", None), (True, None), (12.5, None), ({"$numberLong": "60"}, None)],
)
def test_expire_after_seconds(value: Any, seconds: int | None) -> None:
    replies = recording("rs-primary-7.0")
    replies["getClusterParameter"]["clusterParameters"][0]["preAndPostImages"]["expireAfterSeconds"] = value
    assert observe(replies, target="source", display="d", database="app").pre_post_expire_seconds == seconds


def test_any_resource_privilege() -> None:
    replies = recording("rs-primary-7.0")
    replies["connectionStatus"]["authInfo"]["authenticatedUserPrivileges"] = [
        {"resource": {"anyResource": True}, "actions": ["anyAction"]},
        {"resource": {"db": "app"}, "actions": ["find"]},  # malformed: no collection
        {"resource": {"db": "app", "collection": ""}, "actions": []},  # no actions
        {"resource": {"db": "app", "collection": ""}, "actions": ["find", 7]},
    ]
    o = observe(replies, target="source", display="d", database="app")
    assert o.privileges == (
        Privilege(ANY_RESOURCE, frozenset({"anyAction"}), ("observed",), None),
        obs_priv("app", "", "find"),
    )


# ---------------------------------------------------------------------------------------------------------
# redact_uri


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (f"mongodb://powersync:{PASSWORD}@mongo:27017/app", "mongodb://powersync@mongo:27017/app"),
        (
            "mongodb+srv://powersync:pw%40x@cluster0.ab12c.mongodb.net/app?retryWrites=true&w=majority",
            "mongodb+srv://powersync@cluster0.ab12c.mongodb.net/app?retryWrites=true&w=majority",
        ),
        (
            "mongodb://m0:27017,m1:27017,m2:27017/?replicaSet=rs0&authSource=admin",
            "mongodb://m0:27017,m1:27017,m2:27017/?replicaSet=rs0&authSource=admin",
        ),
        (
            "mongodb://aws@h/app?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc"
            "&tls=true&tlsCertificateKeyFilePassword=kp",
            "mongodb://aws@h/app?authMechanism=MONGODB-AWS&authMechanismProperties=****&tls=true"
            "&tlsCertificateKeyFilePassword=****",
        ),
        ("mongodb://u:p@ss:w/rd@host:27017/db#frag", "mongodb://u@host:27017/db"),  # unescaped: still hidden
        ("mongodb://localhost", "mongodb://localhost"),
        ("MONGODB://u:pw@h", "mongodb://u@h"),
        ("host=db user=x password=y", "(not a mongodb:// connection string)"),
    ],
)
def test_redact_uri(uri: str, shown: str) -> None:
    assert redact_uri(uri) == shown


@given(password=st.text(min_size=1, max_size=40))
@settings(max_examples=200, deadline=None)
def test_redact_uri_never_shows_the_password(password: str) -> None:
    assert redact_uri(f"mongodb://powersync:{password}@mongo:27017/app?tls=true") == (
        "mongodb://powersync@mongo:27017/app?tls=true"
    )


# ---------------------------------------------------------------------------------------------------------
# probe(): no server


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_probe_unreachable_loopback_port() -> None:
    port = closed_port()
    uri = f"mongodb://powersync:{PASSWORD}@127.0.0.1:{port}/app?authSource=admin"
    started = time.monotonic()
    o = probe(uri, target="source", database=None, collections=["todos"], timeout_s=0.5)
    assert time.monotonic() - started < 5
    assert o.reachable is False
    assert o.error == f"connection refused by 127.0.0.1:{port}"
    assert o.display == f"mongodb://powersync@127.0.0.1:{port}/app?authSource=admin"
    assert o.database == "app"
    assert PASSWORD not in repr(o)


def test_probe_mis_encoded_password_is_not_quoted() -> None:
    # pymongo's own message would be 'Bad database name "ss@host/db"', quoting part of the password.
    o = probe("mongodb://u:Secr/etss@host/db", target="source", database=None, collections=[], timeout_s=0.5)
    assert o.reachable is False
    assert o.error == (
        "the user name or password in the connection string is not percent-encoded "
        "(RFC 3986: encode @ : / ? # [ ] in credentials)"
    )
    assert "etss" not in repr(o)


def test_probe_invalid_option_value() -> None:
    o = probe(f"mongodb://u:{PASSWORD}@host:99999/db", target="source", database=None, collections=[])
    assert o.error == "invalid connection string: Port must be an integer between 0 and 65535"
    assert PASSWORD not in repr(o)


def test_importing_the_module_does_not_load_pymongo() -> None:
    code = "import sys, lint.live.mongo; sys.exit(1 if 'pymongo' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


class FakeDb:
    def __init__(self, client: FakeClient, name: str) -> None:
        self.client, self.name = client, name

    def command(self, command: Any, read_preference: Any = None) -> Any:
        name = command if isinstance(command, str) else next(iter(command))
        self.client.sent.append((self.name, command))
        assert read_preference is self.client.read_preference
        answer = self.client.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeClient:
    """Stands in for pymongo.MongoClient: answers from a recording, logs what is sent."""

    read_preference = object()

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.sent: list[tuple[str, Any]] = []
        self.closed = False
        self.kwargs: dict[str, Any] = {}

    @property
    def admin(self) -> FakeDb:
        return FakeDb(self, "admin")

    def __getitem__(self, name: str) -> FakeDb:
        return FakeDb(self, name)

    def close(self) -> None:
        self.closed = True


def install(monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any]) -> FakeClient:
    fake = FakeClient(answers)

    def factory(uri: str, **kwargs: Any) -> FakeClient:
        fake.kwargs = {"uri": uri, **kwargs}
        return fake

    monkeypatch.setattr(pymongo, "MongoClient", factory)
    return fake


def test_probe_sends_only_the_read_only_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install(monkeypatch, recording("rs-primary-7.0"))
    uri = f"mongodb://powersync:{PASSWORD}@mongo-0.mongo:27017/app?replicaSet=rs0&tls=true"
    o = probe(uri, target="source", database=None, collections=["todos", "lists", "todos"], timeout_s=2.5)
    assert fake.sent == [
        ("admin", "hello"),
        ("admin", "buildInfo"),
        ("app", {"connectionStatus": 1, "showPrivileges": True}),
        (
            "app",
            {
                "listCollections": 1,
                "filter": {"name": {"$in": ["todos", "lists", "_powersync_checkpoints"]}},
                "nameOnly": False,
            },
        ),
        ("admin", {"getClusterParameter": "changeStreamOptions"}),
    ]
    assert fake.kwargs == {
        "uri": uri,
        "appname": "replint",
        "serverSelectionTimeoutMS": 2500,
        "connectTimeoutMS": 2500,
        "socketTimeoutMS": 2500,
        "readPreference": "primaryPreferred",
        "retryWrites": False,
        "maxPoolSize": 1,
    }
    assert fake.closed
    assert o == observe(
        recording("rs-primary-7.0"),
        target="source",
        display="mongodb://powersync@mongo-0.mongo:27017/app?replicaSet=rs0&tls=true",
        database="app",
    )


def test_probe_config_database_wins_and_failures_become_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = recording("rs-primary-7.0")
    answers["getClusterParameter"] = OperationFailure(
        "not authorized on admin to execute command { getClusterParameter: ... }",
        13,
        {"ok": 0.0, "errmsg": "not authorized on admin", "code": 13, "codeName": "Unauthorized"},
    )
    answers["listCollections"] = NetworkTimeout("mongo-0.mongo:27017: timed out")
    fake = install(monkeypatch, answers)
    o = probe("mongodb://powersync:pw@mongo-0.mongo/ignored", target="source", database="app", collections=[])
    assert [db for db, _ in fake.sent] == ["admin", "admin", "app", "app", "admin"]
    assert o.database == "app"
    assert o.reachable
    assert o.skipped == (
        ("listCollections", "timed out after 5 s (NetworkTimeout)"),
        ("getClusterParameter", "the user is not authorized to run it (Unauthorized, code 13)"),
    )


def test_probe_without_a_database(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install(monkeypatch, recording("rs-primary-7.0"))
    o = probe(
        "mongodb://powersync:pw@mongo:27017/?authSource=admin", target="source", database=None, collections=["todos"]
    )
    assert [(db, c if isinstance(c, str) else next(iter(c))) for db, c in fake.sent] == [
        ("admin", "hello"),
        ("admin", "buildInfo"),
        ("admin", "connectionStatus"),
        ("admin", "getClusterParameter"),
    ]
    assert o.database == ""
    assert o.skipped == (("listCollections", "no database is named in the URI or the config"),)


def test_probe_authentication_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = install(
        monkeypatch,
        {
            "hello": OperationFailure(
                "Authentication failed.", 18, {"ok": 0, "code": 18, "codeName": "AuthenticationFailed"}
            )
        },
    )
    o = probe(f"mongodb://powersync:{PASSWORD}@mongo-0.mongo/app", target="storage", database=None, collections=[])
    assert o.reachable is False
    assert o.error == "authentication failed for user powersync on mongo-0.mongo:27017"
    assert o.target == "storage"
    assert fake.closed
    assert [c for _, c in fake.sent] == ["hello"]
    assert PASSWORD not in repr(o)


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (
            ServerSelectionTimeoutError(
                "mongo:27017: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate "
                "(_ssl.c:1006) (configured timeouts: socketTimeoutMS: 5000.0ms, connectTimeoutMS: 5000.0ms), "
                "Timeout: 5.0s, Topology Description: <...>"
            ),
            "TLS handshake failed with mongo:27017: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self-signed certificate",
        ),
        (
            ServerSelectionTimeoutError("mongo:27017: [Errno -2] Name or service not known (configured timeouts...)"),
            "cannot resolve host mongo:27017",
        ),
        (
            ServerSelectionTimeoutError("mongo:27017: timed out (configured timeouts: ...), Timeout: 5.0s"),
            "timed out after 5 s selecting a server at mongo:27017",
        ),
        (
            ServerSelectionTimeoutError('No replica set members match selector "Primary()", Timeout: 5.0s'),
            "timed out after 5 s selecting a server at mongo:27017",
        ),
        (
            OperationFailure("bad auth : authentication failed", 8000, {"codeName": "AtlasError"}),
            "authentication failed for user powersync on mongo:27017",
        ),
        (
            ConfigurationError(f"The DNS query name does not exist: _mongodb._tcp.{PASSWORD}."),
            "cannot resolve host mongo:27017",
        ),
        (ConfigurationError(f"unknown option {PASSWORD}"), "invalid connection string"),
        (RuntimeError("boom"), "cannot connect to mongo:27017: RuntimeError"),
    ],
)
def test_failure_messages(monkeypatch: pytest.MonkeyPatch, exc: Exception, error: str) -> None:
    install(monkeypatch, {"hello": exc})
    o = probe(f"mongodb://powersync:{PASSWORD}@mongo/app", target="source", database=None, collections=[])
    assert (o.reachable, o.error) == (False, error)
    assert PASSWORD not in repr(o)


@pytest.mark.skipif(
    not os.environ.get("REPLINT_TEST_MONGODB_URI"),
    reason="set REPLINT_TEST_MONGODB_URI to run against a real MongoDB",
)
def test_probe_real_server() -> None:
    uri = os.environ["REPLINT_TEST_MONGODB_URI"]
    o = probe(uri, target="source", database=None, collections=["todos"], timeout_s=5.0)
    assert o.reachable, o.error
    assert o.version is not None


# ---------------------------------------------------------------------------------------------------------
# Robustness: observe never raises


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)


@given(replies=st.dictionaries(st.sampled_from([*mongo.CHECKS, "other"]), json_values, max_size=6))
@settings(max_examples=200, deadline=None)
def test_observe_random_replies_never_raise(replies: dict[str, Any]) -> None:
    o = observe(replies, target="source", display="d", database="app")
    assert isinstance(o, MongoObserved)
    assert (o.error is None) == o.reachable


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


RECORDINGS = {p.stem: json.loads(p.read_text()) for p in sorted(REPLIES.glob("*.json"))}


@given(name=st.sampled_from(sorted(RECORDINGS)), data=st.data(), value=json_values)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_observe_mutated_recordings_never_raise(name: str, data: st.DataObject, value: Any) -> None:
    replies = json.loads(json.dumps(RECORDINGS[name]))
    path = data.draw(st.sampled_from(_paths(replies)[1:]))
    parent = replies
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    o = observe(replies, target="source", display="d", database="app")
    assert isinstance(o, MongoObserved)
