"""`python -m ratepad [--db URL] …`: the same as `mashangban rate`."""

import sys

from mashangban import run_subcommand

run_subcommand("rate", sys.argv[1:])
