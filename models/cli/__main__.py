"""`python -m models.cli …`: the `mashangban` command (the demo's panes start it this way)."""

from models.cli import main

main()
