"""A catalogue: keys to one text in Chinese and English, filled in with ``str.format`` values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
"""The two languages people read: Chinese (zh) and English (en)."""


@dataclass(frozen=True)
class Entry:
    """One text in both languages."""

    zh: str
    """The Chinese."""
    en: str
    """The English."""
    joined: str | None = None
    """How the two are shown together when that is not Chinese, separator, English (the words
    interleave, or only one language is shown beside a number)."""


class Catalogue:
    """The texts of one audience or area, by key."""

    def __init__(
        self, name: str, entries: Mapping[str, tuple[str, str] | tuple[str, str, str]], *, sep: str
    ) -> None:
        self.name = name
        """The catalogue's name (its module in models/text)."""
        self.sep = sep
        """What stands between the Chinese and the English on one line."""
        self.entries = {key: Entry(*texts) for key, texts in entries.items()}
        """Every entry by key."""

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def zh(self, key: str, /, **values: object) -> str:
        """The Chinese, filled in."""
        return self.entries[key].zh.format(**values)

    def en(self, key: str, /, **values: object) -> str:
        """The English, filled in."""
        return self.entries[key].en.format(**values)

    def pick(self, key: str, lang: Lang, /, **values: object) -> str:
        """One language, filled in."""
        return self.zh(key, **values) if lang == "zh" else self.en(key, **values)

    def pair(self, key: str, /, **values: object) -> tuple[str, str]:
        """Both languages, filled in: (Chinese, English)."""
        return self.zh(key, **values), self.en(key, **values)

    def line(self, key: str, /, **values: object) -> str:
        """Both languages on one line, Chinese first (or the entry's own joined form)."""
        entry = self.entries[key]
        if entry.joined is not None:
            return entry.joined.format(**values)
        return f"{self.zh(key, **values)}{self.sep}{self.en(key, **values)}"

    def both(self, key: str, lang: Lang, /, **values: object) -> str:
        """The chosen language first, the other on the next line (buttons people read)."""
        other: Lang = "en" if lang == "zh" else "zh"
        return f"{self.pick(key, lang, **values)}\n{self.pick(key, other, **values)}"
