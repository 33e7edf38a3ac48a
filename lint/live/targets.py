"""Which databases `--live` connects to, and with what connection string.

Targets come from the PowerSync config (its `!env` values read from the process environment, as the service
itself would), and can be overridden with `--source-uri` / `--storage-uri` or `REPLINT_SOURCE_URI` /
`REPLINT_STORAGE_URI`. Connection strings stay in this module and the probes: the model and every output only
ever see the redacted form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lint import conninfo
from lint.sources.powersync import PowerSyncConfig, RawConnection
from lint.span import Span
from lint.yamlsrc import EnvRef

# PowerSync's explicit connection fields and the libpq keyword each becomes.
FIELDS = (
    ("hostname", "host"),
    ("port", "port"),
    ("database", "dbname"),
    ("username", "user"),
    ("password", "password"),
)


@dataclass(frozen=True)
class Target:
    role: str  # "source" | "storage"
    engine: str  # "postgresql" | "mongodb"
    uri: str | None  # None when it could not be built (then `problem` says why)
    problem: str | None
    config: str | None  # the config file it comes from (None for a bare --source-uri)
    origin: Span | None  # where the config declares it
    database: str | None = None  # MongoDB: the `database:` field when the URI has none
    cacert: str | None = None  # PowerSync `cacert`: the CA certificate as PEM text

    def __repr__(self) -> str:  # never show the URI (it may carry a password) in a traceback or log
        return f"Target(role={self.role!r}, engine={self.engine!r}, config={self.config!r})"


def _value(value: object, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(text, problem) for a config scalar that may be `!env NAME`."""
    if isinstance(value, EnvRef):
        if env.get(value.name):
            return env[value.name], None
        if value.name in env:  # libpq would read an empty string as "the local default server": never guess
            return None, f"the environment variable {value.name} is set but empty"
        return None, f"the environment variable {value.name} is not set"
    if value is None:
        return None, None
    return str(value), None


def _keyword(name: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"{name}='{escaped}'"


def _untrusted_hosts(raw: RawConnection, uri: str | None, allowed: frozenset[str]) -> list[str]:
    """Hosts the config file itself names (not through `!env`) that the person running replint did not allow.

    A config arrives with a pull request: its literal host could be the author's server, which would then be
    sent the `!env` password of the environment replint runs in. A host from the environment was chosen by
    whoever set the environment, and is trusted like `--source-uri`."""
    if isinstance(raw.values.get("uri"), EnvRef):
        return []
    if uri is not None and raw.values.get("uri") is not None:
        hosts = [h for h, _ in conninfo.parse(uri).hosts]
    elif isinstance(raw.values.get("hostname"), EnvRef):
        return []
    else:
        hosts = [str(raw.values.get("hostname") or "")]
    return [h for h in hosts if h.lower() not in allowed]


def _from_raw(
    cfg: PowerSyncConfig, raw: RawConnection, role: str, env: Mapping[str, str], allowed: frozenset[str]
) -> Target:
    engine = str(raw.values.get("type") or "postgresql")
    uri, problem = _value(raw.values.get("uri"), env)
    database, _ = _value(raw.values.get("database"), env)
    if problem:
        return Target(role, engine, None, problem, cfg.path, raw.span)
    untrusted = _untrusted_hosts(raw, uri, allowed)
    if untrusted:
        names = ", ".join(sorted(set(untrusted))) or "(no host)"
        return Target(
            role,
            engine,
            None,
            f"the config names the host {names} itself; replint connects (and sends credentials from the "
            f"environment) only to hosts you choose: allow it with --live-host {untrusted[0] or 'HOST'} or "
            "REPLINT_LIVE_HOSTS, or give the connection with --source-uri/--storage-uri",
            cfg.path,
            raw.span,
        )
    if uri is None and engine == "postgresql":
        # The field form (hostname, port, ...): a libpq keyword string. With a `uri`, the URI is used as is.
        parts: list[str] = []
        for key, name in FIELDS:
            text, problem = _value(raw.values.get(key), env)
            if problem:
                return Target(role, engine, None, problem, cfg.path, raw.span)
            if text is not None:
                parts.append(_keyword(name, text))
        uri = " ".join(parts) if parts else None
    if uri is None:
        return Target(role, engine, None, "the connection has neither a uri nor a hostname", cfg.path, raw.span)
    cacert = None
    if engine == "postgresql":
        # PowerSync's `sslmode` key is what counts, default verify-full; a ?sslmode= in its URI is ignored.
        sslmode, _ = _value(raw.values.get("sslmode"), env)
        uri = _with_sslmode(uri, sslmode or "verify-full")
        cacert, _ = _value(raw.values.get("cacert"), env)
    return Target(role, engine, uri, None, cfg.path, raw.span, database, cacert)


def _with_sslmode(uri: str, mode: str) -> str:
    """The probe connects with PowerSync's TLS mode; a later sslmode overrides one already in the string."""
    if "://" in uri:
        return uri + ("&" if "?" in uri else "?") + f"sslmode={mode}"
    return f"{uri} sslmode={mode}"


def targets(
    configs: list[PowerSyncConfig],
    env: Mapping[str, str],
    *,
    source_uri: str | None = None,
    storage_uri: str | None = None,
    allowed_hosts: frozenset[str] = frozenset(),
) -> list[Target]:
    """The targets; a config-derived one whose host the config itself names is only contacted when that host is
    in `allowed_hosts` (`--live-host`, `REPLINT_LIVE_HOSTS`), lower-case."""
    allowed = frozenset(h.lower() for h in allowed_hosts)
    out: list[Target] = []
    for cfg in configs:
        if cfg.connections:
            out.append(_from_raw(cfg, cfg.connections[0], "source", env, allowed))
        if cfg.storage is not None:
            out.append(_from_raw(cfg, cfg.storage, "storage", env, allowed))
    for role, override in (("source", source_uri), ("storage", storage_uri)):
        if not override:
            continue
        engine = "mongodb" if override.startswith(("mongodb://", "mongodb+srv://")) else "postgresql"
        existing = next((i for i, t in enumerate(out) if t.role == role), None)
        if existing is None:
            out.append(Target(role, engine, override, None, None, None))
        else:
            old = out[existing]
            out[existing] = Target(role, engine, override, None, old.config, old.origin, old.database)
    return out


__all__ = ["Target", "targets"]
