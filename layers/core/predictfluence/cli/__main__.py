"""`python -m predictfluence.cli` = the `predictfluence` command."""

from predictfluence.cli import main

main()
