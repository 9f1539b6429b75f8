"""Request and response schemas of the notices API."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from propdesk.api.schemas import MAX_ID, Id, Line, PageOut, Paging, Text, choices_of
from propdesk.notices.models import Announcement, NotificationTemplate

StatusValue = choices_of(Announcement.Status)
EventValue = Literal[
    "request.received",
    "request.dispatched",
    "request.resolved",
    "request.follow_up",
    "request.updated",
    "bill.issued",
    "bill.reminder",
    "payment.received",
    "announcement",
]
TemplateChannelValue = choices_of(NotificationTemplate.Channel)
TimeText = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]


class AnnouncementFilters(Paging):
    q: Line(100) = ""
    status: StatusValue | None = None
    community: int | None = Field(None, ge=1, le=MAX_ID)


class AnnouncementIn(Schema):
    community: Id
    title: Line(100, required=True)
    body: Text(5000, required=True)
    buildings: list[Id] = Field(default_factory=list, max_length=500)
    urgent: bool = False


class AnnouncementPatch(Schema):
    title: Line(100, required=True)
    body: Text(5000, required=True)
    buildings: list[Id] = Field(default_factory=list, max_length=500)
    urgent: bool = False


class PublishIn(Schema):
    publish_at: datetime.datetime | None = Field(
        None, description="Schedule for this time (ISO 8601 with offset); empty: publish now"
    )


class AnnouncementOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    title: str
    body: str
    urgent: bool
    status: StatusValue
    buildings: list[int]
    publish_at: datetime.datetime | None
    published_at: datetime.datetime | None
    recipients: int = Field(..., description="People the messages were queued to")
    delivered_at: datetime.datetime | None = Field(
        ..., description="When the worker queued the messages; empty until then"
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_buildings(obj) -> list[int]:
        return sorted(b.id for b in obj.buildings.all())


class AnnouncementPageOut(PageOut):
    items: list[AnnouncementOut]


class NoticeTemplateOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    event: str
    channel: str
    subject: str
    body: str
    variables: list[str]

    @staticmethod
    def resolve_variables(obj) -> list[str]:
        from propdesk.notices.events import EVENTS

        return list(EVENTS[obj.event].variables) if obj.event in EVENTS else []


class NoticeTemplateIn(Schema):
    subject: Line(200) = ""
    body: Text(1000, required=True)


class TemplateCreateIn(NoticeTemplateIn):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    event: EventValue
    channel: TemplateChannelValue = "any"


class PreviewIn(NoticeTemplateIn):
    event: EventValue


class NoticePreviewOut(Schema):
    subject: str
    body: str


# --- owners ----------------------------------------------------------------------------------


class OwnerAnnouncementOut(Schema):
    id: int
    title: str
    body: str
    urgent: bool
    published_at: datetime.datetime | None
    is_read: bool


class OwnerAnnouncementPageOut(PageOut):
    items: list[OwnerAnnouncementOut]


class InboxMessageOut(Schema):
    id: int
    event: str
    subject: str
    body: str
    created_at: datetime.datetime
    is_read: bool


class InboxPageOut(PageOut):
    items: list[InboxMessageOut]


class UnreadOut(Schema):
    announcements: int
    inbox: int


class PreferenceIn(Schema):
    sms_enabled: bool
    wechat_enabled: bool | None = (
        None  # omitted: unchanged (before its own switch, it followed SMS)
    )
    email_enabled: bool
    email: Line(200) = ""
    quiet_hours_enabled: bool
    quiet_start: TimeText
    quiet_end: TimeText


class PreferenceOut(Schema):
    sms_enabled: bool
    wechat_enabled: bool
    email_enabled: bool
    email: str
    quiet_hours_enabled: bool
    quiet_start: str
    quiet_end: str

    @staticmethod
    def resolve_quiet_start(obj) -> str:
        return obj.quiet_start.strftime("%H:%M")

    @staticmethod
    def resolve_quiet_end(obj) -> str:
        return obj.quiet_end.strftime("%H:%M")
