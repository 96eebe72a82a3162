"""What the start screen looked like last time: hall name, idle time and zones, in a small file.

A kiosk draws its first screen from it before the database code is even imported (SQLAlchemy
and the models take longer to import than Textual itself), with every zone button disabled and
saying 请稍候 until the database answers. Only names are kept, never counts: what a citizen can
tap always comes from the database. Plain JSON and the standard library: importing this module
costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Zone:
    """A zone button's names."""

    prefix: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Snapshot:
    """The start screen's fixed parts, as the database last had them."""

    hall_zh: str
    hall_en: str
    idle_seconds: float
    zones: tuple[Zone, ...]


def load(path: Path | None) -> Snapshot | None:
    """The snapshot in this file; None when there is none or it cannot be read."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Snapshot(
            hall_zh=str(data["hall_zh"]),
            hall_en=str(data["hall_en"]),
            idle_seconds=float(data["idle_seconds"]),
            zones=tuple(Zone(str(z[0]), str(z[1]), str(z[2])) for z in data["zones"]),
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None  # missing, half-written by an old version, or edited by hand: start without


def save(path: Path | None, snapshot: Snapshot) -> None:
    """Write the snapshot (atomically; a kiosk that cannot write it simply starts slower)."""
    if path is None:
        return
    data = asdict(snapshot)
    data["zones"] = [[z.prefix, z.name_zh, z.name_en] for z in snapshot.zones]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        part.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        part.replace(path)
    except OSError:
        pass


def default_path(db: str | None, kiosk_id: str | None) -> Path:
    """Where ``python -m kiosk`` keeps the snapshot: the user cache folder, one file per
    database and kiosk."""
    from platformdirs import user_cache_dir

    from models import settings

    key = f"{db or settings.DB.get() or ''}\n{kiosk_id or ''}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(user_cache_dir("mashangban", appauthor=False)) / f"kiosk-{digest}.json"
