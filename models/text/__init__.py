"""One catalogue of what people read, in Chinese and English: one module per audience or area.

Usage (the same for every module: errors, words, kiosk, counter, board, monitor, ratepad, staff,
commands, reports, documents, printing)::

    from models.text import kiosk
    kiosk.line("ahead", n=3)       # both languages on one line: "前面还有 3 人 3 ahead of you"
    kiosk.zh("ahead", n=3)         # "前面还有 3 人";  kiosk.en("ahead", n=3): "3 ahead of you"
    kiosk.pick("ahead", lang, n=3) # one language;  kiosk.pair(...) -> (zh, en)
    kiosk.both("ahead", lang, n=3) # the chosen language, the other on the next line

Add an entry as ``"key": ("中文 {n}", "English {n}")`` (same placeholders in both); give a third
string when the two are shown together some other way. tests/unit/test_catalogue.py checks that
every key used in the code exists and that every entry has both languages.
"""

from __future__ import annotations

from models.text.catalogue import Catalogue, Entry, Lang

__all__ = ["Catalogue", "Entry", "Lang"]
