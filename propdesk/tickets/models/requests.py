"""Service requests (工单) and what hangs off them: timeline, photos, notes, owner costs.

Every row carries `community_id` directly, and every index a queue uses starts with it
(DESIGN.md). `due_at` is the request's next deadline (the earliest running SLA clock, or the
follow-up call once resolved), so each queue is one index range read in deadline order.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Requests without any running deadline sort last in deadline order; a real value (rather than
# NULL) keeps keyset pagination identical on SQLite and PostgreSQL, which order NULLs differently.
NO_DEADLINE = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    PORTAL = "portal", _("Owner portal")
    API = "api", _("API")
    PATROL = "patrol", _("Staff patrol")
    DEVICE = "device", _("Device alert")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_OWNER = "waiting_owner", _("Waiting on owner")
    RESOLVED = "resolved", _("Resolved")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {Status.NEW, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.WAITING_OWNER}
)
AWAITING_FOLLOW_UP = frozenset({Status.RESOLVED, Status.FOLLOW_UP})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


def photo_upload_to(photo: "RequestPhoto", filename: str) -> str:
    suffix = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
    stamp = f"{photo.uploaded_at:%Y%m%d%H%M%S}-{photo.sha256[:12]}"
    extension = suffix.get(photo.content_type, "bin")
    return f"requests/{photo.community_id}/{photo.request_id}/{stamp}.{extension}"


class ServiceRequest(models.Model):
    # Foreign keys whose lookups always come with the community are covered by the composite
    # indexes below; Django's own one-column indexes on them would only slow every insert.
    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    number = models.CharField(_("request number"), max_length=40)
    house = models.ForeignKey(
        "estates.House",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("house"),
        db_index=False,
    )
    building = models.ForeignKey(
        "estates.Building",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("building"),
        help_text=_("The building of the house, or of a common area when no house is concerned."),
        db_index=False,
    )
    location = models.CharField(_("where exactly"), max_length=200, blank=True)
    caller_owner = models.ForeignKey(
        "estates.Owner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("caller (owner)"),
        db_index=False,
    )
    caller_name = models.CharField(_("caller"), max_length=100, blank=True)
    caller_mobile = models.CharField(_("contact number"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.ForeignKey(
        "tickets.RequestKind",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kind"),
        db_index=False,
    )
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
        db_index=False,
    )
    urgency = models.ForeignKey(
        "tickets.Urgency",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("urgency"),
        db_index=False,
    )
    description = models.TextField(_("description"), max_length=2000)
    preferred_visit_at = models.DateTimeField(_("convenient visit time"), null=True, blank=True)
    visit_from = models.DateTimeField(_("visit promised from"), null=True, blank=True)
    visit_until = models.DateTimeField(_("visit promised until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    is_open = models.BooleanField(default=True, editable=False)
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead department"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned to"),
        db_index=False,
    )
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    due_at = models.DateTimeField(_("next deadline"), default=NO_DEADLINE)
    due_soon_at = models.DateTimeField(default=NO_DEADLINE, editable=False)
    promised_at = models.DateTimeField(
        _("promised by"),
        null=True,
        blank=True,
        help_text=_("When the owner was told it would be done: the resolution deadline."),
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalated at %"), default=0, help_text=_("The highest threshold escalated so far.")
    )
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    recurrence_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recurrence of"),
        db_index=False,
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    verified_at = models.DateTimeField(
        _("verified at"),
        null=True,
        blank=True,
        help_text=_("When the desk checked a complaint before passing it on (初步核实)."),
    )
    simple_complaint = models.BooleanField(
        _("simple complaint"),
        default=False,
        help_text=_("Timed by the simple-complaint policy (24 hours by default)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("received at"))
    accepted_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    on_site_at = models.DateTimeField(_("on site at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("last change"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="request_number_unique"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="request_satisfaction_range",
            ),
        ]
        indexes = [
            # Queues: every one is `community IN (…)` + equality filters, in deadline order.
            # due_soon_at and status after the sort key: the due-soon and overdue queues (and
            # their counts) are answered from the index alone, in deadline order.
            models.Index(
                fields=["community", "is_open", "due_at", "id", "due_soon_at", "status"],
                name="req_open_due",
            ),
            models.Index(
                fields=["community", "assignee", "is_open", "due_at", "id"], name="req_assignee_due"
            ),
            models.Index(
                fields=["community", "department", "is_open", "due_at", "id"], name="req_dept_due"
            ),
            models.Index(fields=["community", "status", "due_at", "id"], name="req_status_due"),
            # Newest first: the queue of all requests, read community by community; by month.
            models.Index(fields=["community", "id"], name="req_newest"),
            models.Index(fields=["community", "created_at", "id"], name="req_created"),
            # Caller card, duplicates and recurrence: a house's or a building's recent requests.
            models.Index(fields=["community", "house", "created_at"], name="req_house"),
            models.Index(
                fields=["community", "building", "category", "resolved_at"], name="req_building"
            ),
            models.Index(fields=["community", "resolved_at"], name="req_resolved"),
        ]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        return self.number

    @property
    def has_deadline(self) -> bool:
        return self.due_at < NO_DEADLINE

    def sla_state(self, now: datetime.datetime) -> str:
        """'overdue', 'due_soon', 'on_time', 'paused' or '' (no running deadline)."""
        return sla_state_of(self.status, self.due_at, self.due_soon_at, now)

    def time_left(self, now: datetime.datetime) -> datetime.timedelta | None:
        if not self.has_deadline or self.status in FINAL_STATUSES:
            return None
        return self.due_at - now


def sla_state_of(
    status: str, due_at: datetime.datetime, due_soon_at: datetime.datetime, now: datetime.datetime
) -> str:
    """ServiceRequest.sla_state from the request's values (a queue page reads no objects)."""
    if status == Status.WAITING_OWNER:
        return "paused"
    if due_at >= NO_DEADLINE or status in FINAL_STATUSES:
        return ""
    if now >= due_at:
        return "overdue"
    if now >= due_soon_at:
        return "due_soon"
    return "on_time"


class RequestDepartment(models.Model):
    """A department taking part in a request; the lead one coordinates (no buck-passing)."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="departments", db_index=False
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    is_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "department"], name="request_department_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} ← {self.department_id}"


class EventAction(models.TextChoices):
    CREATED = "created", _("Received")
    CALL_LINKED = "call_linked", _("Caller called again")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    REASSIGNED = "reassigned", _("Reassigned")
    STARTED = "started", _("Work started on site")
    PAUSED = "paused", _("Waiting on the owner")
    RESUMED = "resumed", _("Work resumed")
    RESOLVED = "resolved", _("Resolved")
    FOLLOW_UP_ATTEMPT = "follow_up_attempt", _("Follow-up call not answered")
    FOLLOW_UP = "follow_up", _("Follow-up recorded")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")
    NOTE = "note", _("Work note")
    PHOTO = "photo", _("Photo added")
    COST_PROPOSED = "cost_proposed", _("Cost to the owner proposed")
    COST_DECIDED = "cost_decided", _("Cost answered by the owner")
    ESCALATED = "escalated", _("Escalated to the supervisor")
    SLA_RECORDED = "sla_recorded", _("Time limit met or missed")
    VERIFIED = "verified", _("Complaint verified")
    SOLUTION_PROPOSED = "solution_proposed", _("Solution proposed to the owner")
    SOLUTION_DECIDED = "solution_decided", _("Solution answered by the owner")
    FOLLOW_UP_SENT = "follow_up_sent", _("Follow-up sent by SMS")
    VISIT_PROMISED = "visit_promised", _("Visit window promised")


class RequestEvent(models.Model):
    """One step in a request's timeline: who, when, from what to what, and why (DESIGN.md)."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
        db_index=False,
    )
    action = models.CharField(_("what"), max_length=30, choices=EventAction.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("when"))
    # The owners are still to be told of this step: set in the step's own insert, cleared by the
    # worker when it queues their messages (tickets.services.notify, owner_notices_send).
    owner_notice_pending = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["request", "at", "id"], name="req_event_timeline"),
            models.Index(
                fields=["id"],
                condition=models.Q(owner_notice_pending=True),
                name="req_event_notice_pending",
            ),
        ]
        verbose_name = _("request event")
        verbose_name_plural = _("request timeline")

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class RequestPhoto(models.Model):
    """A photo of the problem or of the finished work; content checked by its magic bytes."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="photos", db_index=False
    )
    event = models.ForeignKey(
        RequestEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    file = models.FileField(_("photo"), upload_to=photo_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["request", "uploaded_at"], name="req_photo")]
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")

    def __str__(self) -> str:
        return self.original_name


class WorkNote(models.Model):
    """What a technician or agent found or did; also shown in the timeline."""

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["request", "created_at"], name="req_note")]
        verbose_name = _("work note")
        verbose_name_plural = _("work notes")

    def __str__(self) -> str:
        return self.text[:40]


class OwnerCost(models.Model):
    """A repair cost that falls on the owner or the shared fund: told to the owner and confirmed
    before the work, itemised after (DOMAIN.md §2)."""

    class Payer(models.TextChoices):
        OWNER = "owner", _("Owner")
        SHARED_FUND = "shared_fund", _("Shared fund (公摊)")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the owner")
        CONFIRMED = "confirmed", _("Confirmed by the owner")
        DECLINED = "declined", _("Declined by the owner")

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="costs")
    item = models.CharField(_("item"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=10, decimal_places=2)
    payer = models.CharField(_("paid by"), max_length=20, choices=Payer.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_via = models.CharField(_("answered by"), max_length=20, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["proposed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="owner_cost_positive")
        ]
        verbose_name = _("owner cost")
        verbose_name_plural = _("owner costs")

    def __str__(self) -> str:
        return f"{self.item} {self.amount}"


class Answer(models.TextChoices):
    """How the owner answered a proposal (a cost, a solution): the same three ways everywhere."""

    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    PORTAL = "portal", _("Owner portal")


class RequestSolution(models.Model):
    """The solution proposed for a complaint and the owner's agreement to it, recorded before
    the work starts (seed 002 二.3 协商解决: 方案在客户同意后立即执行)."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for the owner")
        AGREED = "agreed", _("Agreed by the owner")
        DECLINED = "declined", _("Declined by the owner")

    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="solutions")
    text = models.TextField(_("proposed solution"), max_length=1000)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_via = models.CharField(
        _("answered by"), max_length=20, choices=Answer.choices, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer_note = models.CharField(_("what the owner said"), max_length=300, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("proposed solution")
        verbose_name_plural = _("proposed solutions")

    def __str__(self) -> str:
        return self.text[:40]
