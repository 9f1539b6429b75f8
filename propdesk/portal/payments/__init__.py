"""Payment providers of the owner portal: the interface, the registry, and the one in use.

The registry is `PROVIDERS` (built-in adapters) plus the dotted class paths listed in the
setting `PORTAL_PAYMENT_PROVIDER_CLASSES` (a deployment's own adapters). A provider says itself
whether it is usable (`is_available`: its credentials are configured) and whether it moves real
money (`is_sandbox`). `PORTAL_PAYMENT_PROVIDER` names the provider new orders go to; the sandbox
is usable only while `PORTAL_PAYMENT_SANDBOX` is on, which the settings refuse with `DEBUG=0`.

Everything that offers, starts or confirms a payment asks here (`available_providers`,
`current_provider`, `provider_named`), so a provider that is not available is neither shown to
owners nor accepted on the callback path; the deployment check (portal.checks) asks
`real_provider_configured`. WeChat Pay and Alipay are available per company: a company whose
credentials (payments.credentials) are stored and valid; owners see the providers of the
company their house belongs to.
"""

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.portal.payments.alipay import AlipayProvider
from propdesk.portal.payments.base import (
    CallbackData,
    CallbackRejected,
    PaymentProvider,
    ProviderError,
    ProviderOrder,
)
from propdesk.portal.payments.sandbox import SandboxProvider
from propdesk.portal.payments.wechat import WeChatPayProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    "sandbox": SandboxProvider,
    "wechat": WeChatPayProvider,
    "alipay": AlipayProvider,
}

__all__ = [
    "PROVIDERS",
    "CallbackData",
    "CallbackRejected",
    "PaymentProvider",
    "PaymentsUnavailable",
    "ProviderError",
    "ProviderOrder",
    "available_providers",
    "current_provider",
    "online_payment_available",
    "provider_named",
    "real_provider_configured",
    "registry",
]


class PaymentsUnavailable(AppError):
    """No usable payment provider: online payment is switched off on this site."""

    status = 409
    default_code = "payments_unavailable"


def registry() -> dict[str, type[PaymentProvider]]:
    """Every known provider class by name: the built-in ones and the configured extra ones."""
    known = dict(PROVIDERS)
    for path in getattr(settings, "PORTAL_PAYMENT_PROVIDER_CLASSES", []) or []:
        provider_class = import_string(path)
        known[provider_class.name] = provider_class
    return known


def _usable(provider: PaymentProvider) -> bool:
    from django.db import DatabaseError

    if provider.is_sandbox and not getattr(settings, "PORTAL_PAYMENT_SANDBOX", False):
        return False
    try:
        return provider.is_available()
    except DatabaseError:  # credentials are read from tables a fresh install has not made yet
        return False


def provider_named(name: str, company_id: int | None = None) -> PaymentProvider | None:
    """The provider of that name if it is usable on this site (for that company), else None.

    Without a company: usable for some company (the callback path, which learns the company
    from the notification itself)."""
    provider_class = registry().get(str(name or ""))
    if provider_class is None:
        return None
    provider = provider_class(company_id=company_id)
    return provider if _usable(provider) else None


def available_providers(company_id: int | None = None) -> list[PaymentProvider]:
    """The providers owners of that company may pay with; the site's default first."""
    found = [p for p in (cls(company_id=company_id) for cls in registry().values()) if _usable(p)]
    default = getattr(settings, "PORTAL_PAYMENT_PROVIDER", "") or ""
    return sorted(found, key=lambda p: p.name != default)


def current_provider(company_id: int | None = None, name: str = "") -> PaymentProvider:
    """The provider a new order goes to: the one named if usable, else the site's default
    (`PORTAL_PAYMENT_PROVIDER`) if usable, else the first usable one; PaymentsUnavailable when
    none is."""
    if name:
        provider = provider_named(name, company_id)
        if provider is not None:
            return provider
        raise PaymentsUnavailable(
            _("This way of paying is not available. Choose another."), field="provider"
        )
    usable = available_providers(company_id)
    if not usable:
        raise PaymentsUnavailable(
            _("Online payment is not available. Pay at the property office."), field="house"
        )
    return usable[0]


def online_payment_available(company_id: int | None = None) -> bool:
    """Whether owners (of that company) are offered "Pay online"."""
    return bool(available_providers(company_id))


def real_provider_configured() -> bool:
    """Does some provider that moves real money have its credentials in place?"""
    return any(not p.is_sandbox for p in available_providers())
