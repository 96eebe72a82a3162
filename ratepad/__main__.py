"""`python -m ratepad [--db URL] --window N`: the same as `mashangban rate`."""

from appkit.launch import run_alone
from ratepad.launch import rate_pad

run_alone(rate_pad, prog="python -m ratepad")
