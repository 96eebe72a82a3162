"""The fake network printer of tests/support, driven by plain sockets and by python-escpos."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy, Network

from tests.support.escpos_decode import decode
from tests.support.fake_printer import FakePrinter, Paper, split_status_queries
from tests.support.waiting import WAIT_S, wait_for

JOB = b"\x1b@\x1ba\x01\x1d!\x11M023\n\x1d!\x00\x1bd\x06\x1dV\x00"


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        yield fake


def connect(fake: FakePrinter, timeout: float = WAIT_S) -> socket.socket:
    return socket.create_connection(fake.address, timeout=timeout)


def network(fake: FakePrinter, timeout: float = WAIT_S) -> Network:
    client = Network(fake.host, fake.port, timeout=timeout)
    client.open()
    return client


def test_prints_bytes_and_reads_them_back(printer: FakePrinter) -> None:
    with connect(printer) as sock:
        sock.sendall(JOB)
    assert printer.wait_for_bytes(len(JOB)) == JOB
    assert printer.printed() == JOB == printer.received_raw()
    assert decode(printer.received()).lines[0].text == "M023"
    printer.clear()
    assert printer.received() == b"" == printer.printed()


def test_python_escpos_network_job(printer: FakePrinter) -> None:
    client = network(printer)
    client.hw("INIT")
    client.set(align="center", custom_size=True, width=2, height=2)
    client.textln("M023")
    client.qr("https://mashangban.example/t/M023", native=True)
    client.cut()
    expected = Dummy()
    expected.hw("INIT")
    expected.set(align="center", custom_size=True, width=2, height=2)
    expected.textln("M023")
    expected.qr("https://mashangban.example/t/M023", native=True)
    expected.cut()
    client.close()
    assert printer.wait_for_bytes(len(expected.output)) == expected.output
    page = decode(printer.received())
    assert page.qr_codes == ["https://mashangban.example/t/M023"] and page.cuts == 1


def test_sequential_connections_one_at_a_time(printer: FakePrinter) -> None:
    first, second = connect(printer), connect(printer)  # the second waits in the backlog
    second.sendall(b"second\n")
    first.sendall(b"first\n")
    printer.wait_for_bytes(6)
    assert printer.connections == 1  # the second is not accepted while the first is open
    assert printer.received() == b"first\n"
    first.close()
    assert printer.wait_for_bytes(13) == b"first\nsecond\n"
    second.close()
    with connect(printer) as third:
        third.sendall(b"third\n")
    assert printer.wait_for_bytes(19).endswith(b"third\n")
    assert printer.connections == 3


STATES: list[tuple[tuple[bool, Paper, bool, bool], tuple[int, int, int, int], bool, int]] = [
    # online, paper, cover_open, error -> (n=1, n=2, n=3, n=4), is_online(), paper_status()
    ((True, "ok", False, False), (0x12, 0x12, 0x12, 0x12), True, 2),
    ((False, "ok", False, False), (0x1A, 0x12, 0x12, 0x12), False, 2),
    ((True, "near_end", False, False), (0x12, 0x12, 0x12, 0x1E), True, 1),
    ((True, "out", False, False), (0x1A, 0x32, 0x12, 0x72), False, 0),
    ((True, "ok", True, False), (0x1A, 0x16, 0x12, 0x12), False, 2),
    ((True, "ok", False, True), (0x1A, 0x52, 0x32, 0x12), False, 2),
]


@pytest.mark.parametrize(("state", "answers", "online", "paper"), STATES)
def test_status_answers(
    printer: FakePrinter,
    state: tuple[bool, Paper, bool, bool],
    answers: tuple[int, int, int, int],
    online: bool,
    paper: int,
) -> None:
    printer.online, printer.paper, printer.cover_open, printer.error = state
    with connect(printer) as sock:
        for n, answer in zip(range(1, 5), answers, strict=True):
            sock.sendall(b"\x10\x04" + bytes([n]))
            assert sock.recv(16) == bytes([answer]), n
    client = network(printer)
    assert client.is_online() is online
    assert client.paper_status() == paper
    client.close()
    assert printer.status_queries == [1, 2, 3, 4, 1, 4]
    assert printer.received() == b""  # status queries are not job bytes
    assert printer.received_raw() == b"".join(b"\x10\x04" + bytes([n]) for n in (1, 2, 3, 4, 1, 4))


def test_not_ready_receives_but_does_not_print(printer: FakePrinter) -> None:
    printer.paper = "out"
    with connect(printer) as sock:
        sock.sendall(b"lost\n")
        printer.wait_for_bytes(5)
        printer.paper = "near_end"  # still prints
        sock.sendall(b"kept\n")
        printer.wait_for_bytes(10)
        printer.cover_open = True
        sock.sendall(b"lost again\n")
    printer.wait_for_bytes(21)
    assert printer.received() == b"lost\nkept\nlost again\n"
    assert printer.printed() == b"kept\n"


def test_status_query_inside_a_job_is_answered_in_order(printer: FakePrinter) -> None:
    with connect(printer) as sock:
        sock.sendall(b"abc\x10")  # a query split across two reads
        wait_for(lambda: printer.received_raw() == b"abc\x10", "the first part read")
        sock.sendall(b"\x04\x04def\x10\x04\x09ghi\x10")
        assert sock.recv(16) == b"\x12"
    assert printer.wait_for_bytes(13) == b"abcdef\x10\x04\x09ghi\x10"  # 10 04 09 is no query
    assert printer.status_queries == [4]


def test_split_status_queries() -> None:
    assert split_status_queries(b"a\x10\x04\x01b\x10\x04") == ([b"a", 1, b"b"], b"\x10\x04")
    assert split_status_queries(b"\x10\x04\x05\x10") == ([b"\x10\x04\x05"], b"\x10")
    assert split_status_queries(b"") == ([], b"")


def test_silent_status_times_out(printer: FakePrinter) -> None:
    printer.silent_status = True
    with connect(printer, timeout=0.3) as sock:
        sock.sendall(b"\x10\x04\x01")
        with pytest.raises(TimeoutError):
            sock.recv(16)
    client = network(printer, timeout=0.3)
    with pytest.raises(TimeoutError):  # python-escpos lets the socket timeout through
        client.paper_status()
    client.close()
    assert printer.status_queries == [1, 4]


def test_python_escpos_reads_an_empty_status_reply_as_paper_adequate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Known python-escpos 3.1 bug: paper_status() returns 2 ("paper adequate") when the status
    # read returns no bytes (recv gives b"" once the peer has closed). If this starts failing,
    # python-escpos changed: revisit the callers that trust paper_status().
    printer = Dummy()
    monkeypatch.setattr(printer, "_read", lambda: b"")
    assert printer.paper_status() == 2
    assert printer.is_online() is False


def test_disconnect_mid_job(printer: FakePrinter) -> None:
    printer.disconnect_after_bytes = 1000
    job = bytes(range(256)).replace(b"\x10", b"\x11") * 4096  # 1 MiB, no DLE
    sock = connect(printer)
    with pytest.raises((ConnectionResetError, BrokenPipeError)):
        for start in range(0, len(job), 4096):
            sock.sendall(job[start : start + 4096])
        sock.recv(16)
    sock.close()
    assert printer.wait_for_bytes(1000) == job[:1000]
    assert printer.disconnect_after_bytes is None  # once only
    with connect(printer) as again:
        again.sendall(JOB)
    assert printer.wait_for_bytes(1000 + len(JOB)) == job[:1000] + JOB


def timed_job(fake: FakePrinter, size: int) -> float:
    """Seconds from sending ``size`` bytes and a status query to the status answer."""
    start = time.perf_counter()
    with connect(fake) as sock:
        sock.sendall(b"x" * size + b"\x10\x04\x01")
        assert sock.recv(16) == b"\x12"
    return time.perf_counter() - start


def test_slow_link_is_measurably_slower(printer: FakePrinter) -> None:
    timed_job(printer, 10 * 1024)
    printer.delay_per_kb = 0.02
    slow = timed_job(printer, 10 * 1024)
    # 10 KB at 0.02 s each (a lower bound: a busy machine only makes it slower; 10 KB over
    # loopback without the delay take milliseconds).
    assert slow >= 0.2 - 0.01
    assert len(printer.received()) == 20 * 1024


def test_refuse_connections(printer: FakePrinter) -> None:
    printer.refuse_connections = True
    with pytest.raises(ConnectionRefusedError):
        connect(printer)
    with pytest.raises(DeviceNotFoundError):
        Network(printer.host, printer.port, timeout=2).open()
    printer.refuse_connections = False
    with connect(printer) as sock:
        sock.sendall(JOB)
    assert printer.wait_for_bytes(len(JOB)) == JOB


def test_stop_closes_the_port() -> None:
    fake = FakePrinter().start()
    address = fake.address
    fake.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=1)


def test_a_streaming_printer_talks_until_the_client_closes(printer: FakePrinter) -> None:
    printer.stream = b"\x00"
    with connect(printer) as sock:
        got = b""
        while len(got) < 100_000:
            got += sock.recv(65536)
        assert set(got) == {0}
        sock.sendall(JOB)  # it still takes jobs meanwhile
        assert printer.wait_for_bytes(len(JOB)) == JOB
    with connect(printer) as again:  # the stream ended with the connection: the next is served
        again.sendall(b"next\n")
        assert printer.wait_for_bytes(len(JOB) + 5).endswith(b"next\n")


def test_a_streaming_peer_answers_no_status_query(printer: FakePrinter) -> None:
    """Its stream is all that comes back: a status answer among the zeros would let a test of
    "zeros are no status" pass or fail by which thread the machine ran first."""
    printer.stream = b"\x00"
    with connect(printer) as sock:
        sock.sendall(b"\x10\x04\x01" + JOB)
        printer.wait_for_bytes(len(JOB))  # read after the query: the query was handled
    assert printer.status_queries == [1] and printer.answered == []
    printer.stream = b""
    with connect(printer) as sock:  # the same query to a printer that answers
        sock.sendall(b"\x10\x04\x01")
        assert sock.recv(1) == bytes([printer.status_byte(1)])
    assert printer.answered == [1]


def test_status_reply_replaces_the_status_byte(printer: FakePrinter) -> None:
    printer.status_reply = b"\x00"
    with connect(printer) as sock:
        sock.sendall(b"\x10\x04\x01")
        assert sock.recv(16) == b"\x00"
    assert printer.status_queries == [1]


def test_late_answers_come_late_and_in_order(printer: FakePrinter) -> None:
    printer.cover_open = True
    printer.answer_delay, printer.late_answers = 0.5, 1
    with connect(printer, timeout=WAIT_S) as sock:
        start = time.monotonic()
        sock.sendall(b"\x10\x04\x01\x10\x04\x02")
        got = b""
        while len(got) < 2:
            got += sock.recv(16)
        assert time.monotonic() - start >= 0.5 - 0.01
        assert got == b"\x1a\x16"  # the answer to 1, then to 2
        # Only the first answer was late: were the next one late too, this delay would hold it
        # past the socket's timeout (a time bound on the answer would fail on a busy machine).
        printer.answer_delay = WAIT_S * 2
        sock.sendall(b"\x10\x04\x04")
        assert sock.recv(16) == b"\x12"
    assert printer.late_answers == 0


def test_paper_runs_out_after_some_bytes(printer: FakePrinter) -> None:
    printer.paper_out_after_bytes = 4
    with connect(printer) as sock:
        sock.sendall(b"abcdefgh\x10\x04\x04")
        assert sock.recv(16) == b"\x72"  # paper out
    assert printer.received() == b"abcdefgh" and printer.printed() == b"abcd"
    assert printer.paper == "out" and printer.paper_out_after_bytes is None


def test_the_printer_goes_offline_after_some_bytes(printer: FakePrinter) -> None:
    printer.offline_after_bytes = 3
    printer.paper_out_after_bytes = 6
    with connect(printer) as sock:
        sock.sendall(b"ab")
        printer.wait_for_bytes(2)
        sock.sendall(b"cdefgh\x10\x04\x01")
        assert sock.recv(16) == b"\x1a"  # offline
    assert printer.received() == b"abcdefgh" and printer.printed() == b"abc"
    assert (printer.online, printer.paper) == (False, "out")
    assert printer.offline_after_bytes is None and printer.paper_out_after_bytes is None
