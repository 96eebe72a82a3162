"""`python -m monitor [--db URL]`: the same as `mashangban monitor`."""

from appkit.launch import run_alone
from monitor.launch import monitor

run_alone(monitor, prog="python -m monitor")
