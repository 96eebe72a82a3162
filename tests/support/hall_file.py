"""The default hall with one of its [hall] settings changed, loaded into a test's database."""

from __future__ import annotations

import re

from sqlalchemy import Engine

from models.hall import default_hall_path, parse_hall, store_hall


def reload_hall(engine: Engine, **settings: str | float) -> None:
    """Load the shipped hall file again with these [hall] settings set (each must be in it)."""
    text = default_hall_path().read_text(encoding="utf-8")
    for name, value in settings.items():
        written = f'"{value}"' if isinstance(value, str) else str(value)
        text, found = re.subn(rf"(?m)^{name} = \S+", f"{name} = {written}", text, count=1)
        assert found, f"{name} is not set in the shipped hall file"
    store_hall(engine, parse_hall(text), text)
