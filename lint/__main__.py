"""`python -m lint` runs the replint command line."""

from lint.cli import main_entry

main_entry()
