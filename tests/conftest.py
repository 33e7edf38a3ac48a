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
