"""`python -m predictfluence_tools.cli` = the `predictfluence` command."""

from predictfluence_tools.cli import main

main()
