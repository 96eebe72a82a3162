"""`python -m board [--db URL] [--queues A,B,M] [--mute]`: the same as `mashangban board`."""

import sys

from models.cli import run_subcommand

run_subcommand("board", sys.argv[1:])
