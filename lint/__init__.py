"""replint: a policy-as-code linter for logical replication and CDC setups."""

from __future__ import annotations

__version__ = "0.1.0"
