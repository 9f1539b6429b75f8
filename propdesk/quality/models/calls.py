"""Hotline calls (来电记录), DOMAIN.md §7 and issue 16: every call is one row, however it came in
(the console's call desk, the telephone system's events, an imported call-detail file).

The outside party's number is stored in full and shown masked; `party_tail` (its last four
digits) is the search key. Every row carries `community_id`, and the indexes the log, the
call-back queue and the figures read start with it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from propdesk.core.masking import mask_mobile


class CallDirection(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallSource(models.TextChoices):
    CONSOLE = "console", _("Call desk")
    PBX = "pbx", _("Telephone system")
    IMPORT = "import", _("Call-detail import")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    TALKING = "talking", _("On the line")
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed call")
    ABANDONED = "abandoned", _("Abandoned")
    VOICEMAIL = "voicemail", _("Voicemail")


# Inbound calls nobody answered: each waits on the call-back queue until someone calls back.
CALLBACK_STATES = (CallState.MISSED, CallState.ABANDONED, CallState.VOICEMAIL)


class CallOutcome(models.TextChoices):
    NONE = "", _("Not recorded")
    ON_THE_SPOT = "on_the_spot", _("Answered on the spot")
    REQUEST_CREATED = "request_created", _("Request recorded")
    REQUEST_LINKED = "request_linked", _("Added to an open request")
    MESSAGE_TAKEN = "message_taken", _("Message taken, callback promised")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    UNREACHABLE = "unreachable", _("Nobody answered the callback")


class HotlineLine(models.Model):
    """A number owners dial; the telephone system names it on every event, and it decides the
    community the call belongs to."""

    number = models.CharField(_("number dialled"), max_length=20, unique=True)
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["community_id", "number"]
        verbose_name = _("hotline line")
        verbose_name_plural = _("hotline lines")

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class AgentExtension(models.Model):
    """The telephone extension an agent answers on: how events name the agent."""

    extension = models.CharField(_("extension"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )

    class Meta:
        ordering = ["extension"]
        verbose_name = _("agent extension")
        verbose_name_plural = _("agent extensions")

    def __str__(self) -> str:
        return self.extension


class CallQuerySet(models.QuerySet):
    def pbx(self, *call_ids: str):
        """The calls of these telephone-system call ids, found through the partial unique index
        `call_pbx_id_unique`: its condition is repeated here, as SQLite uses a partial index only
        for a query that states it (without it, every event would scan every call)."""
        return self.filter(pbx_call_id__in=call_ids).exclude(pbx_call_id="")


class Call(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, default=CallDirection.INBOUND
    )
    source = models.CharField(_("recorded by"), max_length=10, choices=CallSource.choices)
    pbx_call_id = models.CharField(_("telephone system's call id"), max_length=64, blank=True)
    line = models.CharField(_("hotline line"), max_length=20, blank=True)
    party_number = models.CharField(_("phone number"), max_length=20, blank=True)
    party_tail = models.CharField(max_length=4, blank=True, editable=False)
    owner = models.ForeignKey(
        "estates.Owner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    house = models.ForeignKey(
        "estates.House",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("house"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    ring_at = models.DateTimeField(_("ringing from"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("hung up at"), null=True, blank=True)
    hangup_cause = models.CharField(_("hang-up cause"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CallState.choices)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), null=True, blank=True)
    rings = models.PositiveSmallIntegerField(_("rings"), null=True, blank=True)
    # Rings the telephone system counted; otherwise they are counted from the wait.
    rings_reported = models.BooleanField(default=False, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CallOutcome.choices, blank=True, default=""
    )
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("request"),
    )
    note = models.TextField(_("note"), blank=True)
    recording_url = models.URLField(_("recording (link)"), max_length=500, blank=True)
    recording_file = models.FileField(
        _("recording (file)"), upload_to="calls/%Y/%m/", max_length=200, blank=True
    )
    # A callback is an outbound call made for an unanswered inbound one.
    callback_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("calls back"),
    )
    callback_attempts = models.PositiveSmallIntegerField(_("callback attempts"), default=0)
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called back by"),
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-ring_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pbx_call_id"],
                condition=~Q(pbx_call_id=""),
                name="call_pbx_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["community", "ring_at"], name="call_community_ring"),
            models.Index(fields=["community", "party_tail"], name="call_community_tail"),
            models.Index(
                fields=["community", "state", "called_back_at", "ring_at"], name="call_callbacks"
            ),
            models.Index(fields=["agent", "ring_at"], name="call_agent_ring"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        ring_at = timezone.localtime(self.ring_at) if self.ring_at else None
        return f"{self.get_direction_display()} {self.party_masked} {ring_at:%Y-%m-%d %H:%M}"

    @property
    def party_masked(self) -> str:
        return mask_mobile(self.party_number) if self.party_number else "—"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def awaits_callback(self) -> bool:
        return (
            self.direction == CallDirection.INBOUND
            and self.state in CALLBACK_STATES
            and self.called_back_at is None
        )


class PbxEvent(models.Model):
    """One event the telephone system sent, kept once per (call id, event): a replayed event
    finds its row and changes nothing."""

    pbx_call_id = models.CharField(max_length=64)
    event = models.CharField(max_length=10)
    at = models.DateTimeField()
    received_at = models.DateTimeField()
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="+")
    body = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pbx_call_id", "event"], name="pbx_event_once")
        ]
        verbose_name = _("telephone system event")
        verbose_name_plural = _("telephone system events")

    def __str__(self) -> str:
        return f"{self.pbx_call_id} {self.event}"
