"""The one catalogue of what people read (models/text): every key the code uses exists, and every
entry says the same thing in Chinese and in English."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import pkgutil
import re
import string
from pathlib import Path

import pytest

import models.text
from models.tables import Priority, TicketStatus
from models.text import Catalogue, words

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["models", "printer", "mashangban", "appkit", "kiosk", "counter", "board", "monitor",
           "ratepad", "server"]  # fmt: skip
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
METHODS = {"line", "zh", "en", "pick", "pair", "both"}
ERRORS = re.compile(
    r"\b(?:MashangbanError|DatabaseError|HallError|NotFound|Refused|NothingWaiting|WitnessError|"
    r"SecretError|PrintFileRefused|RenderError|LinkError|FontMissing)\(\s*\"(\w+)\""
)
NOT_CHINESE = {("kiosk", "language"), ("board", "clock_time")}
"""The kiosk's language button names the other language: "English" when Chinese is shown; the
board's shortest clock is the time alone.
(An entry whose Chinese comes in a value, like ``{level_zh}``, needs no Chinese of its own.)"""


def catalogues() -> dict[str, Catalogue]:
    found = {}
    for info in pkgutil.iter_modules(models.text.__path__):
        module = importlib.import_module(f"models.text.{info.name}")
        if isinstance(getattr(module, "CATALOGUE", None), Catalogue):
            found[info.name] = module.CATALOGUE
    return found


CATALOGUES = catalogues()


def sources() -> list[Path]:
    return sorted(
        p
        for d in SOURCES
        for p in (ROOT / d).rglob("*.py")
        if "migrations" not in p.parts and p.parent != ROOT / "models" / "text"
    )


def used_keys() -> list[tuple[str, str, str, bool]]:
    """(file, catalogue, key, is_prefix) for every key written in the code: calls on a
    catalogue module imported from models.text, refusals raised with a key, words looked up
    by kind, and fields named to require_plain."""
    found = []
    for path in sources():
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "models.text":
                for alias in node.names:
                    names[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first, func = node.args[0], node.func
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                key, prefix = first.value, False
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                key, prefix = str(first.values[0].value), True
            else:
                continue
            if (
                isinstance(func, ast.Attribute)
                and func.attr in METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id in names
            ):
                found.append((where, names[func.value.id], key, prefix))
            elif isinstance(func, ast.Name) and func.id == "word":
                found.append((where, "words", f"{key}_", True))
        for match in ERRORS.finditer(path.read_text(encoding="utf-8")):
            found.append((where, "errors", match.group(1), False))
        for match in re.finditer(r"require_plain\([^)]*field=\"(\w+)\"", path.read_text()):
            found.append((where, "words", f"field_{match.group(1)}", False))
    return found + template_keys()


TEMPLATE_CALL = re.compile(r"\bs\.(?:zh|en|line|pick|pair|both)\(\s*\"(\w+)\"")
"""The hall server's pages reach the web catalogue as ``s`` (server/pages.py renders them)."""


def template_keys() -> list[tuple[str, str, str, bool]]:
    """(file, "web", key, False) for every key the server's Jinja templates ask for."""
    return [
        (str(path.relative_to(ROOT)), "web", match.group(1), False)
        for path in sorted((ROOT / "server" / "templates").glob("*.html"))
        for match in TEMPLATE_CALL.finditer(path.read_text(encoding="utf-8"))
    ]


def test_the_scan_finds_the_keys_of_every_catalogue_in_use() -> None:
    used = {catalogue for _, catalogue, _, _ in used_keys()}
    assert {"errors", "words", "kiosk", "counter", "board", "ratepad", "staff", "web"} <= used
    assert len(template_keys()) >= 10  # the pages' words are found too
    assert len(used_keys()) > 300


def test_every_key_used_in_the_code_is_in_its_catalogue() -> None:
    missing = []
    for where, name, key, prefix in used_keys():
        catalogue = CATALOGUES.get(name)
        if catalogue is None:
            missing.append(f"{where}: no catalogue models/text/{name}.py")
        elif prefix and not any(k.startswith(key) for k in catalogue):
            missing.append(f"{where}: no {name} key starts with {key!r}")
        elif not prefix and key not in catalogue:
            missing.append(f"{where}: {name} has no key {key!r}")
    assert missing == []


DYNAMIC: set[tuple[str, str]] = set()
"""(catalogue, prefix) of keys the code builds at run time from values no scan can see; each
key starting with one counts as used. Keep it small: a key written out in the code is found."""
NOT_KEYS = {"id", "classes", "name", "variant", "severity"}
"""Keyword arguments whose string values name widgets and styles, never a catalogue's key."""


def literal_keys() -> set[tuple[str, str]]:
    """(catalogue, text) for every string written in a file that imports that catalogue (or in
    the catalogue's own module, outside its entries), and any string for a refusal's key
    (errors are raised with keys passed along): the keys the code picks among, like
    ``"receipt" if promised else "completed"`` or a tuple of column headings."""
    found: set[tuple[str, str]] = set()
    for path in sources() + sorted((ROOT / "models" / "text").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {"errors"}
        if path.parent == ROOT / "models" / "text":
            names.add(path.stem)
        skipped: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "models.text":
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "models.text."
            ):
                names.add(str(node.module).split(".")[2])
            elif isinstance(node, ast.AnnAssign | ast.Assign) and path.parent.name == "text":
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "ENTRIES" for t in targets):
                    skipped |= {id(n) for n in ast.walk(node)}  # the entries themselves
            elif isinstance(node, ast.keyword) and node.arg in NOT_KEYS:
                skipped.add(id(node.value))
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in skipped:
                found |= {(name, node.value) for name in names}
    return found


def test_every_key_in_a_catalogue_is_used_somewhere() -> None:
    """A key no code uses is text nobody reads (or a feature that was meant and never built)."""
    written, prefixes = literal_keys(), set(DYNAMIC)
    for _, name, key, prefix in used_keys():
        (prefixes if prefix else written).add((name, key))
    unused = [
        f"{name}: {key}"
        for name, catalogue in CATALOGUES.items()
        for key in catalogue
        if (name, key) not in written
        and not any(n == name and key.startswith(p) for n, p in prefixes)
    ]
    assert unused == []


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_entry_has_chinese_and_english(name: str) -> None:
    bad = []
    for key, entry in CATALOGUES[name].entries.items():
        if not entry.zh.strip() or not entry.en.strip():
            bad.append(f"{key}: empty")
        elif (name, key) not in NOT_CHINESE and not CJK.search(entry.zh.replace("_zh}", "中}")):
            bad.append(f"{key}: no Chinese in {entry.zh!r}")
    assert bad == []


def _fields(text: str, suffix: str = "") -> set[str]:
    names = {
        re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(text) if name
    }
    return {n.removesuffix(suffix) for n in names}


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_placeholders_agree_between_chinese_and_english(name: str) -> None:
    """The same values fill both languages (a value may come in each language's own form:
    status_zh beside status, level_zh beside level_en)."""
    bad = []
    for key, entry in CATALOGUES[name].entries.items():
        zh, en = _fields(entry.zh, "_zh"), _fields(entry.en, "_en")
        if zh != en:
            bad.append(f"{key}: {sorted(zh)} in Chinese, {sorted(en)} in English")
        if entry.joined is not None and not _fields(entry.joined) <= (
            _fields(entry.zh) | _fields(entry.en)
        ):
            bad.append(f"{key}: its joined form fills values neither language has")
    assert bad == []


@pytest.mark.parametrize("name", sorted(CATALOGUES))
def test_every_entry_fills_in(name: str) -> None:
    catalogue = CATALOGUES[name]
    for key, entry in catalogue.entries.items():
        # a datetime takes any format spec ({n:>2}, {d:%H:%M}) and has .month and .day
        moment = dt.datetime(2026, 11, 25, 9, 30)
        values = {n: moment for n in _fields(entry.zh) | _fields(entry.en)}
        assert catalogue.line(key, **values)
        assert catalogue.both(key, "en", **values).startswith(catalogue.en(key, **values))


def test_every_status_and_priority_has_its_words() -> None:
    for status in TicketStatus:
        assert f"status_{status.value}" in words.CATALOGUE
    for priority in Priority:
        assert f"priority_{priority.value}" in words.CATALOGUE
    assert words.word("status", "expired") == "过期未办"
    assert words.word("pause", "a reason typed by the clerk") == "a reason typed by the clerk"


def test_a_line_is_chinese_then_english_unless_the_entry_says_otherwise() -> None:
    demo = Catalogue("demo", {"a": ("前面 {n} 人", "{n} ahead"), "b": ("甲", "A", "甲·A")}, sep=" ")
    assert demo.line("a", n=3) == "前面 3 人 3 ahead"
    assert demo.pair("a", n=3) == ("前面 3 人", "3 ahead")
    assert demo.pick("a", "en", n=3) == "3 ahead"
    assert demo.both("a", "en", n=3) == "3 ahead\n前面 3 人"
    assert demo.line("b") == "甲·A"
