"""The model stage: replayed database state and the collections policies judge (DESIGN.md §3).

Readers (`lint.sources`) produce `Inputs`; `build` turns them into a `Project`. Submodules, in the order the
stage runs: `replay` and `mongoauth` (the final state of each database from its history), `builder` (the
collections declared in `items`, with `clients`, `conf`, `hba`, `live` and `mongo` building the items of their area).
"""

from lint.model.builder import Inputs, Project, build, powersync_connection
from lint.model.items import COLLECTIONS, DECLARED, LIVE_COLLECTIONS

__all__ = ["COLLECTIONS", "DECLARED", "LIVE_COLLECTIONS", "Inputs", "Project", "build", "powersync_connection"]
