"""Loopback HTTP servers for the ops tests: a file server with scripted faults, and a webhook
receiver. Both bind 127.0.0.1 on a free port; nothing reaches the internet."""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultServer:
    """Serves `files` (url path -> bytes). `plan` is a list of faults used one per request (the
    last one repeats): "ok", 500, 503, ("hang", seconds), "truncate", "html",
    ("body", bytes). ETag / Last-Modified are sent with every file and honoured: a matching
    If-None-Match or If-Modified-Since gets 304."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.plan: list = ["ok"]
        self.requests: list[dict] = []
        self.etag = '"v1"'
        self.last_modified = "Wed, 01 Jul 2026 00:00:00 GMT"
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle(self):
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout, a size limit): expected here

            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                fault = server.plan.pop(0) if len(server.plan) > 1 else server.plan[0]
                body = server.files.get(self.path.split("?")[0], b"")
                try:
                    self._answer(fault, body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _answer(self, fault, body):
                if isinstance(fault, int):
                    return self._send(fault, b"server error")
                if isinstance(fault, tuple) and fault[0] == "hang":
                    time.sleep(fault[1])
                    return self._send(200, body)
                if isinstance(fault, tuple) and fault[0] == "body":
                    return self._send(200, fault[1])
                if fault == "html":
                    return self._send(200, b"<!DOCTYPE html><html><body><h1>Service temporarily "
                                           b"unavailable</h1></body></html>", "text/html")
                if fault == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                if self.headers.get("If-None-Match") == server.etag or \
                        self.headers.get("If-Modified-Since") == server.last_modified:
                    self.send_response(304)
                    self.send_header("ETag", server.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self._send(200, body)

            def _send(self, status, body, content_type="application/octet-stream"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if status == 200:
                    self.send_header("ETag", server.etag)
                    self.send_header("Last-Modified", server.last_modified)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}{path}"


class Receiver:
    """A webhook receiver: keeps every JSON body POSTed to it; `delay` makes it slow."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.bodies: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                data = self.rfile.read(length)
                time.sleep(delay)
                receiver.bodies.append(json.loads(data))
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}/hook"


@contextmanager
def serving(server):
    """Run a FaultServer or Receiver in a thread for the duration of the block."""
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def closed_port_url(path: str = "/") -> str:
    """A loopback URL nobody listens on (connection refused at once)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"
