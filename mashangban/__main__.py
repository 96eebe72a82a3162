"""`python -m mashangban …`: the `mashangban` command (the demo's panes start it this way)."""

from mashangban import main

main()
