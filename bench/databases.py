"""The prepared databases of one run, built on first use and shared by the benchmarks."""

from __future__ import annotations

from pathlib import Path

from bench.common import Sizes


class Databases:
    """Template, prefilled and history databases in the run's temp directory."""

    def __init__(self, workdir: Path, sizes: Sizes) -> None:
        self.workdir = workdir
        self.sizes = sizes
        self._template: Path | None = None
        self._prefilled: tuple[Path, list[str]] | None = None
        self._history: tuple[Path, float] | None = None

    @property
    def template(self) -> Path:
        """Schema, the Jinan hall, eight clerks logged in."""
        if self._template is None:
            from bench.halldb import build_template

            self._template = build_template(self.workdir)
        return self._template

    @property
    def prefilled(self) -> tuple[Path, list[str]]:
        """The template with the drain's waiting tickets, and their numbers."""
        if self._prefilled is None:
            from bench.halldb import build_prefilled

            self._prefilled = build_prefilled(self.template, self.workdir, self.sizes.drain_tickets)
        return self._prefilled

    @property
    def history(self) -> tuple[Path, float]:
        """The template with a year of history and today's tickets; seconds it took."""
        if self._history is None:
            from bench.status import build_history

            self._history = build_history(self.sizes, self.workdir, self.template)
        return self._history
