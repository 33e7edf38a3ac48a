"""Server settings as policies see them: postgresql.conf (with includes), postgresql.auto.conf and ALTER SYSTEM.

One item per server configuration the project declares. PostgreSQL reads `postgresql.conf`, then
`postgresql.auto.conf` (which `ALTER SYSTEM` writes), so a later source wins over an earlier one. A file named
`postgresql.conf` is a *complete* configuration: a setting it leaves out has PostgreSQL's default. A fragment
(`conf.d/replication.conf`, or only `ALTER SYSTEM` statements) is judged on what it sets, never on defaults.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from lint.model.items import ProviderSwitch, ServerItem
from lint.sources import pgconf
from lint.span import Origin, Span

_T = TypeVar("_T")

# PostgreSQL 15-18 defaults for the settings the policies judge (runtime-config-wal / -replication / -connection).
DEFAULTS = {
    "wal_level": "replica",
    "max_replication_slots": "10",
    "max_wal_senders": "10",
    "max_slot_wal_keep_size": "-1",
    "wal_keep_size": "0",
    "idle_replication_slot_timeout": "0",
    "ssl": "off",
}
# Provider switches that turn logical decoding on where `wal_level` itself cannot be set (RULES.md §3).
PROVIDER_SWITCHES = {
    "rds.logical_replication": ("AWS RDS / Aurora", "1"),
    "cloudsql.logical_decoding": ("Google Cloud SQL", "on"),
    "azure.replication_support": ("Azure Database for PostgreSQL (Single Server)", "logical"),
}


LIVE = "observed on the live server"


@dataclass(frozen=True)
class Value:
    value: str
    origin: Span
    source: str  # the file it was read from, or "ALTER SYSTEM"


@dataclass(frozen=True)
class Consumer:
    """Something that holds replication slots and WAL senders on the source server."""

    description: str
    slots: int
    senders: int
    origin: Span


def _merge_auto(confs: Iterable[pgconf.ConfFile]) -> list[tuple[pgconf.ConfFile, list[pgconf.ConfFile]]]:
    """Pair each postgresql.conf with the postgresql.auto.conf beside it (read after it, so it wins)."""
    confs = list(confs)
    autos = {posixpath.dirname(c.path): c for c in confs if posixpath.basename(c.path) == "postgresql.auto.conf"}
    out: list[tuple[pgconf.ConfFile, list[pgconf.ConfFile]]] = []
    used: set[str] = set()
    for conf in confs:
        if posixpath.basename(conf.path) == "postgresql.auto.conf":
            continue
        auto = autos.get(posixpath.dirname(conf.path)) if posixpath.basename(conf.path) == "postgresql.conf" else None
        if auto is not None:
            used.add(auto.path)
        out.append((conf, [auto] if auto else []))
    out.extend((auto, []) for auto in autos.values() if auto.path not in used)
    return out


def _values(
    conf: pgconf.ConfFile | None, extra: list[pgconf.ConfFile], system: Mapping[str, tuple[str, Span]]
) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for part in ([conf] if conf else []) + extra:
        for s in part.settings:
            out[s.name] = Value(s.value, s.span, s.file)
    for name, (value, span) in system.items():
        out[name.lower()] = Value(value, span, "ALTER SYSTEM")
    return out


def server_configs(
    confs: Iterable[pgconf.ConfFile],
    system: Mapping[str, tuple[str, Span]],
    consumers: list[Consumer],
    provider: str | None,
) -> list[ServerItem]:
    items: list[ServerItem] = []
    for conf, extra in _merge_auto(confs):
        complete = posixpath.basename(conf.path) == "postgresql.conf"
        described = conf.path + (f" (with {extra[0].path})" if extra else "")
        values = _values(conf, extra, system)
        items.append(
            _item(
                conf.path,
                described=described,
                complete=complete,
                values=values,
                consumers=consumers,
                provider=provider,
            )
        )
    if not items and system:
        first = min(span for _, span in system.values())
        values = _values(None, [], system)
        items.append(
            _item(
                first.path,
                described="the ALTER SYSTEM statements in the migrations",
                complete=False,
                values=values,
                consumers=consumers,
                provider=provider,
                origin=first,
            )
        )
    return items


def observed_config(
    settings: Mapping[str, str], described: str, origin: Span, consumers: list[Consumer], provider: str | None
) -> ServerItem:
    """A live server's `pg_settings`, judged like a complete postgresql.conf (`check --live`)."""
    values = {name: Value(value, origin, LIVE) for name, value in settings.items()}
    return _item(
        origin.path,
        described=described,
        complete=True,
        values=values,
        consumers=consumers,
        provider=provider,
        origin=origin,
        key=f"server-config:live:{described}",
    )


def _item(
    path: str,
    *,
    described: str,
    complete: bool,
    values: dict[str, Value],
    consumers: list[Consumer],
    provider: str | None,
    origin: Span | None = None,
    key: str | None = None,  # an observed server's: set only by observed_config
) -> ServerItem:
    top = origin or Span.point(path, 1)

    def get(name: str) -> _Setting:
        found = values.get(name)
        raw: str | None = found.value if found is not None else (DEFAULTS.get(name) if complete else None)
        where = found.origin.to_dict() if found is not None else top.to_dict()
        source = found.source if found is not None else None
        return _Setting(raw, where, found is not None, source, _phrase(name, raw, source, described, complete))

    wal_level = get("wal_level")
    max_replication_slots = get("max_replication_slots")
    max_wal_senders = get("max_wal_senders")
    max_slot_wal_keep_size = get("max_slot_wal_keep_size")
    wal_keep_size = get("wal_keep_size")
    idle_replication_slot_timeout = get("idle_replication_slot_timeout")
    ssl = get("ssl")
    level = wal_level.raw.lower() if wal_level.raw is not None else None
    switch = _provider_switch(values)
    ms = _parsed(idle_replication_slot_timeout.raw, lambda r: pgconf.duration_ms("idle_replication_slot_timeout", r))
    return {
        "key": key or f"server-config:{path}",
        "path": described,
        "complete": complete,
        "origin": top.to_dict(),
        "provider": provider,
        "observed": key is not None,
        "wal_level_raw": wal_level.raw,
        "wal_level_origin": wal_level.origin,
        "wal_level_explicit": wal_level.explicit,
        "wal_level_source": wal_level.source,
        "wal_level_phrase": wal_level.phrase,
        "max_replication_slots_raw": max_replication_slots.raw,
        "max_replication_slots_origin": max_replication_slots.origin,
        "max_replication_slots_explicit": max_replication_slots.explicit,
        "max_replication_slots_source": max_replication_slots.source,
        "max_replication_slots_phrase": max_replication_slots.phrase,
        "max_wal_senders_raw": max_wal_senders.raw,
        "max_wal_senders_origin": max_wal_senders.origin,
        "max_wal_senders_explicit": max_wal_senders.explicit,
        "max_wal_senders_source": max_wal_senders.source,
        "max_wal_senders_phrase": max_wal_senders.phrase,
        "max_slot_wal_keep_size_raw": max_slot_wal_keep_size.raw,
        "max_slot_wal_keep_size_origin": max_slot_wal_keep_size.origin,
        "max_slot_wal_keep_size_explicit": max_slot_wal_keep_size.explicit,
        "max_slot_wal_keep_size_source": max_slot_wal_keep_size.source,
        "max_slot_wal_keep_size_phrase": max_slot_wal_keep_size.phrase,
        "wal_keep_size_raw": wal_keep_size.raw,
        "wal_keep_size_origin": wal_keep_size.origin,
        "wal_keep_size_explicit": wal_keep_size.explicit,
        "wal_keep_size_source": wal_keep_size.source,
        "wal_keep_size_phrase": wal_keep_size.phrase,
        "idle_replication_slot_timeout_raw": idle_replication_slot_timeout.raw,
        "idle_replication_slot_timeout_origin": idle_replication_slot_timeout.origin,
        "idle_replication_slot_timeout_explicit": idle_replication_slot_timeout.explicit,
        "idle_replication_slot_timeout_source": idle_replication_slot_timeout.source,
        "idle_replication_slot_timeout_phrase": idle_replication_slot_timeout.phrase,
        "ssl_raw": ssl.raw,
        "ssl_origin": ssl.origin,
        "ssl_explicit": ssl.explicit,
        "ssl_source": ssl.source,
        "ssl_phrase": ssl.phrase,
        "wal_level": level,
        "provider_switch": switch,
        "logical_decoding": (
            True
            if level == "logical" or (switch is not None and switch["on"])
            else (False if level is not None or switch is not None else None)
        ),
        "max_replication_slots": _parsed(max_replication_slots.raw, pgconf.parse_int),
        "max_wal_senders": _parsed(max_wal_senders.raw, pgconf.parse_int),
        "max_slot_wal_keep_size_mb": _mb("max_slot_wal_keep_size", max_slot_wal_keep_size.raw),
        "wal_keep_size_mb": _mb("wal_keep_size", wal_keep_size.raw),
        "idle_replication_slot_timeout_s": ms // 1000 if ms is not None and ms > 0 else ms,
        "ssl": _parsed(ssl.raw, pgconf.parse_bool),
        "consumers": [c.description for c in consumers],
        "slots_needed": sum(c.slots for c in consumers),
        "senders_needed": sum(c.senders for c in consumers),
        "consumer_origin": consumers[0].origin.to_dict() if consumers else None,
    }


@dataclass(frozen=True)
class _Setting:
    raw: str | None
    origin: Origin
    explicit: bool
    source: str | None
    phrase: str


def _parsed(raw: str | None, parse: Callable[[str], _T | None]) -> _T | None:
    return parse(raw) if raw is not None else None


def _mb(name: str, raw: str | None) -> int | None:
    size = pgconf.memory_bytes(name, raw) if raw is not None else None
    return size if size is None or size < 0 else size // (1024 * 1024)


def _phrase(name: str, raw: str | None, source: str | None, described: str, complete: bool) -> str:
    """How a message names the setting: where it is set, or that the default applies."""
    if source == LIVE:
        return f"{name} = {raw} on {described}"
    if source == "ALTER SYSTEM":
        return f"ALTER SYSTEM SET {name} = {raw}" + (" (it overrides postgresql.conf)" if complete else "")
    if source is not None:
        return f"{name} = {raw} in {source}"
    return f"{name} is not set in {described}, so it is {raw} (the default)"


def _provider_switch(values: Mapping[str, Value]) -> ProviderSwitch | None:
    for name, (provider, on_value) in PROVIDER_SWITCHES.items():
        found = values.get(name)
        if found is None:
            continue
        text = found.value.strip().lower()
        on = text == on_value or (on_value in ("1", "on") and pgconf.parse_bool(text) is True)
        return {"name": name, "value": found.value, "provider": provider, "on": on, "origin": found.origin.to_dict()}
    return None


__all__ = ["Consumer", "observed_config", "server_configs"]
