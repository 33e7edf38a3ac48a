"""Run the live probes for every target and collect what they observed (`replint check --live`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lint.live.targets import Target, targets
from lint.span import Span

if TYPE_CHECKING:
    from lint.live.mongo import MongoObserved
    from lint.live.postgres import PgObserved
    from lint.sources.powersync import PowerSyncConfig


@dataclass(frozen=True)
class Observed:
    """One target and what its probe saw (or why it could not look)."""

    role: str  # "source" | "storage"
    engine: str
    config: str | None
    origin: Span | None
    display: str  # redacted connection, or a description when there is none
    problem: str | None  # the target could not be probed at all (unset !env, no URI)
    pg: PgObserved | None = None
    mongo: MongoObserved | None = None


@dataclass(frozen=True)
class LiveOptions:
    source_uri: str | None = None
    storage_uri: str | None = None
    timeout_s: float = 5.0
    allowed_hosts: frozenset[str] = frozenset()  # hosts a config may name itself (--live-host, REPLINT_LIVE_HOSTS)


def _display(target: Target) -> str:
    if target.uri is None:
        return f"the {target.role} connection" + (f" in {target.config}" if target.config else "")
    if target.engine == "mongodb":
        from lint.live.mongo import redact_uri

        return redact_uri(target.uri)
    from lint.live.postgres import redact

    return redact(target.uri)


def observe(
    configs: Sequence[PowerSyncConfig],
    sync_tables: Sequence[str],
    env: Mapping[str, str],
    options: LiveOptions,
    progress: Callable[[str], None] | None = None,
) -> tuple[Observed, ...]:
    """Probe each target read-only, one after another, reporting progress as it goes. `sync_tables` are the
    `schema.table` names the sync rules read (for MongoDB: `database.collection`)."""
    found = targets(
        list(configs),
        env,
        source_uri=options.source_uri,
        storage_uri=options.storage_uri,
        allowed_hosts=options.allowed_hosts,
    )
    out: list[Observed] = []
    for target in found:
        display = _display(target)
        if target.uri is None or target.engine not in ("postgresql", "mongodb"):
            why = target.problem or f"live checks do not support {target.engine} connections"
            out.append(Observed(target.role, target.engine, target.config, target.origin, display, why))
            continue
        if progress:
            progress(f"live: probing the {target.role} database {display} ...")
        kwargs: dict[str, Any] = {}
        if target.engine == "postgresql":
            from lint.live import postgres

            pg = postgres.probe(
                target.uri,
                target=target.role,
                tables=list(sync_tables),
                timeout_s=options.timeout_s,
                cacert=target.cacert,
            )
            kwargs["pg"] = pg
            done = "ok" if pg.reachable else pg.error
        else:
            from lint.live import mongo

            names = [t.split(".", 1)[1] for t in sync_tables]
            mg = mongo.probe(
                target.uri, target=target.role, database=target.database, collections=names, timeout_s=options.timeout_s
            )
            kwargs["mongo"] = mg
            done = "ok" if mg.reachable else mg.error
        if progress:
            progress(f"live: {target.role} {display}: {done}")
        out.append(Observed(target.role, target.engine, target.config, target.origin, display, None, **kwargs))
    return tuple(out)


__all__ = ["LiveOptions", "Observed", "observe"]
