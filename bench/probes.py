"""Probes on a product engine (listeners added by the benchmark only; models/ is untouched).

* statements: SQL statements sent to SQLite per operation (BEGIN and COMMIT not counted);
* lock time: per write transaction, seconds from ``BEGIN IMMEDIATE`` granted to COMMIT issued
  (``held``) and to COMMIT done (``held_total``) — the time no other window or kiosk can write.
  With one writer at a time, the sum of ``held_total`` bounds the multi-process throughput.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from models.db import _BEGIN_MODE


class Probe:
    """Counts statements and times write transactions on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements = 0
        self.held: list[float] = []
        self.held_total: list[float] = []
        self._began: float | None = None
        self._committing: float | None = None
        # Registered after make_engine's own "begin" listener, so it runs once BEGIN is granted.
        self._engine_hooks = [
            ("begin", self._on_begin),
            ("commit", self._on_commit),
            ("rollback", self._on_rollback),
            ("before_cursor_execute", self._on_execute),
        ]
        for name, hook in self._engine_hooks:
            event.listen(engine, name, hook)
        event.listen(Session, "after_commit", self._after_commit)

    def close(self) -> None:
        """Remove the listeners."""
        for name, hook in self._engine_hooks:
            event.remove(self.engine, name, hook)
        event.remove(Session, "after_commit", self._after_commit)

    def _on_begin(self, conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_MODE, "IMMEDIATE")
        self._began = time.perf_counter() if mode == "IMMEDIATE" else None

    def _on_commit(self, conn: Any) -> None:
        if self._began is not None:
            self.held.append(time.perf_counter() - self._began)
            self._committing = self._began
        self._began = None

    def _after_commit(self, session: Any) -> None:
        # Sessions of other engines commit too; only a commit this probe saw begin counts.
        if self._committing is not None:
            self.held_total.append(time.perf_counter() - self._committing)
        self._committing = None

    def _on_rollback(self, conn: Any) -> None:
        self._began = self._committing = None

    def _on_execute(self, *args: Any) -> None:
        statement = str(args[2]).lstrip().upper()
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.statements += 1

    def reset(self) -> None:
        self.statements = 0
        self.held.clear()
        self.held_total.clear()
