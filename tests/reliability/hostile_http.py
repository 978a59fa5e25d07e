"""A real HTTP server on 127.0.0.1 that answers every AWS call badly, for collect to meet.

It answers STS GetCallerIdentity properly (so that `blindspot collect` can start) and every
other request in one of these ways, chosen per server:

* `empty`: HTTP 200 with an empty body;
* `html`: HTTP 200 with a captive portal's HTML page;
* `truncated`: HTTP 200 with a JSON (or XML) body cut in the middle;
* `drip`: HTTP 200 whose body arrives one byte every `drip_seconds`;
* `silent`: accepts the request and never answers.

Used through `AWS_ENDPOINT_URL` (all services) or `AWS_ENDPOINT_URL_<SERVICE>` (one), so
the collector's real clients, parsers and retry handler meet it over a real socket.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator

ACCOUNT = "123456789012"
IDENTITY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    f"<GetCallerIdentityResult><Arn>arn:aws:iam::{ACCOUNT}:user/rel</Arn>"
    f"<UserId>AIDAREL</UserId><Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>rel</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>"
).encode()
BODIES = {
    "empty": b"",
    "html": b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
    b"<body><form>Wi-Fi login</form></body></html>",
    "truncated": b'{"trailList": [{"Name": "org-trail", "S3BucketName": "log',
    "truncated-xml": b"<DescribeFlowLogsResponse><flowLogSet><item><flowLogId>fl-1",
}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(self.requestline)
        if b"GetCallerIdentity" in body or "GetCallerIdentity" in self.path:
            self._send(IDENTITY)
            return
        mode = self.server.mode
        if mode == "silent":
            self.server.stop.wait(self.server.hold_seconds)
            return
        if mode == "drip":
            self._drip()
            return
        payload = BODIES["truncated-xml" if "xml" in self.server.flavour(body) else mode]
        self._send(BODIES[mode] if mode != "truncated" else payload)

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html" if b"<html" in body else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(body)

    def _drip(self) -> None:
        body = b'{"trailList": []}'.ljust(self.server.drip_bytes)  # JSON allows the spaces
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for index in range(len(body)):
            if self.server.stop.wait(self.server.drip_seconds):
                return
            try:
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
            except OSError:
                return  # the client gave up: that is the point

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, mode: str, drip_seconds: float, hold_seconds: float, drip_bytes: int
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode = mode
        self.drip_seconds = drip_seconds
        self.drip_bytes = drip_bytes
        self.hold_seconds = hold_seconds
        self.stop = threading.Event()
        self.requests: list[str] = []

    @staticmethod
    def flavour(body: bytes) -> str:
        """EC2 and the query protocol send form bodies (Action=...) and read XML."""
        return "xml" if body.startswith(b"Action=") else "json"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def hostile_server(
    mode: str, *, drip_seconds: float = 2.0, hold_seconds: float = 120.0, drip_bytes: int = 1000
) -> Iterator[_Server]:
    """A running server in `mode`, stopped (and its held requests released) on exit.

    A dripping answer is complete after `drip_bytes` x `drip_seconds`: without the deadline
    a test then fails (the call succeeds, late) instead of hanging.
    """
    server = _Server(mode, drip_seconds, hold_seconds, drip_bytes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        time.sleep(0)
