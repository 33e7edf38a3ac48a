"""Command line: `replint check`, `replint explain`, `replint list-policies`.

Exit codes (DESIGN.md §7): 0 nothing at or above the fail threshold, 1 findings, 2 usage / configuration /
policy-file error, 3 internal error (a bug in replint, never bad input).
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lint import __version__

if TYPE_CHECKING:
    from lint.policy import Policy

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\nRun 'replint --help' or 'replint {self.prog.split()[-1]} --help'.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="replint",
        description="Lint logical-replication and CDC setups: PowerSync config and sync rules, PostgreSQL "
        "migrations (roles, grants, publications, subscriptions), and how they fit together.",
        epilog="Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage/configuration/policy "
        "error, 3 internal error. Docs: replint explain ID, replint list-policies.",
    )
    parser.add_argument("--version", action="version", version=f"replint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="lint files and folders (default: the current folder)",
        description="Read every PowerSync config, sync-rules file and *.sql migration under "
        "PATH, build one model, and judge it with the policies.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    check.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
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
        help="configuration file (default: .replint.yaml found by walking up from the current folder)",
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that makes the exit code 1 (default: error)",
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
        "--live-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="connect and statement timeout per database (default: 5)",
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
    return parser


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
        return _list(args)
    except UsageError as exc:
        print(f"replint: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def main_entry() -> None:
    """Console-script entry point: turns an unexpected exception into exit 3 without a traceback."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
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
    from lint.config import Config, ConfigError, discover, load_config
    from lint.finding import FindingSet, Severity
    from lint.run import run

    try:
        config_path = Path(args.config) if args.config else discover(Path.cwd())
        if args.config and not config_path.is_file():  # type: ignore[union-attr]
            raise UsageError(f"configuration file not found: {args.config}")
        config = load_config(config_path) if config_path else Config()
    except ConfigError as exc:
        raise UsageError(f"invalid configuration: {exc}") from None

    targets = [Path(p) for p in args.paths] or list(config.paths) or [config.path.parent if config.path else Path(".")]
    for t in targets:
        if not t.exists():
            raise UsageError(f"path does not exist: {t}")
    policies = _load_policies([*config.policy_dirs, *(Path(d) for d in args.policies)])
    known = {p.id for p in policies} | {a for p in policies for a in p.aliases}
    known |= {"parse-error", "policy-error"}
    for rule in (*config.disabled, *config.severities, *config.ignores):
        if rule not in known:
            raise UsageError(
                f"invalid configuration: {config.path}: rules.{rule}: no policy has this id "
                "(see 'replint list-policies')"
            )

    root = config.path.parent if config.path and not args.paths else None
    live = None
    if args.live:
        from lint.live.observe import LiveOptions

        if args.live_timeout <= 0:
            raise UsageError("--live-timeout must be a positive number of seconds")
        live = LiveOptions(
            args.source_uri or os.environ.get("REPLINT_SOURCE_URI") or None,
            args.storage_uri or os.environ.get("REPLINT_STORAGE_URI") or None,
            args.live_timeout,
        )
    elif args.source_uri or args.storage_uri:
        raise UsageError("--source-uri and --storage-uri only apply with --live")
    progress = _progress if sys.stderr.isatty() else None
    result = run(targets, policies, root=root, live=live, progress=progress)
    fs: FindingSet = result.findings.filter(
        disabled=config.disabled, severity_overrides=config.severities, ignored=config.ignores
    )
    threshold = Severity.parse(args.fail_on or (config.fail_on.label if config.fail_on else "error"))

    if args.format == "json":
        from lint.output.json_out import render_json

        sys.stdout.write(render_json(fs, __version__))
    else:
        from lint.output.text import render_text

        color = args.color == "always" or (
            args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        )
        sys.stdout.write(render_text(fs, result.sources, oneline=args.oneline, color=color))
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if fs.fails(threshold) else EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from lint.docs import explain_text

    policies = _load_policies([])
    for p in policies:
        if args.id == p.id or args.id in p.aliases:
            sys.stdout.write(explain_text(p))
            return EXIT_OK
    import difflib

    ids = [p.id for p in policies]
    close = difflib.get_close_matches(args.id, ids, n=3)
    hint = f" Did you mean: {', '.join(close)}?" if close else " Run 'replint list-policies' to see them all."
    raise UsageError(f"no policy with id '{args.id}'.{hint}")


def _list(args: argparse.Namespace) -> int:
    from lint.docs import policy_reference

    policies = _load_policies([Path(d) for d in args.policies])
    if args.format == "markdown":
        sys.stdout.write(policy_reference(policies))
        return EXIT_OK
    width = max(len(p.id) for p in policies)
    for p in sorted(policies, key=lambda p: p.id):
        line = f"{p.id.ljust(width)}  {p.severity.label:<7}  {p.title}"
        sys.stdout.write(textwrap.shorten(line, 160) + "\n")
    return EXIT_OK
