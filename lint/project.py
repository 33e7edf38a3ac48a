"""Discovery: find the files replint understands under the given paths and read each with its reader.

Files are recognised by content where the name says little (any YAML/JSON may be a PowerSync config), and by
extension for SQL. Paths in findings are relative to the project root (the common parent of the inputs, or
the `.replint.yaml` directory) and always use `/`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lint import model
from lint.files import (
    ReadError,
    Skipped,
    decode,
    inspect,
    iter_files,
    peek,
    read_bytes,
    read_text,
    relpath,
    resolved_inside,
    shown,
)
from lint.model import mongoauth
from lint.model.replay import replay
from lint.sources import (
    clients,
    compose,
    debezium,
    drasi,
    flyway,
    hba,
    kinds,
    mongo,
    neosync,
    pgconf,
    powersync,
    sql,
    sqlfacts,
    syncrules,
)
from lint.span import Span
from lint.yamlsrc import EnvRef, Located, Problem, load_all_located

if TYPE_CHECKING:
    from lint.cache import Cache

YAML_EXT = kinds.suffixes("yaml", "json")
JS_EXT = kinds.suffixes("js")


@dataclass
class Loaded:
    """What one run read: the model inputs plus source texts for snippets."""

    inputs: model.Inputs
    sources: dict[str, str] = field(default_factory=dict)


def _read_env_file(text: str, rel: str, env: dict[str, tuple[str, str]]) -> None:
    """dotenv: NAME=value lines; values feed server-identity checks and are never printed."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].strip()
        env.setdefault(name.strip(), (value, rel))


def _is_env_file(name: str) -> bool:
    kind = kinds.kind_of(name)
    return kind is not None and kind.name == "env"


@dataclass
class _Collected:
    """What the discovery pass found, per format, before cross-file reading (sync rules, includes)."""

    sql_texts: list[tuple[str, str]] = field(default_factory=list)
    sql_files: list[sql.SqlFile] = field(default_factory=list)
    yaml_docs: dict[str, Located] = field(default_factory=dict)
    pgconf_paths: list[str] = field(default_factory=list)
    hba_paths: list[str] = field(default_factory=list)
    mongo_setups: list[mongo.MongoSetup] = field(default_factory=list)
    debezium: list[debezium.DebeziumConnector] = field(default_factory=list)
    clients: list[clients.ClientConnection] = field(default_factory=list)
    env: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Each folder's `.env` (what `docker compose` interpolates a compose file of that folder with).
    env_by_dir: dict[str, dict[str, str]] = field(default_factory=dict)
    compose_docs: list[Located] = field(default_factory=list)
    flyway_configs: list[flyway.FlywaySettings] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    secret_spans: list[Span] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files: int = 0

    def keep(self, rel: str, text: str, problems: tuple[Problem, ...] = (), secrets: tuple[Span, ...] = ()) -> None:
        self.files += 1
        self.sources[rel] = text
        self.problems.extend(problems)
        self.secret_spans.extend(secrets)


@dataclass(frozen=True)
class ProjectAccess:
    """File access for include directives (`include`, `@file`): project files only, through `read_text`."""

    root: Path
    sources: dict[str, str]
    refused: set[str] = field(default_factory=set)  # links out of the project an include named (reported there)

    def _inside(self, rel: str) -> Path | None:
        target = self.root / rel
        try:
            target.resolve().relative_to(self.root.resolve())
        except (ValueError, OSError):
            return None  # a link that leaves the project
        return target

    def read(self, rel: str) -> tuple[str | None, str | None]:
        if rel in self.sources:  # read already during discovery
            return self.sources[rel], None
        target = self._inside(rel)
        if target is None:
            self.refused.add(rel)
            return None, "resolves outside the project (through a link)"
        state = inspect(target)
        if state.kind == "unknown":
            return None, f"cannot be inspected: {state.problem}"
        if state.kind != "file":
            return None, "does not exist"
        text, problem = read_text(target, rel)
        if problem is not None:
            return None, problem.message.removeprefix("file ")
        assert text is not None
        self.sources[rel] = text
        return text, None

    def listdir(self, rel: str) -> list[str] | None:
        target = self._inside(rel)
        if target is None or inspect(target).kind != "dir":
            return None
        try:
            return sorted(p.name for p in target.iterdir() if p.is_file())
        except OSError:
            return None


def load(
    root: Path,
    targets: list[Path],
    *,
    jobs: int = 1,
    store: Cache | None = None,
    pg_version: tuple[int, str] | None = None,
) -> Loaded:
    """Read every file under the targets. `jobs` processes parse migrations; `store` caches their facts;
    `pg_version` is the PostgreSQL major the migrations are replayed by (and where it was set)."""
    found = _Collected()
    skipped: list[Skipped] = []
    named = _named_files(targets)
    for path in iter_files(root, targets, skipped):
        if path.resolve() in named:
            _discover_named(root, path, found)
        else:
            _discover(root, path, found)
    for f in sqlfacts.read_all(found.sql_texts, jobs=jobs, store=store):
        found.sql_files.append(f)
        found.problems.extend(f.problems)
        found.secret_spans.extend(f.secret_spans)
    access = ProjectAccess(root, found.sources)
    stacks = tuple(
        compose.read_compose(d, found.env_by_dir.get(posixpath.dirname(d.path), {})) for d in found.compose_docs
    )
    configs, sync_rules, standalone = _powersync(root, found, stacks)
    pgconfs = _read_included_family(found, access, found.pgconf_paths, pgconf.read_pgconf)
    hbas = _read_included_family(found, access, found.hba_paths, hba.read_hba)
    _report_skipped(root, skipped, found, access.refused)
    # Another engine's SQL (MySQL init scripts, ksqlDB queries) is not replayed nor counted as migrations.
    pg_files = [f for f in found.sql_files if f.foreign is None]
    found.problems.extend(_foreign_sql(found.sql_files, configs))
    db = replay(pg_files, pg_version, _flyway_of(pg_files, found.flyway_configs)) if pg_files else None
    inputs = model.Inputs(
        sql=db,
        sql_files=len(pg_files),
        configs=tuple(configs),
        sync_rules=sync_rules,
        standalone_sync_rules=tuple(standalone),
        env=found.env,
        problems=tuple(found.problems),
        files=found.files,
        secret_spans=tuple(found.secret_spans),
        pgconfs=tuple(pgconfs),
        hbas=tuple(hbas),
        mongo=mongoauth.replay(found.mongo_setups) if found.mongo_setups else None,
        debezium=tuple(found.debezium),
        clients=tuple(found.clients),
        deployments=stacks,
    )
    return Loaded(inputs, found.sources)


# PowerSync connection types that declare a source engine whose SQL replint does not read.
_DECLARED_DIALECTS = {"mysql": ("MySQL",), "mssql": ("SQL Server",)}


def _foreign_sql(files: list[sql.SqlFile], configs: list[powersync.PowerSyncConfig]) -> list[Problem]:
    """One `foreign-sql` problem per folder holding another engine's SQL, at the first evidence, unless the
    project declares that engine (a PowerSync MySQL or SQL Server source: its scripts are expected there).
    Debezium connectors are not consulted: the Debezium reader keeps PostgreSQL connectors only."""
    declared = {
        d
        for cfg in configs
        for conn in cfg.connections
        for d in _DECLARED_DIALECTS.get(str(conn.values.get("type", "")).lower(), ())
    }
    folders: dict[str, list[sql.SqlFile]] = {}
    for f in files:
        if f.foreign is not None and f.foreign.dialect not in declared:
            folders.setdefault(f.path.rpartition("/")[0], []).append(f)
    problems: list[Problem] = []
    for folder, group in folders.items():
        evidence = [f.foreign for f in group if f.foreign is not None]
        first = evidence[0]
        names = " and ".join(dict.fromkeys(e.dialect for e in evidence))
        these = "this file was" if len(group) == 1 else f"these {len(group)} files were"
        message = (
            f"{folder or '.'}/ holds {names} SQL (recognised by {first.label}); replint reads PostgreSQL SQL"
            f" only, so {these} not read"
        )
        problems.append(Problem("foreign-sql", message, first.span))
    return problems


def _report_skipped(root: Path, skipped: list[Skipped], found: _Collected, reported: set[str]) -> None:
    """Links out of the project and special files are not read; those that would be read are reported, so a
    migration folder linked from elsewhere is never silently unchecked. A link an include names is reported at
    the include (`reported`), not twice."""
    for entry in skipped:
        name = entry.path.name.lower()
        if not entry.folder and not _read_by_name(name):
            continue
        try:
            rel = (entry.path.parent.resolve() / entry.path.name).relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = entry.path.name
        if rel in reported:
            continue
        remedy = "if it belongs to this setup, lint its target directly" if "link" in entry.reason else "commit a file"
        found.problems.append(
            Problem(
                "skipped",
                f"{entry.reason}: replint does not open it, so nothing in it is checked; {remedy}",
                Span.point(rel, 1),
            )
        )


def _read_by_name(lower: str) -> bool:
    """Names replint reads (or sniffs): a skipped entry with one of them may hide part of the setup."""
    return kinds.kind_of(lower) is not None


def _read_sniffed(path: Path, rel: str, looks: Callable[[str], bool], found: _Collected) -> str | None:
    """Read a file that is ours only if its content says so. When it cannot be read (binary, not UTF-8, too
    large) but its start looks like ours, that is reported: a connector or setup script must not vanish silently."""
    text, problem = read_text(path, rel)
    if problem is not None and looks(peek(path)):
        found.files += 1
        found.problems.append(problem)
    return text


def _read_properties(path: Path, rel: str, found: _Collected) -> str | None:
    """Java's Properties.load(InputStream), which Kafka Connect uses, reads ISO-8859-1: a .properties file that is
    not UTF-8 is read that way instead of being dropped."""
    try:
        data = read_bytes(path)
    except ReadError:
        return _read_sniffed(path, rel, debezium.looks_like_debezium_properties, found)
    text, problem = decode(data, rel)
    if problem is not None and b"\x00" not in data[:8192]:
        return data.decode("latin-1")
    if problem is not None and debezium.looks_like_debezium_properties(data[:65536].decode("utf-8", "replace")):
        found.files += 1
        found.problems.append(problem)
    return text


def _named_files(targets: list[Path]) -> set[Path]:
    """The files named on the command line, resolved; one that cannot be resolved (a link loop) is left to
    `iter_files`, which reports it."""
    out: set[Path] = set()
    for target in targets:
        try:
            if not target.is_dir():
                out.add(target.resolve())
        except (OSError, RuntimeError):
            continue
    return out


# Suffixes of a file kept as a template of another (`config.yaml.example`): named on the command line, it is
# read as the file it stands for.
TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".default", ".orig", ".bak", ".in")


def _discover_named(root: Path, path: Path, found: _Collected) -> None:
    """A file named on the command line: read as its name (less a template suffix) says, and when no reader takes
    it, say so at the file: "no findings in 0 files" would read as an all-clear for a file never looked at."""
    name = path.name
    while name.lower().endswith(TEMPLATE_SUFFIXES) and "." in name[:-1].rstrip("."):
        name = name.rsplit(".", 1)[0]
    before = _progress(found)
    if _read_by_name(name.lower()):
        _discover(root, path, found, name)
    else:  # no name to go by: PowerSync, connector and MongoDB documents are recognised by content
        _discover_yaml(path, relpath(root, path), found)
    if _progress(found) == before:
        found.files += 1
        found.problems.append(
            Problem(
                "skipped",
                "replint does not recognise this file, so nothing in it was checked; it reads PostgreSQL SQL, "
                "postgresql.conf, pg_hba.conf, PowerSync, Debezium, Drasi and Neosync YAML/JSON, .properties, "
                "mongosh scripts and .env files, by name or by content",
                Span.point(relpath(root, path), 1),
            )
        )


def _progress(found: _Collected) -> tuple[int, ...]:
    """How much discovery has taken in: unchanged across a file means no reader took it."""
    return (found.files, len(found.sources), len(found.env), len(found.problems), len(found.debezium))


def _discover(root: Path, path: Path, found: _Collected, name: str | None = None) -> None:
    """Read one file with the reader its name (or, for generic names, its content) calls for."""
    rel = relpath(root, path)
    name = name or path.name
    lower = name.lower()
    kind = kinds.kind_of(name)
    what = kind.name if kind is not None else None
    if what == "flyway":
        text = _read_counted(path, rel, found)
        settings = flyway.read_flyway(rel, text) if text is not None else None
        if settings is not None:
            found.files += 1
            found.flyway_configs.append(settings)
        return
    if what == "sql":
        text = _read_counted(path, rel, found)
        if text is not None:
            found.sql_texts.append((rel, text))  # read together below: cached, and in parallel when many
            found.keep(rel, text)
    elif what == "conf":
        _discover_conf(path, rel, lower, found)
    elif what in ("yaml", "json"):
        _discover_yaml(path, rel, found)
    elif what == "properties":
        text = _read_properties(path, rel, found)
        if text is not None and debezium.looks_like_debezium_properties(text):
            dbz = debezium.read_debezium_properties(rel, text)
            found.debezium.extend(dbz.connectors)
            found.keep(rel, text, dbz.problems, dbz.secret_spans)
    elif what == "js":
        text = _read_sniffed(path, rel, mongo.looks_like_mongo_js, found)
        if text is not None and mongo.looks_like_mongo_js(text):
            setup = mongo.read_mongo_js(rel, text)
            found.mongo_setups.append(setup)
            found.keep(rel, text, setup.problems, setup.secret_spans)
    elif what == "env":
        text = _read_counted(path, rel, found)
        if text is not None:
            _read_env_file(text, rel, found.env)
            if name == ".env":
                here: dict[str, tuple[str, str]] = {}
                _read_env_file(text, rel, here)
                found.env_by_dir[posixpath.dirname(rel)] = {k: v for k, (v, _) in here.items()}


def _read_counted(path: Path, rel: str, found: _Collected) -> str | None:
    """Read a file that is ours by name: an unreadable one is a finding, not a silent skip."""
    text, problem = read_text(path, rel)
    if problem is not None:
        found.files += 1
        found.problems.append(problem)
    return text


def _discover_conf(path: Path, rel: str, lower: str, found: _Collected) -> None:
    """postgresql.conf and pg_hba.conf by name; other `.conf` files only when their content says so."""
    by_name = "hba" in lower or lower.startswith(("postgresql", "postgres"))
    text = (
        _read_counted(path, rel, found)
        if by_name
        else _read_sniffed(path, rel, lambda t: hba.looks_like_hba(t) or pgconf.looks_like_pgconf(t), found)
    )
    if text is None:
        return
    if "hba" in lower or (not by_name and hba.looks_like_hba(text)):
        found.hba_paths.append(rel)
    elif pgconf.is_server_config(text) if by_name else pgconf.looks_like_pgconf(text):
        found.pgconf_paths.append(rel)
    else:
        return
    found.sources[rel] = text  # _read_included_family parses it, with its includes, from here


def _discover_yaml(path: Path, rel: str, found: _Collected) -> None:
    text, problem = read_text(path, rel)
    if problem:
        # Only count YAML/JSON problems for files that might be ours: they are config candidates.
        found.files += 1
        found.problems.append(problem)
        return
    assert text is not None
    if compose.is_compose_name(path.name):
        stacks = [d for d in load_all_located(rel, text, env_tag=False) if compose.looks_like_compose(d.data)]
        if stacks:
            # Read for its services and mounts only; its text (environment values, passwords) is not kept.
            found.files += 1
            found.compose_docs.extend(stacks)
            return
    if not _might_be_ours(text):
        return
    docs = load_all_located(rel, text)
    if len(docs) == 1 and docs[0].problems and docs[0].data is None:
        if _mentions_ours(text):
            found.keep(rel, text, docs[0].problems)
        return
    ours = False
    for doc in docs:
        ours = _classify_doc(doc, found) or ours
    if ours:
        found.keep(rel, text, tuple(p for d in docs for p in d.problems))


def _classify_doc(doc: Located, found: _Collected) -> bool:
    """Hand one YAML/JSON document to the reader whose shape it has; False when it is none of ours."""
    data = doc.data
    if powersync.looks_like_config(data) or syncrules.looks_like_sync_rules(data):
        if doc.path in found.yaml_docs:  # only the first PowerSync document of a stream
            return False
        found.yaml_docs[doc.path] = doc
        return True
    if debezium.looks_like_debezium_doc(data):
        dbz = debezium.read_debezium_doc(doc)
        found.debezium.extend(dbz.connectors)
        found.problems.extend(dbz.problems)
        found.secret_spans.extend(dbz.secret_spans)
        return True
    for looks, read in (
        (drasi.looks_like_drasi_source, drasi.read_drasi),
        (neosync.looks_like_neosync_connection, neosync.read_neosync),
    ):
        if looks(data):
            cf = read(doc)
            found.clients.extend(cf.connections)
            found.problems.extend(cf.problems)
            found.secret_spans.extend(cf.secret_spans)
            return True
    if mongo.looks_like_mongo_doc(data):
        setup = mongo.read_mongo_doc(doc)
        found.mongo_setups.append(setup)
        found.problems.extend(setup.problems)
        found.secret_spans.extend(setup.secret_spans)
        return True
    return False


_T = TypeVar("_T", pgconf.ConfFile, hba.HbaFile)


def _read_included_family(
    found: _Collected,
    access: ProjectAccess,
    paths: list[str],
    reader: Callable[[str, str, ProjectAccess], _T],
) -> list[_T]:
    """Read top-level files with their includes; a file another one includes is not read a second time."""
    out: list[_T] = []
    included: set[str] = set()
    # Canonical names first, so `conf.d/*.conf` found by content is seen as part of the file including it.
    for rel in sorted(paths, key=lambda p: (not _canonical_conf(p), p)):
        if rel in included:
            continue
        text, _ = access.read(rel)
        if text is None:
            continue
        parsed = reader(rel, text, access)
        included.update(parsed.files[1:])
        out.append(parsed)
        found.files += 1
        found.problems.extend(parsed.problems)
    return [f for f in out if f.path not in included]


def _canonical_conf(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in ("postgresql.conf", "pg_hba.conf")


def _powersync(
    root: Path, found: _Collected, stacks: tuple[compose.ComposeFile, ...]
) -> tuple[list[powersync.PowerSyncConfig], dict[str, syncrules.SyncRules], list[syncrules.SyncRules]]:
    configs: list[powersync.PowerSyncConfig] = []
    sources, problems = found.sources, found.problems
    sync_rules: dict[str, syncrules.SyncRules] = {}
    referenced: set[str] = set()
    for rel, doc in found.yaml_docs.items():
        if not powersync.looks_like_config(doc.data):
            continue
        cfg = powersync.read_config(doc)
        configs.append(cfg)
        found.secret_spans.extend(cfg.secret_spans)
        default_schema = _default_schema(cfg, found.env)
        if cfg.sync_path is not None and cfg.sync_path.startswith("/"):
            cfg = _through_mounts(root, cfg, stacks, problems)
            configs[-1] = cfg
        if cfg.sync_path is not None:
            referenced.add(cfg.sync_path)
            rules = _read_referenced_rules(root, cfg, default_schema, sources, problems)
            if rules is not None:
                sync_rules[rel] = rules
        elif cfg.sync_content is not None:
            content, scalar = cfg.sync_content
            line_offset, col_offset = inline_offsets(sources[rel], scalar)
            sync_rules[rel] = syncrules.read_sync_rules(
                rel, content, default_schema, line_offset=line_offset, col_offset=col_offset
            )
        if rel in sync_rules:
            problems.extend(sync_rules[rel].problems)
    standalone: list[syncrules.SyncRules] = []
    for rel, doc in found.yaml_docs.items():
        if rel in referenced or powersync.looks_like_config(doc.data):
            continue
        rules = syncrules.read_sync_rules(rel, sources[rel], "public")
        problems.extend(rules.problems)
        standalone.append(rules)
    return configs, sync_rules, standalone


def _flyway_of(files: list[sql.SqlFile], configs: list[flyway.FlywaySettings]) -> dict[str, flyway.FlywaySettings]:
    """Each migration under a Flyway config's folder runs with that config's schemas (the nearest config wins)."""
    by_folder = sorted(((posixpath.dirname(c.path), c) for c in configs), key=lambda fc: len(fc[0]), reverse=True)
    out: dict[str, flyway.FlywaySettings] = {}
    for f in files:
        here = posixpath.dirname(f.path)
        found = next((c for folder, c in by_folder if folder in ("", here) or here.startswith(folder + "/")), None)
        if found is not None:
            out[f.path] = found
    return out


def _through_mounts(
    root: Path, cfg: powersync.PowerSyncConfig, stacks: tuple[compose.ComposeFile, ...], problems: list[Problem]
) -> powersync.PowerSyncConfig:
    """A sync config path inside the container, as the project file a docker-compose bind mount maps there (the
    PowerSync service's mounts first). What cannot be mapped is not known to be wrong: one `sync-config-unseen`
    note says what replint could not see, and the config is judged without sync rules."""
    assert cfg.sync_path is not None and cfg.sync_path_span is not None
    found = compose.container_to_repository(stacks, cfg.sync_path, "powersync")
    mapped, mount = found if found is not None else (None, None)
    path = shown(cfg.sync_path)
    if mapped is not None and mount is not None:
        if inspect(root / mapped).exists:
            return replace(cfg, sync_path=mapped)
        why = (
            f"the sync config path {path} is mounted from {shown(mapped)} ({mount.span.path}:{mount.span.line}), "
            "which is not in the repository (made or copied at deployment?); the sync rules were not checked "
            "with this config"
        )
    elif mount is None:
        why = (
            f"the sync config path {path} is a path inside the container, and no docker-compose file in the "
            "project mounts it; replint cannot tell which file it is, so the sync rules were not checked with this "
            "config (lint the compose file that starts PowerSync with it, or use a path relative to the config)"
        )
    else:
        why = (
            f"the sync config path {path} is mounted from outside the project, or from a variable its .env does "
            f"not set ({mount.span.path}:{mount.span.line}); replint cannot tell which file it is, so the sync "
            "rules were not checked with this config"
        )
    problems.append(Problem("sync-config-unseen", why, cfg.sync_path_span))
    return replace(cfg, sync_path=None, sync_path_span=None)


def inline_offsets(text: str, scalar: Span) -> tuple[int, int]:
    """Where an inline `content:` scalar's text starts in its file: (lines before it, its column offset).

    A block scalar (`|`, `>`) starts on the line after its indicator, indented by however many spaces the
    author used; a quoted scalar starts one column after its quote, a plain one at its first character.
    """
    lines = text.split("\n")
    start = lines[scalar.line - 1] if scalar.line - 1 < len(lines) else ""
    indicator = start[scalar.col - 1 : scalar.col]
    if indicator in ("|", ">"):
        for index in range(scalar.line, min(scalar.end_line, len(lines))):
            if lines[index].strip():
                return index, len(lines[index]) - len(lines[index].lstrip(" "))
        return scalar.line, 0
    return scalar.line - 1, scalar.col if indicator in ("'", '"') else scalar.col - 1


# The CLI's files start `_type: self-hosted` / `_type: cloud`; a generated JSON that merely has `_type` keys
# (type tags of some serializer) must not be parsed whole to find that out.
_CLI_TYPE = re.compile(r'(?m)^_type[ \t]*:|"_type"\s*:\s*"(?:self-hosted|cloud)"')


def _might_be_ours(text: str) -> bool:
    """Cheap pre-filter so that unrelated YAML (CI workflows, k8s manifests) is not parsed twice."""
    return _CLI_TYPE.search(text) is not None or any(
        k in text
        for k in (
            "replication",
            "storage",
            "sync_rules",
            "sync_config",
            "bucket_definitions",
            "streams",
            # Debezium (Kafka Connect JSON, Strimzi), Drasi sources, Neosync connections, MongoDB commands
            "PostgresConnector",
            "kind: Source",
            '"Source"',
            "pgConfig",
            "pg_config",
            "createUser",
            "createRole",
            "updateUser",
            "grantRolesToUser",
            "grantPrivilegesToRole",
            "collMod",
            '"create"',
            "create:",
        )
    )


def _mentions_ours(text: str) -> bool:
    return any(
        f"{k}:" in text or f'"{k}"' in text
        for k in (
            "replication",
            "sync_rules",
            "sync_config",
            "bucket_definitions",
            "connector.class",
            "pgConfig",
            "createUser",
            "createRole",
        )
    )


def _default_schema(cfg: powersync.PowerSyncConfig, env: dict[str, tuple[str, str]]) -> str:
    """The schema an unqualified sync-rules table lives in: `public`, or for MongoDB the source database."""
    if not cfg.connections:
        return "public"
    values = cfg.connections[0].values
    kind = values.get("type")
    if kind == "mongodb":
        db = values.get("database")
        if isinstance(db, EnvRef) and db.name in env:
            db = env[db.name][0]
        if isinstance(db, str) and db:
            return db
        uri = values.get("uri")
        if isinstance(uri, EnvRef) and uri.name in env:
            uri = env[uri.name][0]  # a value from .env, as the server-identity checks use it
        if isinstance(uri, str):
            from lint.conninfo import parse

            return parse(uri).database or "test"
        return "test"
    if kind == "mysql":
        db = values.get("database")
        return db if isinstance(db, str) else "mysql"
    if kind == "mssql":
        schema = values.get("schema")
        return schema if isinstance(schema, str) else "dbo"
    if kind == "convex":
        return "convex"
    return "public"


def _read_referenced_rules(
    root: Path,
    cfg: powersync.PowerSyncConfig,
    default_schema: str,
    sources: dict[str, str],
    problems: list[Problem],
) -> syncrules.SyncRules | None:
    assert cfg.sync_path is not None and cfg.sync_path_span is not None
    target = root / cfg.sync_path
    inside = resolved_inside(target, root)
    state = inspect(target) if inside else None
    if inside is None or (state is not None and state.kind == "unknown"):
        why = state.problem if state is not None else "a symlink loop or a name longer than the system allows"
        problems.append(
            Problem(
                "sync-config-path",
                f"replint cannot inspect the sync config file {shown(cfg.sync_path)} ({why}); PowerSync cannot "
                "read it either",
                cfg.sync_path_span,
            )
        )
        return None
    if not inside:
        problems.append(
            Problem(
                "sync-config-path",
                "the sync config path resolves outside the project root (through a link); replint does not read it",
                cfg.sync_path_span,
            )
        )
        return None
    if state is None or state.kind != "file":
        problems.append(
            Problem(
                "sync-config-path",
                f"the sync config file {shown(cfg.sync_path)} does not exist; PowerSync will not start",
                cfg.sync_path_span,
            )
        )
        return None
    text, problem = read_text(target, cfg.sync_path)
    if problem:
        problems.append(problem)
        return None
    assert text is not None
    sources[cfg.sync_path] = text
    return syncrules.read_sync_rules(cfg.sync_path, text, default_schema)


__all__ = ["Loaded", "inline_offsets", "load"]
