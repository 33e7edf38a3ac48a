"""The closed JSON Schema for PowerSync `config.yaml` and CLI `service.yaml`.

Schema file: schemas/powersync-config.schema.json.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "powersync-config.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

Doc = dict[str, Any]
ErrorKey = tuple[list[str | int], str]


def _sort_key(err: ValidationError) -> tuple[list[str], str]:
    return [str(p) for p in err.absolute_path], str(err.validator)


def errors_of(doc: Doc) -> list[ErrorKey]:
    """(instance path, failing keyword) of every error, in a stable order."""
    return [(list(e.absolute_path), str(e.validator)) for e in sorted(VALIDATOR.iter_errors(doc), key=_sort_key)]


# ----------------------------------------------------------------------------------------------------
# Valid documents
# ----------------------------------------------------------------------------------------------------

PG_SOURCE_PG_STORAGE: Doc = {
    "replication": {
        "connections": [
            {
                "type": "postgresql",
                "uri": "postgresql://powersync_role:secret@db.example.com:5432/app",
                "sslmode": "verify-ca",
                "cacert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                "tls_servername": "db.internal",
                "reject_ip_ranges": ["local", "169.254.0.0/16"],
                "slot_name_prefix": "powersync_",
                "max_pool_size": 8,
                "connect_timeout": 10,
                "snapshot_socket_timeout": 30,
                "heartbeat_interval_seconds": None,
                "id": "default",
                "tag": "default",
                "debug_api": False,
            }
        ]
    },
    "storage": {
        "type": "postgresql",
        "hostname": "storage.example.com",
        "port": "5433",
        "database": "powersync_storage",
        "username": "powersync_storage_user",
        "password": "storage-secret",
        "sslmode": "disable",
        "max_pool_size": 8,
        "default_storage_version": 2,
        "batch_limits": {"max_estimated_size": 5_000_000, "max_record_count": 2000},
    },
    "port": 8080,
    "sync_config": {"path": "sync-config.yaml", "exit_on_error": True},
    "client_auth": {"jwks_uri": "https://auth.example.com/.well-known/jwks.json", "audience": ["powersync"]},
    "api": {"tokens": ["3c1e8f0a9b7d4e2f8a6c5b4d3e2f1a0b"]},
}

MONGO_SOURCE_MONGO_STORAGE: Doc = {
    "replication": {
        "connections": [
            {
                "type": "mongodb",
                "uri": "mongodb+srv://cluster0.example.net/app",
                "database": "app",
                "username": "powersync",
                "password": "pw",
                "post_images": "read_only",
                "heartbeat_interval_seconds": 30,
            }
        ]
    },
    "storage": {
        "type": "mongodb",
        "uri": "mongodb://mongo:27017/powersync_storage",
        "bulk_read_preference": "secondaryPreferred",
        "clear_batch_throttle_rate": 0.5,
        "object_storage": {
            "type": "s3",
            "bucket": "powersync-chunks",
            "region": "eu-west-1",
            "prefix": "prod/",
            "endpoint": "https://s3.eu-west-1.amazonaws.com",
            "force_path_style": False,
            "access_key_id": "AKIAEXAMPLE",
            "secret_access_key": "example-secret",
            "concurrency_limit": 16,
            "inline_threshold_bytes": 1024,
        },
    },
    "sync_rules": {"content": "bucket_definitions:\n  global:\n    data:\n      - SELECT * FROM lists\n"},
}

MYSQL_SOURCE: Doc = {
    "replication": {
        "connections": [
            {
                "type": "mysql",
                "hostname": "mysql.example.com",
                "port": 3306,
                "username": "repl",
                "password": "pw",
                "database": "app",
                "server_id": 1,
                "cacert": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
                "binlog_queue_memory_limit": 50,
            }
        ]
    },
    "storage": {"type": "mongodb", "uri": "mongodb://mongo:27017/powersync_storage"},
}

MSSQL_SOURCE: Doc = {
    "replication": {
        "connections": [
            {
                "type": "mssql",
                "hostname": "sql.example.com",
                "port": 1433,
                "database": "app",
                "schema": "dbo",
                "authentication": {
                    "type": "azure-active-directory-service-principal-secret",
                    "options": {"clientId": "client", "clientSecret": "secret", "tenantId": "tenant"},
                },
                "additionalConfig": {
                    "pollingIntervalMs": 1000,
                    "pollingBatchSize": 10,
                    "trustServerCertificate": False,
                },
                "heartbeat_interval_seconds": 60,
            }
        ]
    },
    "storage": {"type": "mongodb", "uri": "mongodb://mongo:27017/powersync_storage"},
}

CONVEX_SOURCE: Doc = {
    "replication": {
        "connections": [
            {
                "type": "convex",
                "deployment_url": "https://happy-animal-123.convex.cloud",
                "deploy_key": "prod:happy-animal-123|secret",
                "polling_interval_ms": 1000,
                "request_timeout_ms": 30000,
                "reject_ip_ranges": ["local"],
            }
        ]
    },
    "storage": {"type": "mongodb", "uri": "mongodb://mongo:27017/powersync_storage"},
}

CLI_CLOUD: Doc = {
    "_type": "cloud",
    "name": "my-instance",
    "region": "us",
    "replication": {
        "connections": [
            {
                "type": "postgresql",
                "name": "main",
                "uri": "postgresql://user@db.example.com:5432/app",
                "password": {"secret": "x"},
                "client_private_key": {"secret_ref": "pg-client-key"},
                "sslmode": "verify-full",
                "vpc_endpoint_hostname": "vpce-123.example.com",
            }
        ]
    },
    "client_auth": {
        "supabase": True,
        "supabase_jwt_secret": {"secret": "jwt-secret"},
        "additional_audiences": ["https://app.example.com"],
        "allow_temporary_tokens": False,
    },
}

CLI_SELF_HOSTED: Doc = {
    "_type": "self-hosted",
    **copy.deepcopy(PG_SOURCE_PG_STORAGE),
}

FULL_ROOT: Doc = {
    "replication": {"connections": [{"type": "postgresql", "uri": "postgresql://u:p@db:5432/app"}]},
    "storage": {"type": "mongodb", "uri": "mongodb://mongo:27017/powersync_storage"},
    "port": "8080",
    "sync_config": {"path": "sync-config.yaml"},
    "client_auth": {
        "jwks_uri": ["https://a.example.com/jwks.json", "https://b.example.com/jwks.json"],
        "block_local_jwks": True,
        "jwks_reject_ip_ranges": ["local", "10.0.0.0/8"],
        "jwks": {
            "keys": [
                {"kty": "RSA", "kid": "rsa-1", "n": "0vx7agoebG", "e": "AQAB", "alg": "RS256", "use": "sig"},
                {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"},
                {"kty": "OKP", "kid": "ed-1", "crv": "Ed25519", "x": "11qYAYKxCrfVS", "alg": "EdDSA"},
                {
                    "kty": "EC",
                    "kid": "ec-1",
                    "crv": "P-256",
                    "x": "f83OJ3D2",
                    "y": "x_FEzRu9",
                    "alg": "ES256",
                },
            ]
        },
        "supabase": False,
        "audience": ["authenticated"],
    },
    "api": {
        "tokens": ["d6f0c2a4b8e14f3a9c7b5d1e2f3a4b5c"],
        "parameters": {
            "max_concurrent_connections": 200,
            "max_data_fetch_concurrency": 10,
            "max_buckets_per_connection": 1000,
            "max_parameter_query_results": 1000,
            "checkpoint_request_retention_minutes": 60,
            "bucket_count_cache_ttl_minutes": 60,
        },
    },
    "metadata": {"team": "sync", "env": "prod"},
    "migrations": {"disable_auto_migration": False},
    "telemetry": {
        "disable_telemetry_sharing": True,
        "prometheus_port": 9464,
        "internal_service_endpoint": "https://metrics.internal.example.com",
    },
    "healthcheck": {"probes": {"use_filesystem": True, "use_http": True, "use_legacy": False}},
    "system": {"logging": {"level": "info", "format": "json"}},
    "parameters": {"max_items": 10, "feature": "x", "enabled": True, "nothing": None},
}

SYNC_RULES_INLINE: Doc = {
    "replication": {"connections": [{"type": "postgresql", "uri": "postgresql://u:p@db:5432/app"}]},
    "storage": {"type": "mongodb", "uri": "mongodb://mongo:27017/ps"},
    "sync_rules": {"content": "streams:\n  lists:\n    query: SELECT * FROM lists\n", "exit_on_error": False},
}

VALID_DOCS: dict[str, Doc] = {
    "postgres source + postgres storage": PG_SOURCE_PG_STORAGE,
    "mongodb source + mongodb storage with object_storage": MONGO_SOURCE_MONGO_STORAGE,
    "mysql source": MYSQL_SOURCE,
    "mssql source with authentication": MSSQL_SOURCE,
    "convex source": CONVEX_SOURCE,
    "cli cloud with secret objects": CLI_CLOUD,
    "cli self-hosted": CLI_SELF_HOSTED,
    "every root block": FULL_ROOT,
    "inline sync_rules": SYNC_RULES_INLINE,
    "no replication block": {"storage": {"type": "mongodb", "uri": "mongodb://m:27017/ps"}},
}


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_schema_file_is_two_space_indented_json() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


def test_expected_defs_exist() -> None:
    defs = SCHEMA["$defs"]
    for name in (
        "connection_postgresql",
        "connection_mongodb",
        "connection_mysql",
        "connection_mssql",
        "connection_convex",
        "storage_postgresql",
        "storage_mongodb",
    ):
        assert defs[name]["type"] == "object"
        assert defs[name]["additionalProperties"] is False
        assert "description" in defs[name]


def test_root_keys() -> None:
    assert SCHEMA["additionalProperties"] is False
    assert set(SCHEMA["properties"]) == {
        "replication",
        "storage",
        "port",
        "sync_config",
        "sync_rules",
        "client_auth",
        "api",
        "metadata",
        "migrations",
        "telemetry",
        "healthcheck",
        "system",
        "parameters",
        "_type",
        "name",
        "region",
    }


def _walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every subschema, skipping the `if`/`then`/`else` overlays (they constrain, they do not define)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("if", "then", "else", "const", "enum"):
                continue
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def _is_object_schema(schema: dict[str, Any]) -> bool:
    t = schema.get("type")
    return t == "object" or (isinstance(t, list) and "object" in t)


def _is_dispatcher(schema: dict[str, Any]) -> bool:
    branches = schema.get("allOf", [])
    return bool(branches) and all("$ref" in b.get("then", {}) for b in branches)


def test_every_object_is_closed() -> None:
    for path, schema in _walk(SCHEMA):
        if _is_object_schema(schema) and not _is_dispatcher(schema):
            assert "additionalProperties" in schema, path
            if path not in {"#/properties/metadata", "#/properties/parameters"}:
                assert schema["additionalProperties"] is False, path


def test_every_property_has_a_description() -> None:
    for path, schema in _walk(SCHEMA):
        props = schema.get("properties")
        if isinstance(props, dict) and path != "#/properties":
            for key, sub in props.items():
                assert isinstance(sub.get("description"), str) and sub["description"], f"{path}/{key}"
        elif path == "#/properties":
            for key, sub in schema.items():
                assert isinstance(sub.get("description"), str) and sub["description"], f"{path}/{key}"


def test_dispatch_uses_if_then_not_oneof() -> None:
    text = json.dumps(SCHEMA)
    assert '"oneOf"' not in text
    assert '"anyOf"' not in text
    items = SCHEMA["properties"]["replication"]["properties"]["connections"]
    assert "maxItems" not in items
    conn = SCHEMA["$defs"]["connection"]
    assert conn["properties"]["type"]["enum"] == ["postgresql", "mongodb", "mysql", "mssql", "convex"]
    assert [b["then"]["$ref"] for b in conn["allOf"]] == [
        "#/$defs/connection_postgresql",
        "#/$defs/connection_mongodb",
        "#/$defs/connection_mysql",
        "#/$defs/connection_mssql",
        "#/$defs/connection_convex",
    ]
    assert SCHEMA["$defs"]["storage"]["properties"]["type"]["enum"] == ["postgresql", "mongodb"]


@pytest.mark.parametrize("doc", list(VALID_DOCS.values()), ids=list(VALID_DOCS))
def test_valid_configs_pass(doc: Doc) -> None:
    assert errors_of(doc) == []


# ----------------------------------------------------------------------------------------------------
# Typical mistakes: one error each, at the right place
# ----------------------------------------------------------------------------------------------------

CONN0: list[str | int] = ["replication", "connections", 0]


def _pg(**changes: Any) -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    doc["replication"]["connections"][0].update(changes)
    return doc


def _mongo(**changes: Any) -> Doc:
    doc = copy.deepcopy(MONGO_SOURCE_MONGO_STORAGE)
    doc["replication"]["connections"][0].update(changes)
    return doc


def _root(**changes: Any) -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    doc.update(changes)
    return doc


def _without(key: str) -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    del doc[key]
    return doc


def _cloud(**changes: Any) -> Doc:
    doc = copy.deepcopy(CLI_CLOUD)
    doc["replication"]["connections"][0].update(changes)
    return doc


def _cloud_without(key: str) -> Doc:
    doc = copy.deepcopy(CLI_CLOUD)
    del doc[key]
    return doc


def _client_auth_with_telemetry() -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    doc["client_auth"]["telemetry"] = {"disable_telemetry_sharing": True}
    return doc


def _storage(**changes: Any) -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    doc["storage"].update(changes)
    return doc


def _jwk(key: dict[str, Any]) -> Doc:
    doc = copy.deepcopy(PG_SOURCE_PG_STORAGE)
    doc["client_auth"]["jwks"] = {"keys": [key]}
    return doc


MISTAKES: dict[str, tuple[Callable[[], Doc], list[ErrorKey]]] = {
    "type: postgres": (lambda: _pg(type="postgres"), [([*CONN0, "type"], "enum")]),
    "missing connection type": (
        lambda: {"storage": {"type": "mongodb", "uri": "m"}, "replication": {"connections": [{"uri": "x"}]}},
        [(CONN0, "required")],
    ),
    "publication_name is not a setting": (
        lambda: _pg(publication_name="powersync"),
        [(CONN0, "additionalProperties")],
    ),
    "slot_name typo": (lambda: _pg(slot_name="powersync_slot"), [(CONN0, "additionalProperties")]),
    "sslMode camel case": (lambda: _pg(sslMode="verify-full"), [(CONN0, "additionalProperties")]),
    "sslmode: require": (lambda: _pg(sslmode="require"), [([*CONN0, "sslmode"], "enum")]),
    "postgres port 80": (lambda: _pg(port=80), [([*CONN0, "port"], "minimum")]),
    "postgres port '80' as string": (lambda: _pg(port="80"), [([*CONN0, "port"], "pattern")]),
    "postgres port 70000": (lambda: _pg(port=70000), [([*CONN0, "port"], "maximum")]),
    "heartbeat below 5": (
        lambda: _pg(heartbeat_interval_seconds=2),
        [([*CONN0, "heartbeat_interval_seconds"], "minimum")],
    ),
    "reject_ip_ranges as a string": (
        lambda: _pg(reject_ip_ranges="local"),
        [([*CONN0, "reject_ip_ranges"], "type")],
    ),
    "post_images: false (YAML 1.1 off)": (
        lambda: _mongo(post_images=False),
        [([*CONN0, "post_images"], "enum")],
    ),
    "mongodb without uri": (
        lambda: {
            "storage": {"type": "mongodb", "uri": "m"},
            "replication": {"connections": [{"type": "mongodb"}]},
        },
        [(CONN0, "required")],
    ),
    "sslmode on mongodb": (lambda: _mongo(sslmode="verify-full"), [(CONN0, "additionalProperties")]),
    "telemetry nested under client_auth": (
        _client_auth_with_telemetry,
        [(["client_auth"], "additionalProperties")],
    ),
    "unknown root key": (lambda: _root(replications={}), [([], "additionalProperties")]),
    "storage.type: redis": (lambda: _storage(type="redis"), [(["storage", "type"], "enum")]),
    "storage missing": (lambda: _without("storage"), [([], "required")]),
    "slot typo on postgres storage": (
        lambda: _storage(slot_name="x"),
        [(["storage"], "additionalProperties")],
    ),
    "telemetry without disable_telemetry_sharing": (
        lambda: _root(telemetry={"prometheus_port": 9464}),
        [(["telemetry"], "required")],
    ),
    "log level warning": (
        lambda: _root(system={"logging": {"level": "warning"}}),
        [(["system", "logging", "level"], "enum")],
    ),
    "api.tokens as a string": (lambda: _root(api={"tokens": "secret"}), [(["api", "tokens"], "type")]),
    "api.parameters ttl zero": (
        lambda: _root(api={"parameters": {"bucket_count_cache_ttl_minutes": 0}}),
        [(["api", "parameters", "bucket_count_cache_ttl_minutes"], "minimum")],
    ),
    "healthcheck probe without use_ prefix": (
        lambda: _root(healthcheck={"probes": {"http": True}}),
        [(["healthcheck", "probes"], "additionalProperties")],
    ),
    "metadata value not a string": (lambda: _root(metadata={"n": 1}), [(["metadata", "n"], "type")]),
    "HMAC jwk without alg": (
        lambda: _jwk({"kty": "oct", "k": "c2VjcmV0"}),
        [(["client_auth", "jwks", "keys", 0], "required")],
    ),
    "RSA jwk with HS256": (
        lambda: _jwk({"kty": "RSA", "kid": "k", "n": "n", "e": "AQAB", "alg": "HS256"}),
        [(["client_auth", "jwks", "keys", 0, "alg"], "enum")],
    ),
    "jwk kty lower case": (
        lambda: _jwk({"kty": "rsa", "kid": "k", "n": "n", "e": "AQAB"}),
        [(["client_auth", "jwks", "keys", 0, "kty"], "enum")],
    ),
    "cloud sslmode disable": (lambda: _cloud(sslmode="disable"), [([*CONN0, "sslmode"], "enum")]),
    "cloud without region": (lambda: _cloud_without("region"), [([], "required")]),
    "secret object with unknown key": (
        lambda: _cloud(password={"value": "x"}),
        [([*CONN0, "password"], "additionalProperties")],
    ),
    "unknown _type": (lambda: _root(_type="selfhosted"), [(["_type"], "enum")]),
}


@pytest.mark.parametrize(("make", "expected"), list(MISTAKES.values()), ids=list(MISTAKES))
def test_mistakes_fail_at_the_right_path(make: Callable[[], Doc], expected: list[ErrorKey]) -> None:
    assert errors_of(make()) == expected


def test_unknown_key_error_names_the_key() -> None:
    (err,) = sorted(VALIDATOR.iter_errors(_pg(publication_name="powersync")), key=_sort_key)
    assert list(err.absolute_path) == CONN0
    assert err.validator == "additionalProperties"
    assert "publication_name" in err.message


def test_port_accepts_digit_strings_in_range() -> None:
    assert errors_of(_pg(port="5432")) == []
    assert errors_of(_pg(port=1024)) == []
    assert errors_of(_pg(port=65535)) == []
    assert errors_of(_root(port="8080")) == []
    assert errors_of(_root(port="http")) == [(["port"], "pattern")]
