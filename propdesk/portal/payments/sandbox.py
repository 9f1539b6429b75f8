"""The sandbox provider: for the demo and the tests, no money moves.

It is usable only while the setting `PORTAL_PAYMENT_SANDBOX` is on, and the settings refuse that
with `DEBUG=0`: a production site can never take "payments" through it.

Its pay page (/m/pay/sandbox/<order>/) shows the amount; "Pay" builds the callback the way a
real provider would — a JSON body signed with HMAC-SHA256 over timestamp, nonce and body with a
shared secret — and posts it through the same callback path a real provider uses.
"""

import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.portal import error_codes
from propdesk.portal.payments.base import (
    CallbackData,
    CallbackRejected,
    PaymentProvider,
    ProviderOrder,
)

SIGNATURE_HEADER = "X-Sandbox-Signature"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
NONCE_HEADER = "X-Sandbox-Nonce"


def sandbox_secret() -> bytes:
    configured = getattr(settings, "PORTAL_SANDBOX_PAY_SECRET", "")
    if configured:
        return str(configured).encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"portal-sandbox-pay", hashlib.sha256).digest()


def sign(timestamp: str, nonce: str, body: bytes) -> str:
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body
    return hmac.new(sandbox_secret(), message, hashlib.sha256).hexdigest()


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    is_sandbox = True
    payment_method = "other"

    @property
    def label(self) -> str:
        return _("Sandbox (no money moves)")

    def create_order(
        self,
        *,
        order_number: str,
        amount_fen: int,
        description: str,
        expires_at=None,
        **_context,
    ) -> ProviderOrder:
        url = reverse("portal:sandbox_pay", args=[order_number])
        return ProviderOrder(pay_url=url, provider_reference=f"SBX-{order_number}")

    def signed_callback(
        self,
        *,
        order_number: str,
        amount_fen: int,
        transaction_id: str | None = None,
        paid: bool = True,
        timestamp: int | None = None,
        nonce: str | None = None,
    ) -> tuple[dict, bytes]:
        """Headers and body of the callback the sandbox sends (tests build bad ones from it)."""
        body = json.dumps(
            {
                "order": order_number,
                "transaction_id": transaction_id or f"SBX{secrets.token_hex(8).upper()}",
                "amount_fen": amount_fen,
                "status": "SUCCESS" if paid else "FAILED",
            },
            separators=(",", ":"),
        ).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(12)
        headers = {
            TIMESTAMP_HEADER: stamp,
            NONCE_HEADER: nonce,
            SIGNATURE_HEADER: sign(stamp, nonce, body),
        }
        return headers, body

    def verify_callback(self, headers, body: bytes) -> CallbackData:
        stamp = str(headers.get(TIMESTAMP_HEADER, ""))
        nonce = str(headers.get(NONCE_HEADER, ""))
        signature = str(headers.get(SIGNATURE_HEADER, ""))
        if not (stamp.isdigit() and 8 <= len(nonce) <= 64 and signature):
            raise CallbackRejected(_("The callback is not signed."), code=error_codes.UNSIGNED)
        if not hmac.compare_digest(sign(stamp, nonce, body), signature):
            raise CallbackRejected(
                _("The callback's signature is wrong."), code=error_codes.BAD_SIGNATURE
            )
        try:
            data = json.loads(body)
            amount = data["amount_fen"]
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise TypeError
            parsed = CallbackData(
                order_number=str(data["order"])[:40],
                transaction_id=str(data["transaction_id"])[:64],
                amount_fen=amount,
                paid=data.get("status") == "SUCCESS",
                nonce=nonce,
                timestamp=int(stamp),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            ) from exc
        if not parsed.transaction_id:
            raise CallbackRejected(
                _("The callback's body is not readable."), code=error_codes.BAD_BODY
            )
        return parsed
