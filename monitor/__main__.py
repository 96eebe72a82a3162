"""`python -m monitor [--db URL] …`: the same as `mashangban monitor`."""

import sys

from mashangban import run_subcommand

run_subcommand("monitor", sys.argv[1:])
