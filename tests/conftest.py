"""Suite-wide settings."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Every run in the suite caches into a directory of its own, never the user's ~/.cache/replint: tests must
# neither depend on nor disturb what a developer's own runs stored. Subprocesses inherit it.
_CACHE = tempfile.mkdtemp(prefix="replint-test-cache-")
os.environ["REPLINT_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)


def _check_declared_model() -> None:
    """Every project any test builds in-process is checked against the model's declarations: each item carries
    exactly its record's fields, with values of the declared types (mypy checks the build sites; this checks
    what they really produce, including values that come from parsed files)."""
    from typing import Any, cast

    from lint.model import builder, declare, items

    build = builder._Builder.build

    def checked(self: builder._Builder) -> builder.Project:
        project = build(self)
        collections = cast(dict[str, list[dict[str, Any]]], project.collections)
        problems = declare.violations(items.DECLARED, collections)
        problems += declare.record_violations(items.DECLARED, items.DECLARED.project, dict(project.project), "project")
        assert not problems, "the model differs from lint/model/items.py:\n  " + "\n  ".join(problems[:20])
        return project

    builder._Builder.build = checked  # type: ignore[method-assign]


_check_declared_model()
