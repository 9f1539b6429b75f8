"""Announcements (公告), notification templates per event, and each person's contact preferences.

DOMAIN.md §6 (announcements and owner messaging) and §2 (telling the owner where a request
stands). The messages themselves live in the outbox (`core.OutboxMessage`); this app decides
what they say (templates), to whom (announcement audiences) and how (preferences, quiet hours).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.secrets import EncryptedTextField


class NotificationTemplate(models.Model):
    """The words of one event's message on one channel; a community row overrides the default.

    Bodies use `{variable}` placeholders from the event's whitelist (`notices.events`); they are
    rendered with a restricted formatter, never as Django templates.
    """

    class Channel(models.TextChoices):
        ANY = "any", _("Every channel")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In-app")

    community = models.ForeignKey(
        "estates.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Empty: the default for every community."),
    )
    event = models.CharField(_("event"), max_length=40)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ANY
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["event", "channel", "community_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "event", "channel"], name="notice_template_unique"
            ),
            models.UniqueConstraint(
                fields=["event", "channel"],
                condition=models.Q(community__isnull=True),
                name="notice_template_default_unique",
            ),
        ]
        indexes = [models.Index(fields=["community", "event"], name="notice_template_event")]
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")

    def __str__(self) -> str:
        return f"{self.event} / {self.channel}"


class ContactPreference(models.Model):
    """How a person with a portal account wants to be reached, and when not to be disturbed.

    No row means the defaults below. The in-app inbox cannot be turned off: it is the record of
    every message and the fall-back when the other channels are off (README: the fall-back rule).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference"
    )
    sms_enabled = models.BooleanField(_("SMS"), default=True)
    # Its own switch since WeChat messages went out (before, WeChat followed the SMS switch;
    # migration 0005 copied each saved SMS choice here, so nobody's behaviour changed).
    wechat_enabled = models.BooleanField(_("WeChat"), default=True)
    email_enabled = models.BooleanField(_("email"), default=False)
    email = models.EmailField(_("email address"), max_length=200, blank=True)
    quiet_hours_enabled = models.BooleanField(_("do not disturb at night"), default=True)
    quiet_start = models.TimeField(_("quiet from"), default=datetime.time(22, 0))
    quiet_end = models.TimeField(_("quiet until"), default=datetime.time(8, 0))
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return str(self.user)


class Announcement(models.Model):
    """A notice to a community or some of its buildings (公告): drafted, scheduled, published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    buildings = models.ManyToManyField(
        "estates.Building",
        blank=True,
        related_name="+",
        verbose_name=_("buildings"),
        help_text=_("None chosen: the whole community."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    urgent = models.BooleanField(
        _("emergency"),
        default=False,
        help_text=_("Emergencies are sent at once, even at night and on channels turned off."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("people notified"), default=0)
    # Set by the worker once every message is in the outbox; empty while a published
    # announcement waits for it (publishing never computes the audience in the request).
    delivered_at = models.DateTimeField(_("messages queued at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status", "-published_at"], name="announcement_feed"),
            models.Index(fields=["status", "publish_at"], name="announcement_due"),
        ]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.title

    @property
    def messages_queuing(self) -> bool:
        """Published, and the worker has not yet queued the messages to its audience."""
        return self.status == self.Status.PUBLISHED and self.delivered_at is None


class AnnouncementRead(models.Model):
    """One person has opened one announcement."""

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "announcement"], name="announcement_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.announcement_id}"


class InboxRead(models.Model):
    """One person has opened one message of their in-app inbox (an in_app outbox row)."""

    message = models.ForeignKey("core.OutboxMessage", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "message"], name="inbox_read_once")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.message_id}"


class WechatAccount(models.Model):
    """A company's WeChat service account (微信服务号): where template messages come from and
    whose web sign-in (OAuth, snsapi_base) gives each owner's openid. The app secret is stored
    encrypted (`core.secrets`) and never shown again once saved."""

    company = models.OneToOneField(
        "estates.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    app_id = models.CharField(_("AppID"), max_length=32)
    app_secret = EncryptedTextField(_("AppSecret"), blank=True)
    api_base = models.URLField(
        _("API address"), max_length=200, default="https://api.weixin.qq.com"
    )
    oauth_base = models.URLField(
        _("sign-in address"), max_length=200, default="https://open.weixin.qq.com"
    )
    portal_url = models.URLField(
        _("portal address"),
        max_length=200,
        blank=True,
        help_text=_("The owner portal's public address (https://…/m/): messages link to it."),
    )
    enabled = models.BooleanField(_("in use"), default=True)
    last_check_ok = models.BooleanField(_("last check passed"), null=True, blank=True)
    last_check_error = models.CharField(_("last check"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["app_id"], name="wechat_account_app_id")]
        verbose_name = _("WeChat service account")
        verbose_name_plural = _("WeChat service accounts")

    def __str__(self) -> str:
        return self.app_id


class WechatTemplate(models.Model):
    """Which WeChat template carries one event's message, and which event variable fills each
    of its keywords (`fields`: [[keyword, variable], …], e.g. [["thing1", "community"]])."""

    account = models.ForeignKey(WechatAccount, on_delete=models.CASCADE, related_name="templates")
    event = models.CharField(_("event"), max_length=40)
    template_id = models.CharField(_("template ID"), max_length=64)
    fields = models.JSONField(_("keywords"), default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "event"], name="wechat_template_event")
        ]
        verbose_name = _("WeChat template")
        verbose_name_plural = _("WeChat templates")

    def __str__(self) -> str:
        return f"{self.event} → {self.template_id}"


class WechatLink(models.Model):
    """An owner account's openid under a service account, linked by the owner through WeChat's
    sign-in on the portal (never typed in by anyone). One openid per account and app; one
    account per openid and app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_links"
    )
    app_id = models.CharField(_("AppID"), max_length=32)
    openid = models.CharField(_("openid"), max_length=64)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "app_id"], name="wechat_link_user_app"),
            models.UniqueConstraint(fields=["app_id", "openid"], name="wechat_link_openid"),
        ]
        verbose_name = _("WeChat link")
        verbose_name_plural = _("WeChat links")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.app_id}"


class SmsGateway(models.Model):
    """A company's SMS provider account (Aliyun or Tencent Cloud). The AccessKey / SecretId and
    its secret are stored encrypted (`core.secrets`) and never shown again once saved."""

    class Provider(models.TextChoices):
        ALIYUN = "aliyun", _("Aliyun SMS")
        TENCENT = "tencent", _("Tencent Cloud SMS")

    company = models.OneToOneField(
        "estates.Company", on_delete=models.PROTECT, related_name="+", verbose_name=_("company")
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    access_key_id = EncryptedTextField(_("AccessKey ID / SecretId"), blank=True)
    access_key_secret = EncryptedTextField(_("AccessKey secret / SecretKey"), blank=True)
    sign_name = models.CharField(_("signature"), max_length=40)
    sdk_app_id = models.CharField(_("SDK AppID (Tencent)"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=30, blank=True)
    endpoint = models.CharField(
        _("API host"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the provider's public address."),
    )
    use_tls = models.BooleanField(_("HTTPS"), default=True)
    receipt_token = EncryptedTextField(_("receipt address key"), blank=True)
    per_minute = models.PositiveSmallIntegerField(_("per number per minute"), default=1)
    per_hour = models.PositiveSmallIntegerField(_("per number per hour"), default=5)
    per_day = models.PositiveSmallIntegerField(_("per number per day"), default=10)
    enabled = models.BooleanField(_("in use"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS gateway")
        verbose_name_plural = _("SMS gateways")

    def __str__(self) -> str:
        return self.get_provider_display()


class SmsTemplate(models.Model):
    """The provider's approved template for one message kind (outbox event; `*` for every kind
    without its own), and which event variable fills each template parameter (`params`:
    [[parameter, variable], …]; for Tencent the parameters are numbered 1, 2, …)."""

    gateway = models.ForeignKey(SmsGateway, on_delete=models.CASCADE, related_name="templates")
    event = models.CharField(_("message kind"), max_length=60)
    template_code = models.CharField(_("template code"), max_length=40)
    params = models.JSONField(_("parameters"), default=list, blank=True)

    class Meta:
        ordering = ["event"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event"], name="sms_template_event")
        ]
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")

    def __str__(self) -> str:
        return f"{self.event} → {self.template_code}"
