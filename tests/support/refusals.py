"""One check for every refusal: the right catalogue key, in Chinese and in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from models.errors import MashangbanError

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


def expect(exc: type[MashangbanError], key: str, op: Callable[..., Any], **kw: Any) -> Any:
    """Run an operation that must be refused with a catalogue key, in both languages."""
    with pytest.raises(exc) as info:
        op(**kw)
    err = info.value
    assert err.key == key
    assert CJK.search(err.zh), err.zh
    assert LATIN.search(err.en), err.en
    assert err.zh in str(err) and err.en in str(err)
    return err
