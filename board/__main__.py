"""`python -m board [--db URL] [--queues A,B,M] [--mute]`: the same as `mashangban board`."""

from appkit.launch import run_alone
from board.launch import board

run_alone(board, prog="python -m board")
