"""Where the built-in policies and schemas live, in a source checkout and in an installed wheel alike."""

from __future__ import annotations

from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"


def policies_dir() -> Path:
    return _DATA / "policies"


def schema_path(name: str) -> Path:
    return _DATA / "schemas" / name
