"""One catalogue of what people read, in Chinese and English: one module per audience or area.

Modules: errors (refusals: the keys of MashangbanError), words (shared words: statuses, actions,
priorities, weekdays …), kiosk, counter, board, monitor, ratepad, staff (the apps' shared PIN
screen and errors), commands (the command line), reports, documents (printed paper), printing,
web (the hall server's pages).
Each has the same six functions (and its ``CATALOGUE``)::

    from models.text import board
    board.line("invite", number="M023", window=18)  # both languages on one line:
    #   "请 M023 号到 18 号窗口办理 · M023, please go to window 18"
    board.zh("invite", ...)  board.en("invite", ...)  board.pick("invite", lang, ...)  # one
    board.pair("invite", ...)         # (zh, en)
    board.both("invite", lang, ...)   # the chosen language, the other on the next line

Add an entry as ``"key": ("中文 {n}", "English {n}")`` with the same placeholders in both; a third
string says how the two show together when that is not "Chinese, separator, English". Refusals:
``raise Refused("key", **values)`` with a key of errors.py. tests/unit/test_catalogue.py checks
every key used in the code exists and every entry has Chinese and English.
"""

from __future__ import annotations

from models.text.catalogue import Catalogue, Entry, Lang

__all__ = ["Catalogue", "Entry", "Lang"]
