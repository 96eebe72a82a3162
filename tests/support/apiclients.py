"""Partner channels in child processes: each books through the hall server's API over HTTP
(spawned: run them with tests.support.workers.start_child)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.support.workers import START_TIMEOUT_S, write_result


def post_bookings(
    base: str, key: str, first_mobile: int, count: int, day: str, start: Any, out: str
) -> None:
    """``count`` citizens (mobiles from ``first_mobile`` on) book item M01's 09:00 slot on
    ``day`` through ``POST /api/v1/bookings``; reports the codes got, the refusals by key and
    the HTTP status of each refusal."""
    codes: list[str] = []
    refused: dict[str, int] = {}
    statuses: dict[str, int] = {}
    start.wait(START_TIMEOUT_S)
    for n in range(count):
        body = json.dumps({"item": "M01", "day": day, "start": "09:00", "name": "张三",
                           "mobile": str(first_mobile + n)}).encode()  # fmt: skip
        request = urllib.request.Request(
            f"{base}/api/v1/bookings",
            data=body,
            method="POST",
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                codes.append(json.loads(answer.read())["code"])
        except urllib.error.HTTPError as exc:
            found = json.loads(exc.read())
            refused[found["error"]] = refused.get(found["error"], 0) + 1
            statuses[str(exc.code)] = statuses.get(str(exc.code), 0) + 1
    write_result(out, {"codes": codes, "refused": refused, "statuses": statuses})
