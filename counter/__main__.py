"""`python -m counter [--db URL] [--window N] [--clerk ID]`: the same as `mashangban counter`."""

from appkit.launch import run_alone
from counter.launch import counter

run_alone(counter, prog="python -m counter")
