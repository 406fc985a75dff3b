"""A canned ARM endpoint on loopback for the client benchmarks, run in its own process.

It serves an instance view, and an assessPatches operation that is accepted
(202 with Azure-AsyncOperation, Location and Retry-After: 0), reports
Succeeded on the first poll, and returns its result from Location. Its own
CPU time is not the clients': that is why it runs in another process.
Prints the port, then serves until stdin closes.
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "tests/wire/azure-rest-examples"


def _body(name: str) -> bytes:
    example = json.loads((EXAMPLES / name).read_text())
    return json.dumps(example["responses"]["200"]["body"]).encode()


INSTANCE_VIEW = _body("2026-03-01/VirtualMachine_Get_InstanceView.json")
ASSESSMENT = _body("2026-03-01/VirtualMachine_AssessPatches.json")
SUCCEEDED = json.dumps({"name": "op", "status": "Succeeded"}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response and no Nagle delay, or every call waits 40 ms for an ACK.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-ms-request-id", "bench")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.endswith("/instanceView"):
            self._send(200, INSTANCE_VIEW)
        elif path.endswith("/operations/op/result"):
            self._send(200, ASSESSMENT)
        elif path.endswith("/operations/op"):
            self._send(200, SUCCEEDED)
        else:
            self._send(404, b'{"error": {"code": "NotFound", "message": "no route"}}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        operation = f"{base}/subscriptions/s/providers/Microsoft.Compute/locations/l/operations/op"
        self._send(
            202,
            headers={
                "Azure-AsyncOperation": f"{operation}?api-version=2025-11-01",
                "Location": f"{operation}/result?api-version=2025-11-01",
                "Retry-After": "0",
            },
        )


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # serve until the benchmark closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
