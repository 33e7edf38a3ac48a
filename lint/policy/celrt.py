"""The CEL runtime, imported without its command-line interface.

`import cel` runs the package's `__init__`, which also imports `cel.cli` — an interactive REPL that pulls in
prompt_toolkit and rich, about 120 ms of a start-up budget measured in tens of milliseconds (pre-commit runs
replint on every commit). replint never uses the REPL, so an empty `cel.cli` module is registered first;
the compiler, `Context` and the standard library are the package's own.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def cel() -> Any:
    if "cel" not in sys.modules:
        sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli", "replint: the CEL REPL is not loaded"))
    import cel as module

    return module


def stdlib_functions() -> dict[str, Any]:
    cel()
    from cel.stdlib import STDLIB_FUNCTIONS

    return dict(STDLIB_FUNCTIONS)
