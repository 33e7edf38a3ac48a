"""PowerSync service `config.yaml` (and the CLI's `service.yaml`) -> raw connection records and settings facts.

The upstream JSON Schema accepts any key (POWERSYNC.md a.1), so typos such as `type: postgres` or
`publication_name:` pass silently there; we validate against our own closed schema instead. Values written
with `!env` are checked for the type their `::suffix` promises, not for their (unknown) content.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lint.resources import schema_path
from lint.schemamsg import violation
from lint.span import Span
from lint.yamlsrc import ENV_TYPES, EnvRef, Located, Problem, YamlPath, walk_env_refs

SECRET_FIELDS = ("password", "secret_access_key", "deploy_key", "clientSecret", "supabase_jwt_secret")
PLACEHOLDER_TOKENS = re.compile(
    r"^(use_a_better_token_in_production|changeme|change_me|change-me|secret|token|password|test|dev|example|"
    r"your[-_ ]?(api[-_ ]?)?token.*|replace[-_ ]?me.*|todo|xxx+|123456.*|admin)$",
    re.I,
)


@dataclass(frozen=True)
class RawConnection:
    """One `replication.connections[]` entry or the `storage` block, as written."""

    purpose: str  # "source" | "storage"
    index: int
    ypath: YamlPath
    values: dict[str, Any]  # scalars as written; EnvRef for !env
    spans: dict[str, Span]  # value spans per key
    key_spans: dict[str, Span]
    span: Span  # the whole entry


@dataclass(frozen=True)
class Flag:
    """A setting worth a policy's attention, e.g. `debug_api: true` or an http:// JWKS URI."""

    kind: str
    detail: str
    span: Span
    literal: bool = True


@dataclass(frozen=True)
class PowerSyncConfig:
    path: str
    variant: str  # "service" | "cli-self-hosted" | "cli-cloud"
    connections: tuple[RawConnection, ...]
    storage: RawConnection | None
    env_refs: tuple[tuple[EnvRef, Span], ...]
    flags: tuple[Flag, ...]
    problems: tuple[Problem, ...]
    # The referenced sync rules file: project-relative, or absolute — a path inside the container, which the
    # loader maps to a project file through docker-compose bind mounts.
    sync_path: str | None
    sync_path_span: Span | None
    sync_content: tuple[str, Span] | None  # inline content text and the span of its scalar
    secret_spans: tuple[Span, ...] = field(default=())
    telemetry_sharing: tuple[bool | None, Span] | None = None


def looks_like_config(data: object) -> bool:
    """Whether a document is a PowerSync service config, by its shape rather than by one key: Helm values, exporter
    queries and repository-manager JSON have `replication:` or `storage:` too. It takes a block only PowerSync
    writes that way, so a real config with typos is still recognised — and then judged key by key."""
    if not isinstance(data, dict):
        return False
    if data.get("_type") in ("self-hosted", "cloud") or _connections_or_storage(data):
        return True  # the CLI's files say what they are; the other two forms are PowerSync's alone
    if not _sync_or_auth(data):
        return False
    ours = sum(1 for k in data if k in _top_level_keys())
    return ours >= len(data) - ours


def _connections_or_storage(data: dict[Any, Any]) -> bool:
    """Replication connections listed with a `type`, or bucket storage of a PowerSync storage type."""
    replication, storage = data.get("replication"), data.get("storage")
    conns = replication.get("connections") if isinstance(replication, dict) else None
    if isinstance(conns, list) and any(isinstance(c, dict) and "type" in c for c in conns):
        return True
    kind = storage.get("type") if isinstance(storage, dict) else None
    return kind in _storage_types() or isinstance(kind, EnvRef)


def _sync_or_auth(data: dict[Any, Any]) -> bool:
    """A sync config given by `path` or `content`, or client auth by JWKS or Supabase: other tools have such keys
    too, so these count only in a document whose keys are mostly PowerSync's."""
    for key in ("sync_config", "sync_rules"):
        block = data.get(key)
        if isinstance(block, dict) and ("path" in block or "content" in block):
            return True
    auth = data.get("client_auth")
    return isinstance(auth, dict) and any(k in auth for k in ("jwks", "jwks_uri", "supabase", "supabase_jwt_secret"))


@cache
def _top_level_keys() -> frozenset[str]:
    return frozenset(_schema()["properties"])


@cache
def _storage_types() -> tuple[str, ...]:
    return tuple(_schema()["$defs"]["storage"]["properties"]["type"]["enum"])


# ---------------------------------------------------------------------------------------------------------
# Schema validation


@cache
def _schema() -> dict[str, Any]:
    with open(schema_path("powersync-config.schema.json"), encoding="utf-8") as fh:
        loaded: dict[str, Any] = json.load(fh)
    return loaded


@cache
def _validator_class() -> Any:
    from jsonschema import Draft202012Validator, validators

    base_checker = Draft202012Validator.TYPE_CHECKER

    def env_of(kind: str) -> Any:
        def check(checker: Any, instance: Any) -> bool:
            if isinstance(instance, EnvRef):
                return instance.type == kind or (kind == "integer" and instance.type == "number")
            return bool(base_checker.is_type(instance, kind))

        return check

    checker = base_checker.redefine_many({k: env_of(k) for k in ("string", "number", "integer", "boolean")})

    def skip_env(original: Any) -> Any:
        def run(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
            if isinstance(instance, EnvRef):
                return
            yield from original(validator, value, instance, schema)

        return run

    keys = (
        "enum",
        "const",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "format",
    )
    overrides = {k: skip_env(Draft202012Validator.VALIDATORS[k]) for k in keys}
    overrides["allOf"] = _all_of_env_dispatch(Draft202012Validator.VALIDATORS["allOf"])
    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, validators=overrides, type_checker=checker
    )


def _dispatch_key(branches: Any) -> str | None:
    """The property an `allOf` of `if {key: const} then ...` branches switches on (a JWK's `kty`), if it is one."""
    if not isinstance(branches, list) or not branches:
        return None
    keys: set[str] = set()
    for branch in branches:
        props = branch.get("if", {}).get("properties", {}) if isinstance(branch, dict) else {}
        if "then" not in branch or len(props) != 1 or "const" not in next(iter(props.values())):
            return None
        keys.update(props)
    return keys.pop() if len(keys) == 1 else None


def _all_of_env_dispatch(original: Any) -> Any:
    """When the switch value is `!env` (`kty: !env PS_KTY`), every branch's `if` holds (`const` cannot judge an
    unresolved value), so a key would be held to all shapes at once. Only one shape applies at run time: the
    entry is fine when it fits any of them, and otherwise is judged by the shape it comes closest to."""

    def run(validator: Any, branches: Any, instance: Any, schema: Any) -> Any:
        key = _dispatch_key(branches)
        if key is None or not isinstance(instance, dict) or not isinstance(instance.get(key), EnvRef):
            yield from original(validator, branches, instance, schema)
            return
        candidates = [list(validator.descend(instance, branch["then"])) for branch in branches]
        yield from min(candidates, key=len)

    return run


def _dotted(path: YamlPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _connection_types() -> list[str]:
    types: list[str] = _schema()["$defs"]["connection"]["properties"]["type"]["enum"]
    return types


def _near_miss_types(data: Any) -> tuple[Any, list[tuple[int, str]]]:
    """`type: postgres` is a near miss of `postgresql`. The entry's other keys are then judged as that type's
    (a copy of the data with the type corrected), so a second typo beside the first is not hidden behind it."""
    replication = data.get("replication") if isinstance(data, dict) else None
    conns = replication.get("connections") if isinstance(replication, dict) else None
    if not isinstance(conns, list):
        return data, []
    known = _connection_types()
    fixed: list[tuple[int, str]] = []
    entries = list(conns)
    for i, entry in enumerate(entries):
        kind = entry.get("type") if isinstance(entry, dict) else None
        if isinstance(kind, str) and kind not in known:
            hint = _closest_type(kind, known)
            if hint is not None:
                entries[i] = {**entry, "type": hint}
                fixed.append((i, hint))
    if not fixed:
        return data, []
    assert isinstance(data, dict) and isinstance(replication, dict)
    return {**data, "replication": {**replication, "connections": entries}}, fixed


def _closest_type(kind: str, known: list[str]) -> str | None:
    import difflib

    low = kind.lower()
    prefixed = [k for k in known if k.startswith(low) or low.startswith(k)]  # postgres, postgresq, mongo
    if len(low) >= 5 and len(prefixed) == 1:
        return prefixed[0]
    match = difflib.get_close_matches(low, known, n=1, cutoff=0.8)
    return match[0] if match else None


def _schema_problems(doc: Located) -> list[Problem]:
    validator = _validator_class()(_schema())
    problems: list[Problem] = []
    data, fixed = _near_miss_types(doc.data)
    for i, meant in fixed:
        path: YamlPath = ("replication", "connections", i, "type")
        problems.append(
            Problem(
                "unknown-type",
                f"{_dotted(path)} is not a known type (did you mean {meant}? expected one of "
                f"{', '.join(_connection_types())})",
                doc.at(path),
            )
        )
    for err in validator.iter_errors(data):
        path = tuple(err.absolute_path)
        where = _dotted(path)
        if err.validator == "additionalProperties":
            allowed = sorted((err.schema.get("properties") or {}).keys())
            extras = [k for k in (err.instance or {}) if k not in allowed] if isinstance(err.instance, dict) else []
            for key in extras:
                kp = (*path, key)
                hint = _closest(key, allowed)
                problems.append(
                    Problem(
                        "unknown-key",
                        f"unknown key '{key}' in {where}: PowerSync ignores it silently"
                        + (f" (did you mean '{hint}'?)" if hint else ""),
                        doc.key_at(kp),
                    )
                )
        elif err.validator == "enum" and path and path[-1] == "type" and len(path) >= 1:
            problems.append(
                Problem(
                    "unknown-type",
                    f"{where} is not a known type (expected one of {', '.join(map(str, err.validator_value))})",
                    doc.at(path),
                )
            )
        else:
            # Never echo err.message: it quotes the instance, which may be a secret.
            problems.append(Problem("invalid-value", f"{where} {violation(err)}", doc.at(path)))
    return problems


def _closest(key: str, allowed: list[str]) -> str | None:
    import difflib

    norm = key.lower().replace("-", "_")
    for a in allowed:
        if a.lower() == norm or a.replace("_", "") == norm.replace("_", ""):
            return a
    match = difflib.get_close_matches(key, allowed, n=1, cutoff=0.75)
    return match[0] if match else None


# ---------------------------------------------------------------------------------------------------------
# Reading


def read_config(doc: Located) -> PowerSyncConfig:
    """Facts from a located PowerSync config document (already known to look like one)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    variant = {"self-hosted": "cli-self-hosted", "cloud": "cli-cloud"}.get(str(data.get("_type")), "service")
    problems: list[Problem] = list(_schema_problems(doc))
    flags: list[Flag] = []
    secret_spans: list[Span] = []

    connections: list[RawConnection] = []
    conns = doc.get(("replication", "connections"))
    if isinstance(conns, list):
        for i, entry in enumerate(conns):
            if isinstance(entry, dict):
                connections.append(_raw(doc, "source", i, ("replication", "connections", i)))
        if len(conns) > 1:
            problems.append(
                Problem(
                    "multiple-connections",
                    f"{len(conns)} replication connections: PowerSync supports a single replication data source "
                    "('Only a single replication data source is supported currently')",
                    doc.at(("replication", "connections", 1)),
                )
            )
    storage = _raw(doc, "storage", 0, ("storage",)) if isinstance(data.get("storage"), dict) else None

    if "sync_config" in data and "sync_rules" in data:
        problems.append(
            Problem(
                "sync-config-conflict",
                "both sync_config and sync_rules are present; PowerSync refuses to start "
                "('Please consolidate into one sync_config')",
                doc.key_at(("sync_rules",)),
            )
        )
    sync_key = "sync_config" if "sync_config" in data else "sync_rules"
    sync_path, sync_path_span, sync_content = _sync_reference(doc, sync_key, problems)

    env_refs = [(ref, doc.at(p)) for p, ref in walk_env_refs(doc.data)]
    _string_interpolations(doc, doc.data, (), problems)
    _settings_flags(doc, data, connections, flags, secret_spans)
    for conn in (*connections, *([storage] if storage else [])):
        _connection_secrets(doc, conn, flags, secret_spans)
        if conn.values.get("debug_api") is True:
            flags.append(Flag("debug-api", _dotted(conn.ypath), conn.spans.get("debug_api", conn.span)))

    telemetry = None
    if isinstance(data.get("telemetry"), dict) and "disable_telemetry_sharing" in data["telemetry"]:
        value = data["telemetry"]["disable_telemetry_sharing"]
        # An !env value is decided at deploy time: unknown here, so neither on nor off.
        sharing = None if isinstance(value, EnvRef) else value is not True
        telemetry = (sharing, doc.entry_at(("telemetry", "disable_telemetry_sharing")))
    return PowerSyncConfig(
        doc.path,
        variant,
        tuple(connections),
        storage,
        tuple(env_refs),
        tuple(flags),
        tuple(problems),
        sync_path,
        sync_path_span,
        sync_content,
        tuple(secret_spans),
        telemetry,
    )


def _raw(doc: Located, purpose: str, index: int, ypath: YamlPath) -> RawConnection:
    entry = doc.get(ypath) or {}
    values = {k: v for k, v in entry.items() if not isinstance(v, dict | list)}
    values.update({k: v for k, v in entry.items() if isinstance(v, list) and all(isinstance(x, str) for x in v)})
    spans = {k: doc.at((*ypath, k)) for k in entry}
    key_spans = {k: doc.key_at((*ypath, k)) for k in entry}
    return RawConnection(purpose, index, ypath, values, spans, key_spans, doc.at(ypath))


def _sync_reference(
    doc: Located, key: str, problems: list[Problem]
) -> tuple[str | None, Span | None, tuple[str, Span] | None]:
    block = doc.get((key,))
    if not isinstance(block, dict):
        return None, None, None
    path_value = block.get("path")
    content = block.get("content")
    if isinstance(path_value, str) and path_value.strip():
        span = doc.at((key, "path"))
        base = posixpath.dirname(doc.path)
        if path_value.strip().startswith("/"):
            return posixpath.normpath(path_value.strip()), span, None
        joined = posixpath.normpath(posixpath.join(base, path_value.strip()))
        if joined == ".." or joined.startswith("../"):
            problems.append(
                Problem(
                    "sync-config-path",
                    f"{key}.path leaves the project root; replint does not read files outside the project",
                    span,
                )
            )
            return None, span, None
        return joined, span, None
    if isinstance(content, str):
        return None, None, (content, doc.at((key, "content")))
    return None, None, None


_INTERP_RE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:-][^}]*)?\}")


def _is_placeholder(value: object) -> bool:
    """True when a secret-looking value contains `${VAR}` (never expanded by PowerSync, but not a secret)."""
    return isinstance(value, str) and _INTERP_RE.search(value) is not None


def _string_interpolations(doc: Located, node: Any, ypath: YamlPath, problems: list[Problem]) -> None:
    """`${VAR}` in a value is passed to PowerSync literally: its YAML loader knows only `!env`."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("sync_rules", "sync_config") and ypath == ():
                continue
            _string_interpolations(doc, v, (*ypath, k), problems)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _string_interpolations(doc, v, (*ypath, i), problems)
    elif isinstance(node, str) and _INTERP_RE.search(node):
        name = _INTERP_RE.search(node)
        var = name.group(0)[2:-1].split(":")[0].split("-")[0] if name else "VAR"
        whole = name is not None and name.group(0) == node.strip()
        suggestion = var if var.startswith("PS_") else "PS_" + var
        advice = (
            f"write the value as `!env {suggestion}`"
            if whole
            else "`!env` replaces whole values only: put the complete value in one PS_ variable and write "
            "`!env PS_<NAME>`"
        )
        problems.append(
            Problem(
                "env-interpolation",
                f"{_dotted(ypath)} contains '${{{var}}}', which PowerSync does not expand: the literal text is used; "
                + advice,
                doc.at(ypath),
            )
        )


def _connection_secrets(doc: Located, conn: RawConnection, flags: list[Flag], secret_spans: list[Span]) -> None:
    for key in SECRET_FIELDS:
        if key in conn.values and conn.values[key] not in (None, ""):
            # `${VAR}` is a (broken) reference, reported by cfg-env-placeholder-literal, not a committed secret.
            literal = isinstance(conn.values[key], str) and not _is_placeholder(conn.values[key])
            flags.append(Flag("secret", f"{_dotted(conn.ypath)}.{key}", conn.spans[key], literal))
            if literal:
                secret_spans.append(conn.spans[key])
    entry = doc.get(conn.ypath) or {}
    # The CLI's cloud form: password: {secret: "..."} (literal) or {secret_ref: ...} / {secret: !env X}.
    for key in ("password",):
        value = entry.get(key)
        if isinstance(value, dict) and isinstance(value.get("secret"), str) and value["secret"]:
            span = doc.at((*conn.ypath, key, "secret"))
            flags.append(Flag("secret", f"{_dotted(conn.ypath)}.{key}.secret", span, True))
            secret_spans.append(span)
    uri = conn.values.get("uri")
    if isinstance(uri, str):
        from lint.conninfo import parse

        if parse(uri).has_password and not _is_placeholder(uri.split("@", 1)[0]):
            flags.append(Flag("secret", f"{_dotted(conn.ypath)}.uri password", conn.spans["uri"], True))
            secret_spans.append(conn.spans["uri"])
    store = entry.get("object_storage")
    if isinstance(store, dict) and isinstance(store.get("secret_access_key"), str):
        span = doc.at((*conn.ypath, "object_storage", "secret_access_key"))
        flags.append(Flag("secret", f"{_dotted(conn.ypath)}.object_storage.secret_access_key", span, True))
        secret_spans.append(span)
    auth = entry.get("authentication")
    if isinstance(auth, dict) and isinstance(auth.get("options"), dict):
        for key in ("password", "clientSecret"):
            if isinstance(auth["options"].get(key), str):
                span = doc.at((*conn.ypath, "authentication", "options", key))
                flags.append(Flag("secret", f"{_dotted(conn.ypath)}.authentication.options.{key}", span, True))
                secret_spans.append(span)


def _settings_flags(
    doc: Located,
    data: dict[str, Any],
    connections: list[RawConnection],
    flags: list[Flag],
    secret_spans: list[Span],
) -> None:
    auth = data.get("client_auth") if isinstance(data.get("client_auth"), dict) else {}
    assert isinstance(auth, dict)
    secret = auth.get("supabase_jwt_secret")
    if secret not in (None, ""):
        span = doc.at(("client_auth", "supabase_jwt_secret"))
        literal = isinstance(secret, str) and not _is_placeholder(secret)
        flags.append(Flag("secret", "client_auth.supabase_jwt_secret", span, literal))
        if literal:
            secret_spans.append(span)
    uris = auth.get("jwks_uri")
    uri_list = uris if isinstance(uris, list) else [uris] if uris is not None else []
    for i, uri in enumerate(uri_list):
        path: YamlPath = ("client_auth", "jwks_uri", i) if isinstance(uris, list) else ("client_auth", "jwks_uri")
        if isinstance(uri, str) and uri.lower().startswith("http://"):
            flags.append(Flag("jwks-http", _dotted(path), doc.at(path)))
    keys = (auth.get("jwks") or {}).get("keys") if isinstance(auth.get("jwks"), dict) else None
    for i, key in enumerate(keys if isinstance(keys, list) else []):
        if isinstance(key, dict) and "k" in key:
            kpath: YamlPath = ("client_auth", "jwks", "keys", i, "k")
            literal = isinstance(key["k"], str)
            flags.append(Flag("hmac-key", _dotted(kpath), doc.at(kpath), literal))
            if literal:
                secret_spans.append(doc.at(kpath))
    api = data.get("api") if isinstance(data.get("api"), dict) else {}
    assert isinstance(api, dict)
    tokens = api.get("tokens")
    for i, token in enumerate(tokens if isinstance(tokens, list) else []):
        tpath: YamlPath = ("api", "tokens", i)
        span = doc.at(tpath)
        if isinstance(token, str):
            secret_spans.append(span)
            # One finding per token: a guessable one is reported as such (its remedy, a long random token from
            # !env, also ends its being committed); any other literal one as a committed secret.
            guessable = PLACEHOLDER_TOKENS.match(token.strip()) or len(token.strip()) < 16
            flags.append(Flag("api-token-placeholder" if guessable else "secret", _dotted(tpath), span, True))


def env_problems(config: PowerSyncConfig) -> list[Flag]:
    """`!env` references PowerSync would refuse (prefix or type suffix)."""
    out: list[Flag] = []
    for ref, span in config.env_refs:
        if not ref.name.startswith("PS_"):
            out.append(Flag("env-prefix", ref.name, span))
        if ref.type not in ENV_TYPES:
            out.append(Flag("env-type", ref.text, span))
    return out
