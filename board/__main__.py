"""`python -m board [--db URL] [--queues A,B,M] [--mute]`: the same as `mashangban board`."""

import sys

from mashangban import run_subcommand

run_subcommand("board", sys.argv[1:])
