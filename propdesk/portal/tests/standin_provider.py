"""A stand-in for a real payment provider (WeChat Pay, Alipay) in tests and the production smoke:
configured, not a sandbox. It is never offered by the built-in registry; a site lists it in
PORTAL_PAYMENT_PROVIDER_CLASSES only to prove the deployment check passes with a real provider."""

from propdesk.portal.payments.base import PaymentProvider, ProviderOrder


class StandInProvider(PaymentProvider):
    name = "standin"
    payment_method = "other"

    def create_order(
        self, *, order_number: str, amount_fen: int, description: str, expires_at=None, **_context
    ) -> ProviderOrder:
        return ProviderOrder(pay_url=f"https://pay.example.com/{order_number}")


class UnconfiguredProvider(StandInProvider):
    """A real provider whose credentials are missing."""

    name = "unconfigured"

    def is_available(self) -> bool:
        return False
