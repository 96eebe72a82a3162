"""PIN hashes keyed with the hall's secret, and the rules for clerk numbers, names and PINs.

The attack: with a copy of the database, every 4-digit PIN was tried against the scrypt hash
in 279 s. Now the hash is of HMAC(key, PIN), the key outside the database: the stored salt and
parameters are not enough to test a single guess.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select
from typer.testing import CliRunner

from mashangban import app
from models import secret, settings
from models.clerks import pins, staff
from models.db import reading, writing
from models.errors import NotFound, Refused
from models.hall import default_hall_path, parse_hall, read_hall_file, store_hall
from models.tables import Clerk, Event
from tests.conftest import PIN


def stored_hash(engine: Engine, code: str) -> str:
    with reading(engine) as session:
        row = session.get(Clerk, code)
        assert row is not None
        return row.pin_hash


def set_hash(engine: Engine, code: str, value: str) -> None:
    with writing(engine) as session:
        session.execute(
            text("UPDATE clerk SET pin_hash = :h WHERE code = :c"), {"h": value, "c": code}
        )


def old_unkeyed_hash(pin: str) -> str:
    """What mashangban stored before the hashes were keyed."""
    salt = bytes(range(16))
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"


# ---------------------------------------------------------------- a copied database


def test_a_hash_copied_from_the_database_cannot_be_checked_without_the_key(lite) -> None:
    copied = stored_hash(lite, "1001")  # all an attacker with the file has
    _scheme, n, r, p, salt, digest = copied.split("$")
    candidates = ["000000", "123456", "111111", PIN, "654321", "2468", "246812"]
    # Offline, as before: scrypt of each candidate with the stored salt and parameters.
    tried = {
        c: hashlib.scrypt(c.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
        for c in candidates
    }
    assert digest not in {d.hex() for d in tried.values()}  # the right PIN is not found
    # Nor with a key of the attacker's own making (the key is not in the database).
    guess_key = hmac.new(b"\0" * 32, b"pins", "sha256").digest()
    keyed_guesses = {
        hashlib.scrypt(
            hmac.new(guess_key, c.encode(), "sha256").digest(),
            salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
        ).hex()
        for c in candidates
    }  # fmt: skip
    assert digest not in keyed_guesses
    # With the hall's key (which the hall server has), the right PIN checks, and only it.
    assert [c for c in candidates if pins.check_pin(c, copied)] == [PIN]
    with reading(lite) as session:
        dump = json.dumps([e.data for e in session.exec(select(Event)).all()])
    assert secret.load_key().hex() not in dump  # and the key is nowhere in the database


def test_an_old_unkeyed_hash_still_logs_in_and_is_rehashed_keyed(engine: Engine) -> None:
    set_hash(engine, "1003", old_unkeyed_hash("2468"))  # a 4-digit PIN set long ago
    assert staff.login(engine, window=18, clerk="1003", pin="2468").window == 18
    new = stored_hash(engine, "1003")
    assert new.startswith("scrypt-hmac$") and not pins.needs_rehash(new)
    assert pins.check_pin("2468", new) and not pins.check_pin("2469", new)
    staff.logout(engine, window=18)
    assert staff.login(engine, window=18, clerk="1003", pin="2468").window == 18


def test_the_staff_menu_rehashes_an_old_hash_too(engine: Engine) -> None:
    set_hash(engine, "1002", old_unkeyed_hash("97531"))
    with pytest.raises(Refused):
        staff.verify_staff(engine, clerk="1002", pin="97532", place="kiosk")
    assert stored_hash(engine, "1002").startswith("scrypt$")  # a wrong PIN changes nothing
    staff.verify_staff(engine, clerk="1002", pin="97531", place="kiosk")
    assert stored_hash(engine, "1002").startswith("scrypt-hmac$")


def test_without_the_key_a_keyed_hash_says_so(lite, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(settings.KEY_FILE.name, str(tmp_path / "gone.key"))
    with pytest.raises(secret.SecretError) as info:
        staff.login(lite, window=18, clerk="1001", pin=PIN)
    assert info.value.key == "key_missing"


# ---------------------------------------------------------------- new PINs


def test_a_new_pin_has_six_digits_at_least_but_old_short_ones_work_until_changed(
    engine: Engine,
) -> None:
    set_hash(engine, "1002", old_unkeyed_hash("1357"))
    with pytest.raises(Refused) as info:
        staff.change_pin(engine, code="1002", pin="2468")
    assert info.value.key == "bad_pin" and "6–12" in info.value.zh
    assert staff.login(engine, window=5, clerk="1002", pin="1357").window == 5
    staff.change_pin(engine, code="1002", pin="97531864")
    staff.logout(engine, window=5)
    with pytest.raises(Refused):
        staff.login(engine, window=5, clerk="1002", pin="1357")
    assert staff.login(engine, window=5, clerk="1002", pin="97531864").window == 5
    with pytest.raises(NotFound):
        staff.change_pin(engine, code="4040", pin="975318")
    with reading(engine) as session:
        changed = session.exec(select(Event).where(Event.kind == "pin_changed")).all()
    assert [(e.clerk_code, e.data) for e in changed] == [("1002", "{}")]


def test_the_hall_file_may_set_the_fewest_digits(lite) -> None:
    source = default_hall_path().read_text(encoding="utf-8")
    source = source.replace("[hall]\n", "[hall]\npin_min_digits = 8\n", 1)
    store_hall(lite, parse_hall(source, source="test hall"), source)
    with pytest.raises(Refused) as info:
        staff.add_clerk(lite, code="2001", name="赵敏", pin="1357913")
    assert "8–12 位数字" in info.value.zh and "8-12 digits" in info.value.en
    staff.add_clerk(lite, code="2001", name="赵敏", pin="13579135")
    assert read_hall_file(default_hall_path())[0].hall.pin_min_digits == 6


# ---------------------------------------------------------------- clerk numbers and names

BAD_CODES = [
    "",
    "   ",
    "10 01",
    "1001\x1b[2J",
    "\x1b]0;pwned\x07",
    "12345678901234567",
    "１００１",
    "王",
]
BAD_NAMES = ["", "   ", "王\x1b[2J芳", "\x1b[8m隐藏", "王\u202e芳", "王\x00", "王" * 41, "a\nb"]


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_bad_clerk_number_is_refused(engine: Engine, code: str) -> None:
    with pytest.raises(Refused) as info:
        staff.add_clerk(engine, code=code, name="赵敏", pin="975310")
    assert info.value.key == "bad_clerk_code"
    assert "1–16 位字母或数字" in info.value.zh and "1-16 letters or digits" in info.value.en
    assert len(staff.list_clerks(engine)) == 3


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_clerk_name_is_refused(lite, name: str) -> None:
    with pytest.raises(Refused) as info:
        staff.add_clerk(lite, code="2001", name=name, pin="975310")
    assert info.value.key == "bad_clerk_name"
    assert "控制字符" in info.value.zh and "no control characters" in info.value.en
    assert len(staff.list_clerks(lite)) == 3


def test_good_numbers_and_names_are_kept(lite) -> None:
    staff.add_clerk(lite, code=" A12b ", name=" José Ramírez-Ortega ", pin="975310")
    staff.add_clerk(lite, code="1234567890123456", name="欧阳·娜娜", pin="975310")
    names = {c.code: c.name for c in staff.list_clerks(lite)}
    assert names["A12b"] == "José Ramírez-Ortega" and names["1234567890123456"] == "欧阳·娜娜"


@pytest.mark.parametrize(
    ("code", "name", "key"),
    [("1001\x1b[2J", "赵敏", "1-16 letters"), ("2001", "\x1b]0;pwned\x07赵敏", "control")],
)
def test_the_command_refuses_them_with_exit_1_before_asking_for_a_pin(
    lite, code: str, name: str, key: str
) -> None:
    url = str(lite.url)
    result = CliRunner().invoke(app, ["--db", url, "clerk", "add", code, "--name", name])
    assert result.exit_code == 1, result.stdout
    out = result.stdout + result.stderr
    assert key in out and "Traceback" not in out and "PIN" not in result.stdout
    assert "\x1b" not in out  # nothing of the escape is echoed back
    assert len(staff.list_clerks(lite)) == 3
