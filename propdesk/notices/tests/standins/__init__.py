"""Loopback stand-ins for the message providers, written from their published documentation.

Each one checks what the product sends the way the provider does (signatures, credentials,
required fields), answers success and each documented error class, throttles per number, and can
send delivery receipts (also duplicated or forged ones). Tests start them on 127.0.0.1; the port
is free one from `PROPDESK_STANDIN_PORTS` (e.g. 8150-8159) when set, any free one otherwise.
"""

import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def _ports():
    spec = os.environ.get("PROPDESK_STANDIN_PORTS", "")
    if not spec:
        return [0]
    low, _, high = spec.partition("-")
    return list(range(int(low), int(high or low) + 1))


class StandIn:
    """A provider's side: subclasses implement `handle(method, path, query, headers, body)`
    returning (status, headers, body bytes)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.server = None
        self.thread = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with standin.lock:
                    standin.requests.append(
                        {
                            "method": self.command,
                            "path": parsed.path,
                            "query": query,
                            "headers": headers,
                            "body": body,
                        }
                    )
                status, out_headers, out = standin.handle(
                    self.command, parsed.path, query, headers, body
                )
                self.send_response(status)
                for key, value in out_headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(out)))
                # One request a connection: a client's pooled connection never reaches a
                # stand-in of an earlier test through its still-running handler thread.
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # quiet
                pass

        last_error = None
        for port in _ports():
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError as exc:
                last_error = exc
        else:
            raise last_error
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    content_type = "application/json; charset=utf-8"

    def json(self, status: int, document) -> tuple[int, dict, bytes]:
        return (
            status,
            {"Content-Type": self.content_type},
            json.dumps(document, ensure_ascii=False).encode(),
        )

    def handle(self, method, path, query, headers, body):  # pragma: no cover - overridden
        return self.json(404, {})
