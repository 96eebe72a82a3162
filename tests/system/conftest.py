"""Fixtures of the system tests that more than one file uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.webserver import chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Debian chromium for one test file, quit afterwards."""
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
