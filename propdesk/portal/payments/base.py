"""The payment-provider interface: what the portal needs from WeChat Pay, Alipay or the sandbox.

A provider creates a payment order (returning where the owner goes to pay) and verifies the
provider's callback: signature, freshness and the data it confirms. The portal's payment service
(portal.services.payments) does the rest — replay and amount checks, idempotency on the
provider's transaction id, and turning the money into a normal payment with a receipt.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.portal import error_codes
from propdesk.portal.payments import credentials


class CallbackRejected(AppError):
    """The callback cannot be trusted or does not match the order: answer 400, change nothing."""

    status = 400
    default_code = "callback_rejected"


class ProviderError(AppError):
    """The provider refused a request or could not be reached: nothing was recorded here."""

    status = 502
    default_code = "provider_error"


@dataclass(frozen=True)
class ProviderOrder:
    """What the provider answered to an order: where the owner pays, and its own reference.

    `pay_code` is what the pay page shows (WeChat Pay Native's code_url as a QR code);
    `channel` how the owner pays there (native, h5, jsapi, page, wap)."""

    pay_url: str
    provider_reference: str = ""
    pay_code: str = ""
    channel: str = ""


@dataclass(frozen=True)
class ProviderTrade:
    """An order as the provider knows it (a query's answer or a statement line)."""

    order_number: str
    transaction_id: str
    amount_fen: int
    paid: bool
    state: str = ""
    refunded_fen: int = 0


@dataclass(frozen=True)
class RefundResult:
    """The provider's answer to a refund (or its refund notification)."""

    refund_number: str
    provider_refund_id: str
    status: str  # "succeeded", "pending" or "failed"
    amount_fen: int = 0


@dataclass(frozen=True)
class CallbackData:
    """A verified callback: which order, the provider's transaction, the amount, success."""

    order_number: str
    transaction_id: str
    amount_fen: int
    paid: bool
    nonce: str
    timestamp: int
    # The company whose merchant account the notification was signed for (None: the sandbox).
    company_id: int | None = None
    # Set for a refund notification instead of a payment's.
    refund: RefundResult | None = None


class PaymentProvider:
    """Base class of a payment provider adapter."""

    name: str = ""
    # True for a provider that moves no money (the sandbox): never usable in production.
    is_sandbox: bool = False
    # The billing payment method an online payment through this provider is recorded as.
    payment_method: str = "other"
    # How old a callback may be before it is refused as a replay (seconds).
    max_callback_age: int = 300
    # The ways an owner can pay through it (the first is the default).
    channels: tuple[str, ...] = ()
    # Whether the provider can be asked for an order's state, refunds and a daily statement.
    can_query: bool = False

    def __init__(self, company_id: int | None = None):
        # The company whose merchant account is used; None asks "is any company set up?".
        self.company_id = company_id

    @property
    def label(self) -> str:
        return self.name

    def is_available(self) -> bool:
        """Whether this provider can take payments here (its credentials are configured)."""
        return True

    def create_order(
        self,
        *,
        order_number: str,
        amount_fen: int,
        description: str,
        expires_at=None,
        channel: str = "",
        client_ip: str = "",
        openid: str = "",
        return_url: str = "",
    ) -> ProviderOrder:
        """Ask the provider for a payment; it must refuse to take it after `expires_at`."""
        raise NotImplementedError

    def query_order(self, *, order_number: str) -> ProviderTrade | None:
        """The provider's own view of an order (None when it does not know it)."""
        raise NotImplementedError

    def close_order(self, *, order_number: str) -> None:
        """Tell the provider an order is no longer to be paid."""
        raise NotImplementedError

    def refund(
        self,
        *,
        order_number: str,
        refund_number: str,
        amount_fen: int,
        total_fen: int,
        reason: str,
    ) -> RefundResult:
        """Ask for part or all of a paid order back; the same refund_number is the same refund."""
        raise NotImplementedError

    def refund_query(self, *, refund_number: str) -> RefundResult | None:
        """What became of a refund (None: the provider does not know it, or cannot be asked)."""
        return None

    def statement(self, *, day) -> list[ProviderTrade]:
        """The successful payments of `day` (Asia/Shanghai) in the provider's statement."""
        raise NotImplementedError

    def verify_callback(self, headers, body: bytes) -> CallbackData:
        """Check the signature and parse the body; raise CallbackRejected when it fails."""
        raise NotImplementedError

    def callback_answer(self, ok: bool) -> tuple[int, str, str]:
        """(status, content type, body) the provider expects in reply."""
        return (200, "text/plain", "success") if ok else (400, "text/plain", "fail")


class MerchantProvider(PaymentProvider):
    """A real provider: it pays into a company's merchant account, whose credentials an
    administrator entered (stored sealed, read back here only to sign and verify)."""

    def _values(self) -> dict:
        """The company's credentials for this provider; a clear error when there are none."""
        values = credentials.load(self.name, self.company_id) if self.company_id else None
        if values is None:
            raise ProviderError(
                _("%(provider)s is not configured for this company.") % {"provider": self.label},
                code=error_codes.PROVIDER_NOT_CONFIGURED,
            )
        return values

    def is_available(self) -> bool:
        if self.company_id is None:
            return bool(credentials.configured_companies(self.name))
        return credentials.load(self.name, self.company_id) is not None

    def notify_url(self) -> str:
        """Where the provider sends its payment and refund notifications."""
        return f"{settings.PORTAL_PUBLIC_BASE_URL}/api/portal/payments/callback/{self.name}"
