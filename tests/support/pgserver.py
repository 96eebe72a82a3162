"""Throwaway PostgreSQL 15 server for the test suite.

Usage::

    with PostgresServer() as pg:
        url = pg.create_database("t_queue")  # postgresql+psycopg://postgres@127.0.0.1:PORT/t_queue
        ...

The server lives in a fresh temporary directory (data directory, unix socket and log file),
listens only on 127.0.0.1 on a free port and uses trust authentication.  Durability is switched
off for speed.  PostgreSQL refuses to run as root, so when the tests run as root the server
binaries are executed as the ``postgres`` system user (through ``runuser``, or ``su`` when
``runuser`` is missing).

If the environment variable ``MASHANGBAN_TEST_PG_URL`` is set to a base URL such as
``postgresql+psycopg://u@host:5432/postgres``, that server is used instead: ``start()`` and
``stop()`` do nothing and ``url()`` only swaps the database name.

Failure to start is never silent: :class:`RuntimeError` is raised with the tail of the log.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

__all__ = ["ENV_URL", "PG_BIN", "PostgresServer"]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
"""Directory holding ``initdb``, ``pg_ctl`` and ``postgres``."""

ENV_URL = "MASHANGBAN_TEST_PG_URL"
"""Environment variable naming an existing server to use instead of starting one."""

_SYSTEM_USER = "postgres"
_START_TIMEOUT = 30.0
_START_ATTEMPTS = 3  # a port picked by bind(0) can be taken before postgres binds it
_LOG_TAIL_LINES = 40


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _current_user() -> str:
    """Name of the effective user, without relying on $USER."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return os.environ.get("USER") or os.environ.get("LOGNAME") or "postgres"


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """Last ``lines`` lines of a text file, or a note when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:]) or "<empty log>"


class PostgresServer:
    """A private PostgreSQL server started on demand and torn down afterwards.

    Attributes:
        port: TCP port the server listens on (set by :meth:`start`, or taken from the
            ``MASHANGBAN_TEST_PG_URL`` override).
        user: database superuser name used in URLs.
        external: ``True`` when an existing server from ``MASHANGBAN_TEST_PG_URL`` is used.
    """

    def __init__(self, bin_dir: Path | str = PG_BIN) -> None:
        """Prepare (but do not start) a server using the binaries in ``bin_dir``."""
        self.bin_dir = Path(bin_dir)
        self.port: int = 0
        self.tmpdir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._as_root = os.geteuid() == 0

        override = os.environ.get(ENV_URL, "").strip()
        self._base_url: URL | None = make_url(override) if override else None
        self.external = self._base_url is not None
        if self._base_url is not None:
            self.user = self._base_url.username or _current_user()
            self.port = self._base_url.port or 5432
        else:
            self.user = _SYSTEM_USER if self._as_root else _current_user()

    # ------------------------------------------------------------------ paths

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory (inside the temporary directory)."""
        return self._tmp() / "data"

    @property
    def log_path(self) -> Path:
        """The server log file (inside the temporary directory)."""
        return self._tmp() / "postgres.log"

    def log_mark(self) -> int:
        """Where the server log ends now, for :meth:`log_since` (0 for an external server)."""
        if self.external or self.tmpdir is None:
            return 0
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def log_since(self, mark: int) -> str:
        """The server's log written after ``mark`` (deadlocks, errors); "" for an external server.

        The log is written by the server process into a file this process opened, so it stays
        readable here even when the server runs as the ``postgres`` user.
        """
        if self.external or self.tmpdir is None:
            return ""
        with open(self.log_path, "rb") as log:
            log.seek(mark)
            return log.read().decode("utf-8", errors="replace")

    def _tmp(self) -> Path:
        if self.tmpdir is None:
            raise RuntimeError("PostgresServer is not started")
        return self.tmpdir

    # --------------------------------------------------------------- commands

    def _command(self, args: list[str]) -> list[str]:
        """Wrap ``args`` so they run as the postgres system user when we are root."""
        if not self._as_root:
            return args
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", _SYSTEM_USER, "--", *args]
        su = shutil.which("su") or "su"
        return [su, _SYSTEM_USER, "-s", "/bin/sh", "-c", "exec " + shlex.join(args)]

    def _env(self) -> dict[str, str]:
        """Environment for the server binaries: no stray PG* settings, C locale."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        return env

    def _run(self, args: list[str], timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """Run a server tool to completion, capturing its combined output."""
        return subprocess.run(
            self._command(args),
            cwd=self._tmp(),
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )

    # ------------------------------------------------------------- lifecycle

    def start(self) -> PostgresServer:
        """Create the cluster and start the server; return ``self``.

        Raises:
            RuntimeError: the server could not be initialised or did not accept connections
                within 30 seconds (the message includes the tail of the server log).
        """
        if self.external or self._proc is not None:
            return self
        atexit.register(self.stop)
        try:
            self._make_tmpdir()
            self._initdb()
            for attempt in range(1, _START_ATTEMPTS + 1):
                if self._launch():
                    return self
                if attempt == _START_ATTEMPTS or "already in use" not in _tail(self.log_path):
                    raise RuntimeError(
                        f"PostgreSQL failed to start on port {self.port}; log tail "
                        f"({self.log_path}):\n{_tail(self.log_path)}"
                    )
        except BaseException:
            self.stop()
            raise
        return self  # pragma: no cover - the loop either returns or raises

    def _make_tmpdir(self) -> None:
        self.tmpdir = Path(tempfile.mkdtemp(prefix="mashangban-pg-"))
        os.chmod(self.tmpdir, 0o700)
        if self._as_root:
            try:
                entry = pwd.getpwnam(_SYSTEM_USER)
            except KeyError as exc:
                raise RuntimeError(
                    f"running as root but there is no {_SYSTEM_USER!r} system user to run "
                    "PostgreSQL as"
                ) from exc
            os.chown(self.tmpdir, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        result = self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "-U",
                self.user,
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed (exit {result.returncode}):\n{result.stdout}")

    def _launch(self) -> bool:
        """Start postgres on a fresh port; ``True`` once it accepts connections."""
        self.port = _free_port()
        args = [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"port={self.port}",
            "-c",
            f"unix_socket_directories={self._tmp()}",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=32MB",
        ]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self._command(args),
                cwd=self._tmp(),
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                return False
            try:
                with psycopg.connect(**self._conninfo("postgres"), connect_timeout=2):
                    return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        self._kill_postmaster()
        raise RuntimeError(
            f"PostgreSQL did not accept connections on 127.0.0.1:{self.port} within "
            f"{_START_TIMEOUT:.0f}s; log tail ({self.log_path}):\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        """Stop the server immediately and delete its directory.  Safe to call repeatedly."""
        atexit.unregister(self.stop)
        if self.external:
            return
        if self._proc is not None and self.tmpdir is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                self._run(
                    [
                        str(self.bin_dir / "pg_ctl"),
                        "stop",
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "-t",
                        "20",
                    ],
                    timeout=30,
                )
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._kill_postmaster()
        self._proc = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    def _kill_postmaster(self) -> None:
        """Last resort: SIGKILL the postmaster named in postmaster.pid and reap our child."""
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            pid = int((self.data_dir / "postmaster.pid").read_text(encoding="ascii").split()[0])
            os.kill(pid, signal.SIGKILL)
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)

    def __enter__(self) -> PostgresServer:
        """Start the server (see :meth:`start`)."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server (see :meth:`stop`)."""
        self.stop()

    # ------------------------------------------------------------- databases

    def url(self, dbname: str) -> str:
        """SQLAlchemy URL for database ``dbname`` on this server."""
        if self._base_url is not None:
            return self._base_url.set(database=dbname).render_as_string(hide_password=False)
        return URL.create(
            "postgresql+psycopg",
            username=self.user,
            host="127.0.0.1",
            port=self.port,
            database=dbname,
        ).render_as_string(hide_password=False)

    def _conninfo(self, dbname: str) -> dict[str, Any]:
        """Keyword arguments for :func:`psycopg.connect` to ``dbname``."""
        if self._base_url is not None:
            base = self._base_url
            info: dict[str, Any] = {str(k): v for k, v in base.query.items()}
            info.update(host=base.host, port=base.port, user=base.username, dbname=dbname)
            if base.password is not None:
                info["password"] = base.password
            return {k: v for k, v in info.items() if v is not None}
        return {"host": "127.0.0.1", "port": self.port, "user": self.user, "dbname": dbname}

    def _admin(self) -> psycopg.Connection[Any]:
        """An autocommit connection to the maintenance database."""
        maintenance = (self._base_url.database if self._base_url else None) or "postgres"
        return psycopg.connect(**self._conninfo(maintenance), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database ``name`` (optionally copied from ``template``); return its URL.

        The template must have no open connections while it is copied.
        """
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with self._admin() as conn:
            conn.execute(query)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, terminating any open connections to it."""
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        with self._admin() as conn:
            conn.execute(query)
