"""Community activities (社区活动, seed 003 ch.6; DOMAIN.md §6): festivals, parent-child events,
volunteer clean-ups and owner forums, with the owners' sign-ups on the portal (a house brings up
to a set number of people; past the capacity a sign-up waits its turn), check-in, photos and
the owners' feedback."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    FESTIVAL = "festival", _("Festival")
    PARENT_CHILD = "parent_child", _("Parent-child event")
    VOLUNTEER = "volunteer", _("Volunteer activity")
    FORUM = "forum", _("Owner forum")
    OTHER = "other", _("Other activity")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("Open")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    community = models.ForeignKey(
        "estates.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    signup_opens_at = models.DateTimeField(_("sign-up opens"))
    signup_closes_at = models.DateTimeField(_("sign-up and cancelling close"))
    capacity = models.PositiveIntegerField(_("places"))
    max_party = models.PositiveSmallIntegerField(_("people a house may bring"), default=4)
    fee = models.DecimalField(
        _("fee per person (CNY)"), max_digits=8, decimal_places=2, default=Decimal("0.00")
    )
    buildings = models.ManyToManyField(
        "estates.Building", blank=True, related_name="+", verbose_name=_("buildings")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PUBLISHED,
    )
    confirmed_people = models.PositiveIntegerField(_("people signed up"), default=0)
    announcement = models.ForeignKey(
        "notices.Announcement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community_id", "-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "status", "starts_at"])]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title

    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_people, 0)

    def signup_open(self, now) -> bool:
        return (
            self.status == ActivityStatus.PUBLISHED
            and self.signup_opens_at <= now < self.signup_closes_at
        )


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class ActivitySignup(models.Model):
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="signups")
    house = models.ForeignKey(
        "estates.House", on_delete=models.PROTECT, related_name="+", verbose_name=_("house")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    people = models.PositiveSmallIntegerField(_("people"))
    status = models.CharField(_("status"), max_length=12, choices=SignupStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["activity_id", "created_at", "id"]
        indexes = [models.Index(fields=["community", "activity", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "house"],
                condition=~Q(status="cancelled"),
                name="community_signup_once_per_house",
            )
        ]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")

    def __str__(self) -> str:
        # Histories show it beside the house ("创建 · 亲子烘焙"): the activity's title says what.
        return self.activity.title


class ActivityPhoto(models.Model):
    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="photos")
    photo = models.ImageField(upload_to="community/activities/%Y/%m/")
    photo_type = models.CharField(max_length=40)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity_id", "uploaded_at", "id"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.caption or str(self.pk)


class ActivityFeedback(models.Model):
    """An owner's rating and opinion after the activity; staff may turn an opinion into a
    suggestion (建议) request."""

    community = models.ForeignKey("estates.Community", on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="feedback")
    house = models.ForeignKey("estates.House", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("opinion"), blank=True)
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["activity_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "house"], name="community_feedback_once_per_house"
            )
        ]
        verbose_name = _("activity feedback")
        verbose_name_plural = _("activity feedback")

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.rating}"
