"""replint: a policy-as-code linter for logical replication and CDC setups."""

from __future__ import annotations

__version__ = "0.4.0"

# Where each rule's documentation lives (policies/README.md has one anchor per rule id); SARIF's `helpUri`.
HOMEPAGE = "https://github.com/replint/replint"
DOCS_URL = f"{HOMEPAGE}/blob/v{__version__}/policies/README.md"
