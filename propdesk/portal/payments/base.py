"""The payment-provider interface: what the portal needs from WeChat Pay, Alipay or the sandbox.

A provider creates a payment order (returning where the owner goes to pay) and verifies the
provider's callback: signature, freshness and the data it confirms. The portal's payment service
(portal.services.payments) does the rest — replay and amount checks, idempotency on the
provider's transaction id, and turning the money into a normal payment with a receipt.
"""

from dataclasses import dataclass

from propdesk.core.errors import AppError


class CallbackRejected(AppError):
    """The callback cannot be trusted or does not match the order: answer 400, change nothing."""

    status = 400
    default_code = "callback_rejected"


@dataclass(frozen=True)
class ProviderOrder:
    """What the provider answered to an order: where the owner pays, and its own reference."""

    pay_url: str
    provider_reference: str = ""


@dataclass(frozen=True)
class CallbackData:
    """A verified callback: which order, the provider's transaction, the amount, success."""

    order_number: str
    transaction_id: str
    amount_fen: int
    paid: bool
    nonce: str
    timestamp: int


class PaymentProvider:
    """Base class of a payment provider adapter."""

    name: str = ""
    # The billing payment method an online payment through this provider is recorded as.
    payment_method: str = "other"
    # How old a callback may be before it is refused as a replay (seconds).
    max_callback_age: int = 300

    def create_order(
        self, *, order_number: str, amount_fen: int, description: str, expires_at=None
    ) -> ProviderOrder:
        """Ask the provider for a payment; it must refuse to take it after `expires_at`."""
        raise NotImplementedError

    def verify_callback(self, headers, body: bytes) -> CallbackData:
        """Check the signature and parse the body; raise CallbackRejected when it fails."""
        raise NotImplementedError

    def callback_answer(self, ok: bool) -> tuple[int, str, str]:
        """(status, content type, body) the provider expects in reply."""
        return (200, "text/plain", "success") if ok else (400, "text/plain", "fail")
