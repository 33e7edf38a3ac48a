"""Findings and the one place they are filtered (DESIGN §1): `filter` applies inline suppressions (`suppress`),
the configuration, the baseline (`baseline`) and the `--changed-since` scope (`changed`), in that order, so every
output format and the exit code agree."""
