"""What staff read on the apps' shared screens (appkit): the unattended apps' PIN screen and
what went wrong."""

from __future__ import annotations

from models.text.catalogue import Catalogue

ENTRIES: dict[str, tuple[str, str] | tuple[str, str, str]] = {
    "clerk": ("工号", "clerk"),
    "pin": ("密码", "PIN"),
    "busy": ("数据库忙，请再按一次", "The database is busy, press again"),
    "db_trouble": (
        "数据库出错，请再试或联系管理员：{detail}",
        "Database trouble, try again: {detail}",
        "数据库出错，请再试或联系管理员 Database trouble, try again: {detail}",
    ),
    "internal": (
        "程序出错，请联系管理员：{detail}",
        "Internal error, please report: {detail}",
        "程序出错，请联系管理员 Internal error, please report: {detail}",
    ),
}

CATALOGUE = Catalogue("staff", ENTRIES, sep=" ")

line = CATALOGUE.line
zh = CATALOGUE.zh
en = CATALOGUE.en
pick = CATALOGUE.pick
pair = CATALOGUE.pair
both = CATALOGUE.both
