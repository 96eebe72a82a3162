"""The hall file: the shipped Jinan hall, errors that point at file/line/field, safe reloads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select

from models.clerks import staff
from models.db import reading
from models.errors import HallError, NotFound
from models.events import last_event_seq
from models.hall import (
    ItemConfig,
    default_hall_path,
    hall_settings,
    parse_hall,
    read_hall_file,
    store_hall,
)
from models.queue.tickets import take_ticket, ticket_by_token
from models.schema import upgrade
from models.tables import Event, Hall, Queue, ServiceItem, Window
from models.views.status import hall_status
from tests.conftest import PIN, open_window

M_ITEMS = {
    "市国土资源局": "不动产登记信息查询 不动产登记证明打印 土地权属证明开具 宗地图查询打印 "
    "抵押登记信息查询",
    "市公安局": "临时居民身份证办理 户籍证明开具 无犯罪记录证明 居住证签注 户口迁移证明补办",
    "市食品药品监管局": "食品经营许可证补办 食品经营许可证注销 药品经营许可证变更 医疗器械经营备案 "
    "食品小作坊登记证变更",
    "市卫计委": "出生医学证明补发 生育服务登记 医师执业证书变更 护士执业注册变更",
    "市安监局": "危险化学品经营许可证变更 烟花爆竹零售许可证 安全生产培训合格证补办 "
    "非药品类易制毒化学品备案",
}
"""The 马上办 items of DESIGN.md, by department."""

WINDOWS_BY_ZONE = {
    "A": range(1, 5),
    "B": range(5, 9),
    "C": range(9, 13),
    "D": range(13, 16),
    "E": range(16, 18),
    "M": range(18, 21),
    "F": range(21, 22),
}
"""DESIGN.md's table: the windows of each zone (the zone is the window's first queue)."""

BASE = """\
[hall]
name_zh = "测试大厅"
name_en = "Test hall"
timezone = "Asia/Shanghai"
hours = ["08:30-12:00", "13:00-17:00"]

[[queue]]
prefix = "A"
name_zh = "甲区"
name_en = "First"

[[queue]]
prefix = "B"
name_zh = "乙区"
name_en = "Second"

[[queue]]
prefix = "C"
name_zh = "丙区"
name_en = "Third"

[[item]]
code = "A01"
queue = "A"
name_zh = "事项"
name_en = "Item"
department = "部门"
instant = true

[[window]]
number = 1
queues = ["A", "B"]

[[window]]
number = 2
queues = ["C"]
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line of the nth line containing needle."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[nth - 1]


def write(tmp_path: Path, text: str, name: str = "hall.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jinan_text() -> str:
    return default_hall_path().read_text(encoding="utf-8")


def snapshot(engine: Engine) -> tuple[object, ...]:
    """What a reload may change: hall names and text, queues, items, windows, events."""
    with reading(engine) as session:
        hall = session.get(Hall, 1)
        assert hall is not None
        queues = session.exec(select(Queue).order_by(col(Queue.position))).all()
        items = session.exec(select(func.count()).select_from(ServiceItem)).one()
        windows = session.exec(select(Window.number).where(col(Window.active))).all()
        return (
            hall.name_zh,
            hall.name_en,
            hall.source,
            [(q.prefix, q.name_zh, q.name_en, q.active) for q in queues],
            items,
            sorted(windows),
        )


# ---------------------------------------------------------------- the shipped hall


def test_shipped_hall_has_the_zones_and_windows_of_the_design() -> None:
    config, _ = read_hall_file(default_hall_path())
    assert config.hall.name_zh == "济南市政务服务中心"
    assert config.hall.timezone == "Asia/Shanghai"
    assert [q.prefix for q in config.queue] == ["A", "B", "C", "D", "E", "M", "F"]
    assert {q.prefix: q.name_zh for q in config.queue}["M"] == "马上办"
    assert sorted(w.number for w in config.window) == list(range(1, 22))
    for zone, numbers in WINDOWS_BY_ZONE.items():
        got = sorted(w.number for w in config.window if w.queues[0] == zone)
        assert got == list(numbers), zone


def test_shipped_hall_has_23_instant_items_of_5_departments_in_m() -> None:
    config, _ = read_hall_file(default_hall_path())
    in_m = [i for i in config.item if i.queue == "M"]
    assert len(in_m) == 23
    assert all(i.instant and i.promised_days == 0 for i in in_m)
    per_department = Counter(i.department for i in in_m)
    assert per_department == {d: len(names.split()) for d, names in M_ITEMS.items()}
    assert sorted(per_department.values(), reverse=True) == [5, 5, 5, 4, 4]
    for department, names in M_ITEMS.items():
        assert {i.name_zh for i in in_m if i.department == department} == set(names.split())
    timed = [i for i in config.item if not i.instant]
    assert timed and all(i.promised_days > 0 for i in timed)


def test_loaded_hall_in_database_matches_file(engine: Engine) -> None:
    with reading(engine) as session:
        settings = hall_settings(session)
        queues = session.exec(
            select(Queue).where(col(Queue.active)).order_by(col(Queue.position))
        ).all()
        m_id = next(q.id for q in queues if q.prefix == "M")
        m_items = session.exec(select(ServiceItem).where(ServiceItem.queue_id == m_id)).all()
    assert settings.hours == ["08:30-12:00", "13:00-17:00"]
    assert [q.prefix for q in queues] == ["A", "B", "C", "D", "E", "M", "F"]
    assert len(m_items) == 23 and all(i.instant for i in m_items)
    status = hall_status(engine)
    assert [w.number for w in status.windows] == list(range(1, 22))
    assert next(w for w in status.windows if w.number == 20).queues == ["M", "C"]


# ---------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('name_en = "First"', 'name_en = "First'),  # unterminated string
        ('name_en = "First"', "name_en First"),  # no '='
        ('name_en = "First"', 'name_en = "First"\nname_en = "Again"'),  # key twice
    ],
    ids=["unterminated", "no-equals", "duplicate-key"],
)
def test_syntax_error_names_file_and_line(tmp_path: Path, old: str, new: str) -> None:
    text = BASE.replace(old, new)
    expected = line_of(text, "First") if "Again" not in new else line_of(text, "Again")
    path = write(tmp_path, text)
    with pytest.raises(HallError) as info:
        read_hall_file(path)
    err = info.value
    assert err.key == "hall_syntax"
    assert str(path) in err.zh and str(path) in err.en
    assert f"第 {expected} 行" in err.zh and "TOML 格式错误" in err.zh
    assert f"line {expected}:" in err.en


def test_unreadable_files_are_refused_with_reason(tmp_path: Path) -> None:
    with pytest.raises(HallError) as missing:
        read_hall_file(tmp_path / "nowhere.toml")
    assert missing.value.key == "hall_unreadable"
    assert "nowhere.toml" in missing.value.en and "无法读取大厅文件" in missing.value.zh
    path = tmp_path / "gbk.toml"
    path.write_bytes(BASE.encode("gb18030"))
    with pytest.raises(HallError) as binary:
        read_hall_file(path)
    assert binary.value.key == "hall_unreadable" and "not UTF-8" in binary.value.en


# ---------------------------------------------------------------- field errors


FIELD_CASES = [
    # id, old text, new text, field named, line marker (nth occurrence), words in the detail
    ("bad-prefix", 'prefix = "C"', 'prefix = "AA"', "queue[2].prefix", ('"AA"', 1), "pattern"),
    (
        "unknown-key",
        'name_en = "Second"',
        'name_en = "Second"\ncolour = "red"',
        "queue[1].colour",
        ("colour", 1),
        "Extra inputs",
    ),
    ("dup-prefix", 'prefix = "C"', 'prefix = "A"', "queue[2].prefix", ('prefix = "A"', 2), "A'"),
    ("item-queue", 'queue = "A"', 'queue = "Z"', "item[0].queue", ('queue = "Z"', 1), "'Z'"),
    (
        "window-queue",
        'queues = ["C"]',
        'queues = ["C", "Q"]',
        "window[1].queues",
        ('"Q"', 1),
        "'Q'",
    ),
    ("hours-25", '"13:00-17:00"', '"25:00-26:00"', "hall.hours", ("25:00", 1), "25:00-26:00"),
    (
        "hours-backwards",
        '"13:00-17:00"',
        '"12:00-08:00"',
        "hall.hours",
        ("12:00-08:00", 1),
        "ends before it starts",
    ),
    ("timezone", "Asia/Shanghai", "Asia/Jinan", "hall.timezone", ("Asia/Jinan", 1), "time zone"),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "marker", "detail"),
    [case[1:] for case in FIELD_CASES],
    ids=[case[0] for case in FIELD_CASES],
)
def test_field_error_names_file_field_and_line(
    tmp_path: Path, old: str, new: str, field: str, marker: tuple[str, int], detail: str
) -> None:
    assert [q.prefix for q in parse_hall(BASE).queue] == ["A", "B", "C"]  # valid as written
    text = BASE.replace(old, new, 1)
    assert text != BASE
    path = write(tmp_path, text)
    with pytest.raises(HallError) as info:
        read_hall_file(path)
    err = info.value
    line = line_of(text, *marker)
    assert err.key == "hall_field"
    assert f"{path} line {line}, field {field}" in err.en
    assert f"{path} line {line}, field {field}" in err.zh
    assert detail in err.en


def test_instant_item_with_promised_days_points_at_the_item(tmp_path: Path) -> None:
    text = BASE.replace("instant = true", "instant = true\npromised_days = 3")
    path = write(tmp_path, text)
    with pytest.raises(HallError) as info:
        read_hall_file(path)
    err = info.value
    assert err.key == "hall_field"
    assert "field item[0]" in err.en and "cannot promise working days" in err.en
    # The line given lies inside the offending [[item]] table.
    first, last = line_of(text, "[[item]]"), line_of(text, "promised_days")
    shown = int(err.en.split(" line ")[1].split(",")[0])
    assert first <= shown <= last


def test_first_error_of_many_is_shown_with_a_count_of_the_rest(tmp_path: Path) -> None:
    text = BASE.replace('prefix = "B"', 'prefix = "bb"').replace('prefix = "C"', 'prefix = "cc"')
    with pytest.raises(HallError) as info:
        read_hall_file(write(tmp_path, text))
    line = line_of(text, '"bb"')
    assert f"line {line}, field queue[1].prefix" in info.value.en
    assert info.value.hint == "1 more problem(s) after this one"


# ---------------------------------------------------------------- storing


def test_invalid_file_leaves_the_stored_hall_alone(engine: Engine, tmp_path: Path) -> None:
    before = snapshot(engine)
    seq = last_event_seq(engine)
    text = (
        jinan_text()
        .replace("济南市政务服务中心", "别的大厅")
        .replace('prefix = "C"', 'prefix = "AA"')
    )
    with pytest.raises(HallError) as info:
        read_hall_file(write(tmp_path, text))  # a loader stores only what it could read
    line = line_of(text, 'prefix = "AA"')
    assert f"line {line}, field queue[2].prefix" in info.value.en
    assert snapshot(engine) == before
    assert before[0] == "济南市政务服务中心"
    assert last_event_seq(engine) == seq


def test_a_store_failing_midway_rolls_everything_back(engine: Engine) -> None:
    """store_hall writes in one transaction: a failure after the queues leaves nothing."""
    before = snapshot(engine)
    seq = last_event_seq(engine)
    text = jinan_text().replace("济南市政务服务中心", "别的大厅").replace('"马上办"', '"改名"', 1)
    config = parse_hall(text)
    broken_item = ItemConfig.model_construct(
        code="Z99",
        queue="Z",  # no such queue: the store fails after hall and queues were written
        name_zh="坏",
        name_en="Broken",
        department="无",
        instant=False,
        promised_days=0,
        service_minutes=None,
        materials=[],
    )
    broken = config.model_copy(update={"item": [*config.item, broken_item]})
    with pytest.raises(KeyError):
        store_hall(engine, broken, text)
    assert snapshot(engine) == before
    assert last_event_seq(engine) == seq


def test_reload_keeps_tickets_and_logins(engine: Engine, now) -> None:
    ticket = take_ticket(engine, queue="M", now=now)
    open_window(engine, 18, "1001")
    original = jinan_text()
    text = original.replace('name_en = "Instant service"\n', 'name_en = "On-the-spot service"\n')
    start = text.index("[[window]]\nnumber = 21\n")
    text = text[:start] + text[text.index("\n\n", start) :]  # window 21 is gone
    assert text.count("On-the-spot service") == 1
    assert text.splitlines().count("[[window]]") == 20
    store_hall(engine, parse_hall(text), text)

    again = ticket_by_token(engine, ticket.token)
    assert (again.number, again.status) == ("M001", "waiting")
    assert again.queue_name_en == "On-the-spot service"
    assert {c.code: c.window for c in staff.list_clerks(engine)}["1001"] == 18
    with reading(engine) as session:
        assert session.get(Window, 21).active is False
        assert session.get(Window, 18).clerk_code == "1001"
        hall = session.get(Hall, 1)
        assert hall is not None and hall.source == text
        kinds = session.exec(select(Event.kind).order_by(col(Event.seq).desc())).first()
    assert kinds == "hall_loaded"
    assert [w.number for w in hall_status(engine).windows] == list(range(1, 21))
    with pytest.raises(NotFound) as info:
        staff.login(engine, window=21, clerk="1002", pin=PIN)
    assert info.value.key == "unknown_window" and "21" in info.value.zh
    # The next number continues the day's sequence in the renamed queue.
    assert take_ticket(engine, queue="M", now=now).number == "M002"


def test_no_hall_on_an_empty_migrated_database(empty_engine: Engine, now) -> None:
    upgrade(empty_engine)
    with reading(empty_engine) as session, pytest.raises(HallError) as info:
        hall_settings(session)
    assert info.value.key == "no_hall"
    assert "尚未载入大厅配置" in info.value.zh and "no hall" in info.value.en
    assert "hall load" in info.value.hint
    with pytest.raises(HallError) as taking:
        take_ticket(empty_engine, queue="M", now=now)
    assert taking.value.key == "no_hall"


def test_departments_are_named_once_and_fall_back_to_chinese() -> None:
    from models.hall import parse_hall

    text = default_hall_path().read_text(encoding="utf-8")
    config = parse_hall(text)
    assert config.department_en("市公安局") == "Municipal Public Security Bureau"
    assert config.department_en("市档案馆") == "市档案馆"  # not in the file: Chinese only
    twice = text + '\n[[department]]\nname_zh = "市公安局"\nname_en = "Police"\n'
    with pytest.raises(HallError) as refused:
        parse_hall(twice, source="twice.toml")
    assert "department" in str(refused.value.en) and "市公安局" in str(refused.value.en)
