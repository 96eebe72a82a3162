"""`python -m counter [--db URL] --window N [--clerk ID]`: the same as `mashangban counter`."""

import sys

from mashangban import run_subcommand

run_subcommand("counter", sys.argv[1:])
