"""Command line: `replint check`, `explain`, `list-policies`, `model` and `test`.

Exit codes (DESIGN.md §7): 0 nothing at or above the fail threshold, 1 findings, 2 usage / configuration /
policy-file error, 3 internal error (a bug in replint, never bad input).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lint import __version__
from lint.output import FORMATS, RENDERERS
from lint.span import printable

if TYPE_CHECKING:
    from lint.config import Config
    from lint.findings.finding import FindingSet
    from lint.live.observe import LiveOptions
    from lint.policy import Policy
    from lint.rules import RuleDoc
    from lint.run import Result

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# libpq's connect_timeout and the statement timeout are whole milliseconds; a day is longer than any CI job.
MIN_LIVE_TIMEOUT, MAX_LIVE_TIMEOUT = 0.001, 86_400.0


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\nRun 'replint --help' or 'replint {self.prog.split()[-1]} --help'.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="replint",
        description="Lint logical-replication and CDC setups: PowerSync config and sync rules, PostgreSQL "
        "migrations (roles, grants, publications, subscriptions), server configuration, MongoDB roles and CDC "
        "connectors, and how they fit together.",
        epilog="Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage/configuration/policy "
        "error, 3 internal error. Docs: replint explain ID, replint list-policies.",
    )
    parser.add_argument("--version", action="version", version=f"replint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="lint files and folders (default: the current folder)",
        description="Read every file replint understands under PATH — PowerSync config and sync rules, SQL "
        "migrations, postgresql.conf, pg_hba.conf, MongoDB setup scripts, Debezium, Drasi and Neosync connection "
        "files — build one model, and judge it with the policies.",
        epilog="Silence one finding where it is, with a reason: '-- replint: ignore[RULE] why' above the SQL "
        "statement ('# ...' in YAML/conf/properties, '// ...' in JavaScript). Settings: .replint.yaml "
        "(schemas/config.schema.json). Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage/"
        "configuration/policy error, 3 internal error.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    check.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format: "
        + "; ".join(f"{name} ({what})" for name, (_, what) in RENDERERS.items())
        + " (default: text)",
    )
    check.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE in the same run (repeatable), e.g. --report sarif=replint.sarif",
    )
    check.add_argument(
        "--policies",
        action="append",
        default=[],
        metavar="DIR",
        help="extra policy folder (repeatable); validated like the built-in ones",
    )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: .replint.yaml found by walking up from the first PATH, or from the "
        "current folder)",
    )
    check.add_argument(
        "--no-config",
        action="store_true",
        help="use no configuration file, not even one found in a parent folder",
    )
    check.add_argument(
        "--fail-on",
        type=str.lower,  # `Error` as well as `error`
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    adopt = check.add_argument_group(
        "adopting on an existing project",
        "Findings are matched by a semantic fingerprint (rule + object, never a line number), so a baseline keeps "
        "matching when lines move.",
    )
    adopt.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record every current finding in FILE and exit 0 (commit it, then run with --baseline FILE)",
    )
    adopt.add_argument(
        "--baseline",
        metavar="FILE",
        help="findings recorded in FILE do not fail (shown as suppressed); entries whose finding is gone are "
        "reported as baseline-stale",
    )
    adopt.add_argument(
        "--changed-since",
        metavar="REF",
        help="only findings with a location in a file changed since git REF (its merge base with HEAD, plus "
        "uncommitted and untracked files) fail, e.g. --changed-since origin/main",
    )
    live = check.add_argument_group(
        "live checks",
        "With --live, replint also connects read-only to the databases the PowerSync config names (its !env "
        "values are read from this process's environment) and judges what they report with the same policies. "
        "It only runs SELECTs in read-only transactions with timeouts and never creates anything.",
    )
    live.add_argument("--live", action="store_true", help="also check the real source and storage databases")
    live.add_argument(
        "--source-uri",
        metavar="URI",
        help="connection for the replication source instead of the config's (env: REPLINT_SOURCE_URI)",
    )
    live.add_argument(
        "--storage-uri",
        metavar="URI",
        help="connection for the bucket storage instead of the config's (env: REPLINT_STORAGE_URI)",
    )
    live.add_argument(
        "--live-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a host the config may name itself (repeatable; env: REPLINT_LIVE_HOSTS, comma-separated). A config "
        "comes with a pull request, so replint connects only to hosts you choose: these, --source-uri/"
        "--storage-uri, and hosts the config takes from !env",
    )
    live.add_argument(
        "--live-timeout",
        type=_timeout,
        default=5.0,
        metavar="SECONDS",
        help="time allowed for each database in all: connecting (every host) and every check (default: 5)",
    )
    speed = check.add_argument_group(
        "speed",
        "Facts of unchanged files, and the whole result when nothing changed, come from a cache in "
        "$REPLINT_CACHE_DIR (default: $XDG_CACHE_HOME/replint or ~/.cache/replint), keyed by content and by "
        "replint's own code. Findings are the same with or without it.",
    )
    speed.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    speed.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="processes that parse migrations when there are many (default: the CPU count, at most 4; 1: none)",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--oneline", action="store_true", help="text format: one line per finding, no snippet")
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto, i.e. when writing to a terminal and NO_COLOR is not set)",
    )

    explain = sub.add_parser(
        "explain",
        help="show a policy's rationale, remediation and examples",
        description="Print the documentation of one policy.",
    )
    explain.add_argument("id", metavar="ID", help="policy id, e.g. sql-cdc-role-superuser")

    listing = sub.add_parser("list-policies", help="list every policy with its severity and title")
    listing.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text (default) or the markdown reference page (policies/README.md)",
    )
    listing.add_argument("--policies", action="append", default=[], metavar="DIR", help="extra policy folder")
    listing.add_argument(
        "--collections",
        action="store_true",
        help="list the model's collections instead: the variable a policy sees, each field with its type and "
        "meaning (--format markdown: the model reference page, policies/MODEL.md)",
    )

    model = sub.add_parser(
        "model",
        help="print the model of a project as JSON: what policies see",
        description="Print what replint read from the files under PATH as JSON: every collection a policy can "
        "iterate over (for_each) with every field, the `project` map, and the replayed state of each database "
        "(roles, memberships, privileges, default privileges, schemas, tables, publications, subscriptions, "
        "settings). Secrets are never printed. The document is described by schemas/model.schema.json "
        "(replint_model is its version).",
    )
    model.add_argument("path", nargs="?", default=".", metavar="PATH", help="folder or file (default: .)")
    model.add_argument("--collection", metavar="NAME", help="print only this collection's items")
    model.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file, for its postgres_version (default: .replint.yaml found by walking up from PATH)",
    )
    model.add_argument("--no-config", action="store_true", help="use no configuration file")

    test = sub.add_parser(
        "test",
        help="test policies: their examples and case files",
        description="Run each policy's examples (the bad one must make it fire, the good one must not) and the "
        "case files in DIR/tests/<policy-id>.yaml (cases: [{name, files: {path: content}, expect: [one-line "
        "findings]}]). Without DIR: the built-in policies' examples. Exit 0 when all pass, 1 when any fails, "
        "2 when a policy or case file cannot be used.",
    )
    test.add_argument("dirs", nargs="*", metavar="POLICY_DIR", help="folders of policy files to test")
    test.add_argument("--verbose", "-v", action="store_true", help="also list the checks that pass")
    return parser


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not MIN_LIVE_TIMEOUT <= value <= MAX_LIVE_TIMEOUT:  # also false for nan
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_LIVE_TIMEOUT} and {MAX_LIVE_TIMEOUT:.0f} seconds, not {text}"
        )
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        if args.command == "check":
            return _check(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "model":
            return _model(args)
        if args.command == "test":
            return _test(args)
        return _list(args)
    except UsageError as exc:
        print(f"replint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


class OutputError(Exception):
    """Standard output cannot be written (a closed pipe, a full disk): the reader's problem, not replint's."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(cause.strerror or str(cause))
        self.cause = cause


class _GuardedOutput:
    """Standard output whose write errors are told apart from replint's own failures."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(printable(text))
        except OSError as exc:
            raise OutputError(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            raise OutputError(exc) from exc

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


EXIT_SIGPIPE = 128 + 13  # what a shell reports for a program killed by SIGPIPE, as `yes | head -1` does


def _closed_output(exc: OutputError) -> int:
    # Anything still buffered would fail again when the interpreter flushes at exit: point stdout at devnull.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except OSError:
        pass
    if isinstance(exc.cause, BrokenPipeError):
        return EXIT_SIGPIPE  # the reader went away (`| head`): nothing to say
    print(f"replint: error: cannot write the output: {exc}", file=sys.stderr)
    return EXIT_USAGE


def main_entry() -> None:
    """Console-script entry point: turns an unexpected exception into exit 3 without a traceback."""
    sys.stdout = _GuardedOutput(sys.stdout)
    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:
        code = 130
    except OutputError as exc:
        code = _closed_output(exc)
    except Exception as exc:
        if os.environ.get("REPLINT_DEBUG"):
            raise
        print(
            f"replint: internal error ({type(exc).__name__}): this is a bug in replint, not in your files. "
            "Re-run with REPLINT_DEBUG=1 for details and report it.",
            file=sys.stderr,
        )
        code = EXIT_INTERNAL
    sys.exit(code)


def _load_policies(dirs: list[Path]) -> list[Policy]:
    from lint.policy import PolicyError, load_policies

    try:
        return load_policies(dirs)
    except PolicyError as exc:
        lines = [f"{s.path}:{s.line}:{s.col}: {m}" for s, m in exc.errors]
        raise UsageError("invalid policy file(s):\n  " + "\n  ".join(lines)) from None


def _progress(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _check(args: argparse.Namespace) -> int:
    from lint.findings.finding import Severity

    config = _config(args)
    reports = [_report_target(r) for r in args.report]
    if args.write_baseline and args.baseline:
        raise UsageError("use either --baseline (judge against it) or --write-baseline (replace it), not both")
    if args.changed_since is not None and not args.changed_since.strip():
        raise UsageError("--changed-since needs a git reference, e.g. --changed-since origin/main")
    targets = [Path(p) for p in args.paths] or list(config.paths) or [config.path.parent if config.path else Path(".")]
    for t in targets:
        _must_exist(t, "path")
    result, rules = _judged(args, config, targets)
    from lint.findings import filter as filters

    baseline = Path(args.baseline) if args.baseline else None
    how = filters.Judging(
        disabled=config.disabled,
        severities=config.severities,
        ignores=config.ignores,
        baseline=baseline,
        baseline_display=_display(baseline, result.root) if baseline else "",
        changed_since=args.changed_since or None,
        read=tuple(result.sources),
    )
    if args.write_baseline:
        return _write_baseline(Path(args.write_baseline), filters.configured(result.findings, how))
    try:
        fs = filters.judged(result.findings, how, result.root)
    except filters.FilterError as exc:
        raise UsageError(str(exc)) from None
    threshold = Severity.parse(args.fail_on or (config.fail_on.label if config.fail_on else "error"))

    view = _View(fs, result, rules, config, _path_prefix(result.root))
    for fmt, target in reports:
        _write_report(target, view.render(fmt, color=False, oneline=args.oneline))
    color = args.color == "always" or (
        args.color == "auto"
        and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"  # a terminal that says it cannot show escapes
    )
    sys.stdout.write(printable(view.render(args.format, color=color, oneline=args.oneline)))
    if result.findings.files == 0 and args.format == "text":
        _nothing_read(targets)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if fs.fails(threshold) else EXIT_OK


def _judged(args: argparse.Namespace, config: Config, targets: list[Path]) -> tuple[Result, list[RuleDoc]]:
    """The run's result and the rules it knew: from the cache when nothing it depends on changed."""
    from lint import memo
    from lint.cache import open_cache
    from lint.files import project_root
    from lint.findings.filter import Inline
    from lint.rules import rule_docs
    from lint.run import run

    live = _live_options(args)
    root = config.path.parent if config.path and not args.paths else None
    inline = Inline(config.inline_suppressions, config.unsuppressible)
    policy_dirs = [*config.policy_dirs, *(Path(d) for d in args.policies)]
    for d in policy_dirs:
        _must_exist(d, "policy directory", folder=True)
    store = None if args.no_cache else open_cache()
    memo_key = None
    if store is not None and live is None:  # a live run depends on the servers, which no key can see
        base = root or project_root(targets)
        memo_key = memo.run_key(base, targets, config=config.path, policy_dirs=policy_dirs, inline=inline)
        hit = store.result(memo_key.value, memo.Memo)
        if hit is not None:
            return hit.result, list(hit.rules)
    policies = _load_policies(policy_dirs)
    _check_rule_ids(config, policies)
    from lint.sources.sqlfacts import default_jobs

    progress = _progress if sys.stderr.isatty() else None
    jobs = args.jobs or default_jobs()
    result = run(
        targets,
        policies,
        root=root,
        live=live,
        progress=progress,
        inline=inline,
        jobs=jobs,
        store=store,
        pg_version=config.postgres_version,
    )
    rules = rule_docs(policies)
    if store is not None and memo_key is not None and memo.storable(result, targets):
        # Keyed on the bytes the run read: a file edited while it ran (and reverted later) would otherwise leave a
        # result that belongs to no content under the key of the first. Checked by status, re-reading only files
        # whose status changed (or changed too recently for it to tell).
        after = memo.run_key(base, targets, config=config.path, policy_dirs=policy_dirs, inline=inline, before=memo_key)
        if after.value == memo_key.value and not after.touched:
            store.store_result(memo_key.value, memo.Memo.of(result, rules))
    return result, rules


def _config(args: argparse.Namespace) -> Config:
    from lint.config import Config, ConfigError, discover, load_config

    try:
        if args.no_config:
            if args.config:
                raise UsageError("use either --config FILE or --no-config, not both")
            return Config()
        if args.config:
            # Anything there but a folder (a FIFO, a device) is refused when read.
            _must_exist(Path(args.config), "configuration file")
            return load_config(Path(args.config))
        # Like ruff, look upwards from what is linted (the first PATH), so `replint check services/sync` uses
        # services/sync/.replint.yaml whatever the working directory.
        start = _start_dir(Path(args.paths[0])) if args.paths else Path.cwd()
        found = discover(start)
        if found is not None:
            _say_whose(found)
        return load_config(found) if found else Config()
    except ConfigError as exc:
        raise UsageError(f"invalid configuration: {exc}") from None


def _say_whose(found: Path) -> None:
    """A configuration found by walking up that another user owns (a shared parent folder, /tmp) decides what
    fails: never apply it silently."""
    try:
        owner = found.stat().st_uid
    except OSError:
        return
    if hasattr(os, "getuid") and owner != os.getuid():
        from lint.files import shown

        print(
            f"replint: note: using {shown(found)}, which another user owns; pass --no-config (or --config FILE) "
            "to ignore it",
            file=sys.stderr,
        )


def _start_dir(path: Path) -> Path:
    from lint.files import inspect

    return path if inspect(path).kind == "dir" else path.parent


def _must_exist(path: Path, what: str, *, folder: bool = False) -> None:
    """A usage error when a path named on the command line cannot be used (never an OSError from it)."""
    from lint.files import inspect, shown

    state = inspect(path)
    if state.kind == "unknown":
        raise UsageError(f"cannot inspect {what} {shown(path)}: {state.problem}")
    if not state.exists:
        raise UsageError(f"{what} does not exist: {shown(path)}")
    if folder and state.kind != "dir":
        raise UsageError(f"{what} is not a folder: {shown(path)}")


def _check_rule_ids(config: Config, policies: list[Policy]) -> None:
    """A rule id in .replint.yaml that no policy has is a typo that would silently do nothing."""
    import difflib

    from lint.rules import rule_docs

    known = {d.id for d in rule_docs(policies)} | {a for p in policies for a in p.aliases}
    for rule, span in config.rule_ids():
        if rule in known:
            continue
        where = f"{span.path}:{span.line}:{span.col}" if span else str(config.path)
        close = difflib.get_close_matches(rule, sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else " (see 'replint list-policies')"
        raise UsageError(f"invalid configuration: {where}: rules.{rule}: no policy has this id{hint}")


def _live_options(args: argparse.Namespace) -> LiveOptions | None:
    if not args.live:
        if args.source_uri or args.storage_uri:
            raise UsageError("--source-uri and --storage-uri only apply with --live")
        return None
    from lint.live.observe import LiveOptions

    hosts = [*args.live_host, *os.environ.get("REPLINT_LIVE_HOSTS", "").split(",")]
    return LiveOptions(
        args.source_uri or os.environ.get("REPLINT_SOURCE_URI") or None,
        args.storage_uri or os.environ.get("REPLINT_STORAGE_URI") or None,
        args.live_timeout,
        frozenset(h.strip().lower() for h in hosts if h.strip()),
    )


def _nothing_read(targets: list[Path]) -> None:
    """No file under the targets is one replint reads: say so, and what it looks for (the run still passes)."""
    from lint.files import shown
    from lint.sources.kinds import KINDS

    where = ", ".join(shown(t) for t in targets)
    names = ", ".join([*(s for k in KINDS for s in k.suffixes), *(n for k in KINDS for n in k.names)])
    print(
        f"replint: note: nothing under {where} is a file replint reads ({names}). Point it at the folder that "
        "holds your migrations and configs (replint check path/to/project), or list paths in .replint.yaml.",
        file=sys.stderr,
    )


def _write_baseline(path: Path, fs: FindingSet) -> int:
    from lint.findings import baseline

    try:
        path.write_text(printable(baseline.render(fs.active, __version__)), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    n = len(fs.active)
    print(
        f"replint: wrote {n} finding{'s' if n != 1 else ''} to {path}; commit it and run with --baseline {path}",
        file=sys.stderr,
    )
    return EXIT_OK


def _display(path: Path, root: Path) -> str:
    """How a file outside the linted files shows in findings: relative to the project root when inside it."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _path_prefix(root: Path) -> str:
    """The project root relative to the working directory, for formats whose consumers (GitHub) resolve paths
    from the repository root; "" when the root is the working directory or outside it."""
    try:
        rel = root.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


def _report_target(spec: str) -> tuple[str, Path]:
    fmt, sep, target = spec.partition("=")
    if not sep or not target:
        raise UsageError(f"--report {spec!r}: expected FORMAT=FILE, e.g. --report sarif=replint.sarif")
    if fmt not in FORMATS:
        raise UsageError(f"--report {spec!r}: unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return fmt, Path(target)


def _write_report(path: Path, text: str) -> None:
    try:
        path.write_text(printable(text), encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write report {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class _View:
    """One run's findings, ready to be rendered in any format."""

    fs: FindingSet
    result: Result
    rules: list[RuleDoc]
    config: Config
    prefix: str

    def render(self, fmt: str, *, color: bool, oneline: bool) -> str:
        from lint import output

        view = output.View(
            self.fs, self.result.sources, self._enabled_rules(), __version__, self.prefix, color, oneline
        )
        return output.render(fmt, view)

    def _enabled_rules(self) -> list[RuleDoc]:
        from dataclasses import replace

        docs = [d for d in self.rules if d.id not in self.config.disabled]
        return [replace(d, severity=self.config.severities.get(d.id, d.severity)) for d in docs]


def _explain(args: argparse.Namespace) -> int:
    from lint.policy.docs import explain_check, explain_text
    from lint.rules import BUILTIN_CHECKS, builtin_check

    policies = _load_policies([])
    for p in policies:
        if args.id == p.id or args.id in p.aliases:
            sys.stdout.write(explain_text(p))
            return EXIT_OK
    check = builtin_check(args.id)
    if check is not None:
        sys.stdout.write(explain_check(check))
        return EXIT_OK
    import difflib

    ids = [p.id for p in policies] + [d.id for d in BUILTIN_CHECKS]
    word = args.id.lower()
    containing = [i for i in ids if word in i.split("-") or (len(word) > 3 and word in i)]
    close = [*containing[:3], *(c for c in difflib.get_close_matches(args.id, ids, n=3) if c not in containing)][:5]
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run 'replint list-policies' to see them all."
    raise UsageError(f"no policy with id '{args.id}'.{hint}")


def _model(args: argparse.Namespace) -> int:
    import json

    from lint.model import COLLECTIONS
    from lint.run import model_document

    target = Path(args.path)
    _must_exist(target, "path")
    config = _config(argparse.Namespace(no_config=args.no_config, config=args.config, paths=[args.path]))
    doc = model_document([target], pg_version=config.postgres_version)
    if args.collection is not None:
        if args.collection not in COLLECTIONS:
            import difflib

            close = difflib.get_close_matches(args.collection, list(COLLECTIONS), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else " (replint list-policies --collections lists them)"
            raise UsageError(f"no collection '{args.collection}'{hint}")
        selected: object = dict(doc["collections"])[args.collection]
    else:
        selected = doc
    sys.stdout.write(json.dumps(selected, indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    from lint import verify
    from lint.model import LIVE_COLLECTIONS

    dirs = [Path(d) for d in args.dirs]
    for d in dirs:
        _must_exist(d, "policy directory", folder=True)
    policies = _load_policies(dirs)
    tested = [p for p in policies if not p.builtin] if dirs else policies
    outcomes: list[verify.Outcome] = []
    by_id = {p.id: p for p in tested}
    for p in tested:
        outcomes += verify.example_outcomes(p, policies, live=p.for_each in LIVE_COLLECTIONS)
    problems: list[str] = []
    for path in verify.case_files(dirs):
        if path.stem not in by_id:
            problems.append(f"{path}:1:1: a case file for policy '{path.stem}', which is not in these folders")
            continue
        try:
            cases = verify.read_cases(path)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        outcomes += [verify.case_outcome(path.stem, c, str(path), policies) for c in cases]
    if problems:
        raise UsageError("invalid case file(s):\n  " + "\n  ".join(problems))
    for o in outcomes:
        if o.passed and not args.verbose:
            continue
        sys.stdout.write(f"{'PASS' if o.passed else 'FAIL'}  {o.policy}: {o.name} ({o.where})\n")
        for line in o.failures:
            sys.stdout.write(f"      {line}\n")
    failed = sum(not o.passed for o in outcomes)
    sys.stdout.write(
        f"{len(tested)} {'policy' if len(tested) == 1 else 'policies'}, {len(outcomes)} checks: "
        f"{len(outcomes) - failed} passed, {failed} failed\n"
    )
    return EXIT_FINDINGS if failed else EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from lint.policy.docs import collections_reference, collections_text, policy_reference

    policies = _load_policies([Path(d) for d in args.policies])
    if args.collections:
        sys.stdout.write((collections_reference if args.format == "markdown" else collections_text)(policies))
        return EXIT_OK
    if args.format == "markdown":
        sys.stdout.write(policy_reference(policies))
        return EXIT_OK
    from lint.rules import BUILTIN_CHECKS

    rows = [(p.id, p.severity.label, p.title) for p in sorted(policies, key=lambda p: p.id)]
    rows += [(d.id, d.severity.label, f"{d.title} (built-in check)") for d in BUILTIN_CHECKS]
    width = max(len(r[0]) for r in rows)
    room = max(20, 160 - width - 11)  # the columns stay aligned; only a long title is cut
    for rule, severity, title in rows:
        shown = title if len(title) <= room else title[: room - 1].rstrip() + "…"
        sys.stdout.write(f"{rule.ljust(width)}  {severity:<7}  {shown}\n")
    return EXIT_OK
