"""Live checks: read-only probes of the databases a project names (`replint check --live`)."""
