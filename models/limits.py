"""The sizes and ranges the product accepts from outside: files, rows, numbers and dates.

One place, so the README's "Limits" paragraph and the refusals say the same thing.
"""

from __future__ import annotations

import datetime as dt

HALL_FILE_MAX_BYTES = 1024 * 1024
"""A hall file over 1 MiB is refused (the Jinan hall is 12 KB); it is stored whole."""
HALL_NESTING_MAX = 50
"""Arrays and tables nested deeper than this in a hall file are refused."""

CSV_MAX_BYTES = 16 * 1024 * 1024
"""An appointments CSV over 16 MiB is refused."""
CSV_MAX_ROWS = 50_000
"""An appointments CSV over 50,000 rows is refused: split it."""
CSV_FIELD_MAX = 1024
"""A CSV field over 1,024 characters is refused (no column needs more)."""
IMPORT_BATCH_ROWS = 1_000
"""Appointments are written in short transactions of this many rows."""

ID_MAX = 2**63 - 1
"""Row ids (print jobs, rectification items) fit a signed 64-bit integer."""
WINDOW_MAX = 999
"""Window numbers are 1–999, as in the hall file."""

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
"""Dates typed on the command line or imported fall in 2000–2099."""
