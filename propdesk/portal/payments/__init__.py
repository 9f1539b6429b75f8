"""Payment providers of the owner portal: the interface, the sandbox, and the one in use.

`PORTAL_PAYMENT_PROVIDER` (setting, default "sandbox") names the provider new orders go to;
real WeChat Pay and Alipay adapters register here the same way.
"""

from django.conf import settings

from propdesk.portal.payments.base import (
    CallbackData,
    CallbackRejected,
    PaymentProvider,
    ProviderOrder,
)
from propdesk.portal.payments.sandbox import SandboxProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {"sandbox": SandboxProvider}

__all__ = [
    "PROVIDERS",
    "CallbackData",
    "CallbackRejected",
    "PaymentProvider",
    "ProviderOrder",
    "current_provider",
    "provider_named",
]


def provider_named(name: str) -> PaymentProvider | None:
    provider_class = PROVIDERS.get(str(name or ""))
    return provider_class() if provider_class else None


def current_provider() -> PaymentProvider:
    name = getattr(settings, "PORTAL_PAYMENT_PROVIDER", "sandbox")
    provider = provider_named(name)
    if provider is None:
        raise LookupError(f"unknown PORTAL_PAYMENT_PROVIDER {name!r}")
    return provider
