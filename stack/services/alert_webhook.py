"""A small webhook receiver standing in for the pager and the dead man's switch.

The native stack points Alertmanager's ALERT_WEBHOOK_URL at /alerts and WATCHDOG_WEBHOOK_URL
at /watchdog here. Every notification is printed as one JSON line (so `make stack` shows it in
logs/alert-webhook.log) and kept in memory; GET /received returns them all, for the tests.
Run as `python -m stack.services.alert_webhook PORT`.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from stack.process import ManagedProcess

_received: list[dict[str, Any]] = []
_lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except json.JSONDecodeError:
            self.send_error(400, "body is not JSON")
            return
        record = {"path": self.path, "received_at": time.time(), "body": body}
        with _lock:
            _received.append(record)
        print(json.dumps(record), flush=True)
        self._reply(200, b"{}")

    def do_GET(self) -> None:
        if self.path != "/received":
            self.send_error(404)
            return
        with _lock:
            self._reply(200, json.dumps(_received).encode())

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the JSON line printed per notification is the log


class AlertWebhook:
    """This module run as a process on 127.0.0.1:`port`."""

    name = "alert-webhook"

    def __init__(self, port: int, log_dir: Path, repo_root: Path) -> None:
        self.port, self.log_dir, self.repo_root = port, log_dir, repo_root
        self.url = f"http://127.0.0.1:{port}"
        self.process: ManagedProcess | None = None

    def start(self) -> None:
        self.process = ManagedProcess(
            self.name,
            [sys.executable, "-m", "stack.services.alert_webhook", str(self.port)],
            self.log_dir / "alert-webhook.log",
            cwd=self.repo_root,
        ).start()
        self.process.wait_http(f"{self.url}/received")

    def received(self) -> list[dict[str, Any]]:
        """Every notification so far: `path` (/alerts or /watchdog) and Alertmanager's `body`."""
        answer = httpx.get(f"{self.url}/received", timeout=5)
        answer.raise_for_status()
        result: list[dict[str, Any]] = answer.json()
        return result

    def stop(self) -> None:
        if self.process:
            self.process.stop()


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), _Handler)
    server.serve_forever()
