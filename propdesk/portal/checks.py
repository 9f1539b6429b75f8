"""Deployment checks (`manage.py check --deploy`) of online payment: no sandbox, a real provider.

The registry answers (portal.payments): a provider says whether it is a sandbox and whether its
credentials are configured, so adapters added later need no change here.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register

from propdesk.portal.payments import real_provider_configured


@register(Tags.security, deploy=True)
def payment_provider_is_real(app_configs=None, **kwargs):
    errors = []
    if getattr(settings, "PORTAL_PAYMENT_SANDBOX", False):
        errors.append(
            Error(
                "The sandbox payment provider is switched on: owners' bills would be marked "
                "paid with no money moved.",
                hint="Unset PORTAL_PAYMENT_SANDBOX (it is for development and tests only).",
                id="propdesk.E010",
            )
        )
    if not real_provider_configured():
        errors.append(
            Error(
                "No real payment provider is configured for owners' online payments.",
                hint=(
                    "Set PORTAL_PAYMENT_PROVIDER to a provider of the registry "
                    "(propdesk.portal.payments) whose credentials are set."
                ),
                id="propdesk.E011",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def payment_credentials_usable(app_configs=None, **kwargs):
    """Every company's stored WeChat Pay and Alipay credentials open and are valid."""
    from django.db import DatabaseError

    from propdesk.portal.payments import credentials

    try:
        problems = credentials.problems()
    except DatabaseError:  # no tables yet (before the first migrate)
        problems = []
    return [
        Error(
            f"The {provider} credentials of company {company_id} cannot be used: {problem}.",
            hint="An administrator enters them again on the payment providers page "
            "(/m/staff/payments/providers/); a lost SECRETS_KEYS key makes them unreadable.",
            id="propdesk.E013",
        )
        for company_id, provider, problem in problems
    ]
