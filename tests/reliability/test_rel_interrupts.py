"""Ctrl-C during `blindspot collect`: no half-written snapshot, the old one untouched, exit 130.

tests/collectors/test_collect_cli.py interrupts `collect()` from a swapped-in probe; these interrupt
the real collection: a SIGINT delivered to the process while worker threads are sending
requests (in process, under moto), a KeyboardInterrupt while the snapshot is being written,
and a real SIGINT to a `blindspot collect` process that is blocked on an AWS endpoint that
never answers (slow).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from rel_inject import Call, Injector
from signals import ctrl_c_raises, default_signals

from blindspot.cli import main

ROOT = Path(__file__).resolve().parents[2]
OLD = b'{"old": "snapshot, must survive"}'


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").create_vpc(CidrBlock="10.7.0.0/16")
        yield


def _collect_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("collect")]


def test_sigint_mid_collection_keeps_the_old_snapshot(aws, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "snap.json"
    out.write_bytes(OLD)
    fired = threading.Event()

    def interrupt_on_the_tenth_send(call: Call):
        # Ctrl-C arrives while a worker thread is mid-collection: a real SIGINT to this
        # process, which Python turns into KeyboardInterrupt in the main thread.
        if sum(injector.sends.values()) >= 10 and not fired.is_set():
            fired.set()
            os.kill(os.getpid(), signal.SIGINT)
        return None

    injector = Injector(interrupt_on_the_tenth_send).install(monkeypatch)
    with ctrl_c_raises():
        code = main(["collect", "-o", str(out), "--source", "api", "--workers", "2"])
    err = capsys.readouterr().err
    assert fired.is_set()
    assert code == 130, err
    assert out.read_bytes() == OLD  # the old snapshot is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]  # no temporary file
    last = err.strip().splitlines()[-1]
    assert last.startswith("blindspot: interrupted: nothing written")
    assert "were discarded" in last and "accounts" in last  # says what was lost
    for thread in _collect_threads():  # workers stop at their next step; let them, in moto
        thread.join(timeout=30)
    assert not _collect_threads()


def test_interrupt_while_writing_keeps_the_old_snapshot(aws, tmp_path, capsys, monkeypatch) -> None:
    out = tmp_path / "snap.json.gz"
    out.write_bytes(OLD)

    def interrupted_fsync(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    code = main(["collect", "-o", str(out), "--source", "api", "--no-coverage"])
    err = capsys.readouterr().err
    assert code == 130, err
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json.gz"]
    assert "interrupted" in err.strip().splitlines()[-1]


class HoldingEndpoint:
    """An endpoint that accepts a connection, answers nothing, and hangs up after `hold` s.

    `hit` is set on the first connection: the collection is then blocked mid-way.
    """

    def __init__(self, hold: float) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.hit = threading.Event()
        self.hold = hold
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.hit.set()
            threading.Timer(self.hold, connection.close).start()

    def close(self) -> None:
        self.server.close()


@pytest.mark.slow
@pytest.mark.parametrize("hold", [3, 10])
def test_real_sigint_to_a_collect_process(tmp_path, hold) -> None:
    """SIGINT while a worker waits on an endpoint that answers after `hold` seconds."""
    from moto.server import ThreadedMotoServer

    endpoint = HoldingEndpoint(hold)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        out = tmp_path / "snap.json"
        out.write_bytes(OLD)
        env = {
            **os.environ,
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ENDPOINT_URL_CLOUDTRAIL": endpoint.url,  # the collection blocks here
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_MAX_ATTEMPTS": "1",
            "BLINDSPOT_READ_TIMEOUT": "30",
        }
        env.pop("MOTO_ACCOUNT_ID", None)
        command = [sys.executable, "-m", "blindspot", "collect", "-o", str(out)]
        process = subprocess.Popen(
            [*command, "--source", "api", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=default_signals,
        )
        try:
            assert endpoint.hit.wait(timeout=120), "the collection never reached the endpoint"
            process.send_signal(signal.SIGINT)
            sent = time.monotonic()
            stdout, stderr = process.communicate(timeout=150)
            waited = time.monotonic() - sent
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    finally:
        server.stop()
        endpoint.close()
    text = stderr.decode()
    assert process.returncode == 130, text[-2000:]
    assert "Traceback" not in text
    assert "interrupted: nothing written" in text
    assert stdout == b""
    assert out.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]
    assert waited < 8, f"exited {waited:.0f} s after Ctrl-C (a worker held the process)"
