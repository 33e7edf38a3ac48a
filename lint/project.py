"""Discovery: find the files replint understands under the given paths and read each with its reader.

Files are recognised by content where the name says little (any YAML/JSON may be a PowerSync config), and by
extension for SQL. Paths in findings are relative to the project root (the common parent of the inputs, or
the `.replint.yaml` directory) and always use `/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lint import model
from lint.replay import replay
from lint.sources import powersync, sql, syncrules
from lint.span import Span
from lint.yamlsrc import Located, Problem, load_located

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "dist",
    "build",
    ".idea",
    ".vscode",
}
YAML_EXT = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class Loaded:
    """What one run read: the model inputs plus source texts for snippets."""

    inputs: model.Inputs
    sources: dict[str, str] = field(default_factory=dict)


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").exists()


def iter_files(root: Path, targets: list[Path]) -> Iterator[Path]:
    """Every regular file under the targets, skipping VCS, dependency and virtualenv folders.

    Symlinked directories are not followed (loops, and links out of the project).
    """
    seen: set[Path] = set()
    for target in targets:
        if target.is_file():
            resolved = target.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield target
            continue
        for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
            base = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _is_venv(base / d))
            for name in sorted(filenames):
                p = base / name
                if p.is_symlink():
                    try:
                        p.resolve().relative_to(root.resolve())
                    except (ValueError, OSError):
                        continue  # a link out of the project is not followed
                resolved = p.resolve()
                if resolved not in seen:
                    seen.add(resolved)
                    yield p


def relpath(root: Path, path: Path) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(os.path.relpath(path.resolve(), root.resolve()))
    return rel.as_posix()


def read_text(path: Path, rel: str) -> tuple[str | None, Problem | None]:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(
                "read",
                f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB and was not read",
                Span.point(rel, 1),
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem("read", f"cannot read file: {exc.strerror or 'I/O error'}", Span.point(rel, 1))
    if b"\x00" in data[:8192]:
        return None, Problem("read", "file looks binary (NUL bytes) and was not read", Span.point(rel, 1))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem("read", "file is not valid UTF-8 and was not read", Span.point(rel, line))
    return text, None


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
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def load(root: Path, targets: list[Path]) -> Loaded:
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    sql_files: list[sql.SqlFile] = []
    configs: list[powersync.PowerSyncConfig] = []
    yaml_docs: dict[str, Located] = {}
    env: dict[str, tuple[str, str]] = {}
    secret_spans: list[Span] = []
    files = 0

    for path in iter_files(root, targets):
        rel = relpath(root, path)
        name = path.name
        lower = name.lower()
        if lower.endswith(".sql"):
            text, problem = read_text(path, rel)
            files += 1
            if problem:
                problems.append(problem)
                continue
            assert text is not None
            sources[rel] = text
            f = sql.read_sql(rel, text)
            sql_files.append(f)
            problems.extend(f.problems)
            secret_spans.extend(f.secret_spans)
        elif lower.endswith(YAML_EXT):
            text, problem = read_text(path, rel)
            if problem:
                # Only count YAML/JSON problems for files that might be ours: they are config candidates.
                files += 1
                problems.append(problem)
                continue
            assert text is not None
            if not _might_be_ours(text):
                continue
            doc = load_located(rel, text)
            if doc.problems and doc.data is None:
                if _mentions_ours(text):
                    files += 1
                    sources[rel] = text
                    problems.extend(doc.problems)
                continue
            if powersync.looks_like_config(doc.data) or syncrules.looks_like_sync_rules(doc.data):
                files += 1
                sources[rel] = text
                problems.extend(doc.problems)
                yaml_docs[rel] = doc
        elif _is_env_file(name):
            text, problem = read_text(path, rel)
            if text is not None:
                _read_env_file(text, rel, env)

    sync_rules: dict[str, syncrules.SyncRules] = {}
    referenced: set[str] = set()
    for rel, doc in yaml_docs.items():
        if not powersync.looks_like_config(doc.data):
            continue
        cfg = powersync.read_config(doc)
        configs.append(cfg)
        secret_spans.extend(cfg.secret_spans)
        default_schema = _default_schema(cfg)
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
    for rel, doc in yaml_docs.items():
        if rel in referenced or powersync.looks_like_config(doc.data):
            continue
        rules = syncrules.read_sync_rules(rel, sources[rel], "public")
        problems.extend(rules.problems)
        standalone.append(rules)

    db = replay(sql_files) if sql_files else None
    inputs = model.Inputs(
        sql=db,
        sql_files=len(sql_files),
        configs=tuple(configs),
        sync_rules=sync_rules,
        standalone_sync_rules=tuple(standalone),
        env=env,
        problems=tuple(problems),
        files=files,
        secret_spans=tuple(secret_spans),
    )
    return Loaded(inputs, sources)


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


def _might_be_ours(text: str) -> bool:
    """Cheap pre-filter so that unrelated YAML (CI workflows, k8s manifests) is not parsed twice."""
    return any(
        k in text
        for k in (
            "replication",
            "storage",
            "sync_rules",
            "sync_config",
            "bucket_definitions",
            "streams",
            "_type",
        )
    )


def _mentions_ours(text: str) -> bool:
    return any(
        f"{k}:" in text or f'"{k}"' in text for k in ("replication", "sync_rules", "sync_config", "bucket_definitions")
    )


def _default_schema(cfg: powersync.PowerSyncConfig) -> str:
    if not cfg.connections:
        return "public"
    values = cfg.connections[0].values
    kind = values.get("type")
    if kind == "mongodb":
        db = values.get("database")
        if isinstance(db, str) and db:
            return db
        uri = values.get("uri")
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
    try:
        target.resolve().relative_to(root.resolve())
    except ValueError:
        problems.append(
            Problem(
                "sync-config-path",
                "the sync config path resolves outside the project root (through a link); replint does not read it",
                cfg.sync_path_span,
            )
        )
        return None
    if not target.is_file():
        problems.append(
            Problem(
                "sync-config-path",
                f"the sync config file {cfg.sync_path} does not exist; PowerSync will not start",
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


def project_root(targets: list[Path]) -> Path:
    """The common directory of the inputs (a file's parent for a single file)."""
    dirs = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    common = Path(os.path.commonpath([str(d) for d in dirs])) if dirs else Path.cwd()
    return common


__all__ = ["Loaded", "inline_offsets", "load", "project_root"]
