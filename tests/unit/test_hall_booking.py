"""The hall file's booking rules: checked when loaded, and resolved per item."""

from __future__ import annotations

import pytest

from models.bookingrules import rule_for
from models.errors import HallError
from models.hall import default_hall_path, parse_hall

TEXT = default_hall_path().read_text(encoding="utf-8")


def changed(old: str, new: str) -> str:
    assert old in TEXT, old
    return TEXT.replace(old, new, 1)


def test_the_default_rules_resolve_per_queue_and_item() -> None:
    config = parse_hall(TEXT)
    m01 = rule_for(config, queue="M", item="M01")
    assert m01 is not None
    assert (m01.pool, m01.places, m01.slot_minutes) == ("Q:M", 4, 15)
    assert (m01.first_day, m01.last_day, m01.cancel_before_minutes) == (1, 5, 120)
    assert m01.hours == ["08:30-12:00", "13:00-17:00"]  # the hall's hours
    c01 = rule_for(config, queue="C", item="C01")
    assert c01 is not None and (c01.pool, c01.places, c01.slot_minutes) == ("I:C01", 4, 20)
    assert rule_for(config, queue="D", item="D01") is None


def test_an_item_can_opt_out_and_inherits_its_queues_rule_otherwise() -> None:
    text = changed('code = "M02"\n', 'code = "M02"\nbooking = { bookable = false }\n')
    text = text.replace(
        "booking = { places = 4, slot_minutes = 15 }",
        'booking = { places = 4, slot_minutes = 15, hours = ["09:00-11:00"] }',
    )
    text = text.replace('code = "M03"\n', 'code = "M03"\nbooking = { places = 1 }\n', 1)
    config = parse_hall(text)
    assert rule_for(config, queue="M", item="M02") is None
    m03 = rule_for(config, queue="M", item="M03")
    assert m03 is not None and (m03.pool, m03.places, m03.slot_minutes) == ("I:M03", 1, 15)
    assert m03.hours == ["09:00-11:00"]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("first_day = 1 ", "first_day = 6 ", "first_day is after last_day"),
        (
            "booking = { places = 3 }         #",
            'booking = { places = 3, hours = ["12:00-09:00"] }  #',
            "ends before it starts",
        ),
        ("booking = { places = 3 }         #", "booking = { places = 0 }  #", "greater than"),
        ("booking = { places = 3 }         #", "booking = { seats = 3 }  #", "Extra inputs"),
    ],
)
def test_bad_booking_rules_are_refused_naming_the_field(old: str, new: str, said: str) -> None:
    with pytest.raises(HallError) as info:
        parse_hall(changed(old, new), source="hall.toml")
    assert said in info.value.en and "hall.toml" in info.value.en
