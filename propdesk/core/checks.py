"""Deployment checks (`manage.py check --deploy`): a production site must reach people.

Messages to owners leave by SMS (sign-in codes, fee notices) and by email where an owner chose
it (notification preferences offer it to every owner). A channel whose transport only writes a
log line (`Transport.delivers()` is False) is an error on a production site.
"""

from django.core.checks import Error, Tags, register

from propdesk.core.transports import transport_for
from propdesk.core.transports.sources import provider_source

CHANNEL_HINTS = {
    "sms": (
        "propdesk.E001",
        "sign-in codes and notices",
        "Enter a company's Aliyun or Tencent Cloud SMS account on the message providers page "
        "(/notices/providers/), or set SMS_PROVIDER to a real gateway (e.g. SMS_PROVIDER=http "
        "with an https SMS_HTTP_URL and SMS_HTTP_TOKEN) or OUTBOX_TRANSPORTS['sms'] to a "
        "provider's transport.",
    ),
    "email": (
        "propdesk.E002",
        "notices to owners who chose email",
        "Set EMAIL_BACKEND to a delivering backend (SMTP: EMAIL_HOST, EMAIL_PORT, "
        "EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS).",
    ),
}


@register(Tags.security, deploy=True)
def owner_channels_deliver(app_configs=None, **kwargs):
    errors = []
    for channel, (check_id, what, hint) in CHANNEL_HINTS.items():
        if not transport_for(channel).delivers():
            errors.append(
                Error(
                    f"The {channel} channel has no real provider: {what} would only be "
                    "written to the log or kept on this machine.",
                    hint=hint,
                    id=check_id,
                )
            )
    return errors


PROVIDER_CHECKS = {
    "sms": ("propdesk.E003", "An SMS gateway in use is not set up correctly"),
    "wechat": ("propdesk.E004", "A WeChat service account in use is not set up correctly"),
}


@register(Tags.security, deploy=True)
def provider_settings_valid(app_configs=None, **kwargs):
    """Each provider account administrators entered is complete and readable (a secret that no
    key in SECRETS_KEYS opens, a missing template), as the page /notices/providers/ says."""
    errors = []
    for channel, (check_id, what) in PROVIDER_CHECKS.items():
        source = provider_source(channel)
        if source is None:
            continue
        _working, problems = source.deploy_problems()
        if problems:
            errors.append(
                Error(
                    f"{what}: " + " ".join(problems),
                    hint="Correct it on the message providers page (/notices/providers/).",
                    id=check_id,
                )
            )
    return errors
