"""Loopback stand-ins for the payment providers, written from their published documentation.

They run the provider's side on 127.0.0.1 for the tests and the browser journey: they check the
signatures of what the product sends the way the provider does, answer signed, send signed
notifications (also duplicated, delayed, stale, forged, with a wrong amount or for another
order), serve the daily statements, and answer errors on demand. Never used by a deployment.
"""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def certificate_for(key, *, common_name: str, serial: int, days: int = 365) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )


def certificate_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class StandInServer:
    """A small threaded HTTP server; subclasses answer `handle(method, path, headers, body)`
    with (status, headers, body bytes)."""

    def __init__(self, port: int):
        self.port = port
        self.requests: list[dict] = []
        self.fail_next: list[tuple[int, dict]] = []  # (status, JSON body) answered next
        self._server = None
        self._thread = None
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with stand_in._lock:
                    status, headers, content = stand_in.dispatch(
                        self.command, self.path, self.headers, body
                    )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # quiet
                return

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]  # port 0: the system chose a free one
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def dispatch(self, method, path, headers, body):
        record = {"method": method, "path": path, "body": body, "headers": dict(headers)}
        self.requests.append(record)
        if self.fail_next:
            status, payload = self.fail_next.pop(0)
            return self.answer(status, payload)
        return self.handle(method, path, headers, body, record)

    def answer(self, status: int, payload=None, content_type="application/json"):
        content = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        return status, {"Content-Type": content_type}, content

    def handle(self, method, path, headers, body, record):  # pragma: no cover - abstract
        raise NotImplementedError
