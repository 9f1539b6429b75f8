"""ninja schemas of the community API for people: activities and their sign-ups, owner visits,
birthday greetings and severe-weather warnings. Validated at the edge; the services decide."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from propdesk.api.schemas import MAX_ID, Id, Line, PageOut, Paging, Text, choices_of
from propdesk.community.models import ActivityKind, ActivityStatus, SignupStatus, WarningStatus

# --- activities ---------------------------------------------------------------------------------


class ActivityFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)
    upcoming: bool = False


class ActivityOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    kind: choices_of(ActivityKind)
    kind_label: str
    title: str
    description: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    signup_opens_at: datetime.datetime
    signup_closes_at: datetime.datetime
    capacity: int
    max_party: int
    fee: Decimal
    status: choices_of(ActivityStatus)
    confirmed_people: int
    places_left: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_places_left(obj) -> int:
        return obj.places_left()


class ActivityPage(PageOut):
    items: list[ActivityOut]


class SignupOut(Schema):
    id: int
    activity: int = Field(..., alias="activity_id")
    house: str = Field(..., alias="house.code")
    house_id: int
    people: int
    status: choices_of(SignupStatus)
    status_label: str
    created_at: datetime.datetime
    cancelled_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ActivityDetailOut(ActivityOut):
    confirmed: list[SignupOut]
    waitlisted: list[SignupOut]
    checked_in_people: int


class OwnerActivityOut(ActivityOut):
    houses: list[int] = Field(..., description="My houses this activity is for")
    signups: list[SignupOut] = Field(
        ..., alias="my_signups", description="My houses' sign-ups (not cancelled)"
    )
    signup_open: bool = Field(..., alias="signup_open_now")


class SignupIn(Schema):
    house: Id
    people: int = Field(1, ge=1, le=100)


# --- birthday greetings -------------------------------------------------------------------------


class GreetingOptOutIn(Schema):
    owner: Id | None = None
    resident: Id | None = None
    opted_out: bool


class GreetingMineIn(Schema):
    opted_out: bool


class GreetingStateOut(Schema):
    opted_out: bool


# --- severe-weather warnings --------------------------------------------------------------------


class WeatherWarningIn(Schema):
    communities: list[Id] = Field(..., min_length=1, max_length=200)
    title: Line(60, required=True)
    text: Text(300, required=True)
    send_at: datetime.datetime | None = None


class WeatherWarningOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    title: str
    text: str
    send_at: datetime.datetime
    status: choices_of(WarningStatus)
    sent_at: datetime.datetime | None
    care_calls: int = Field(..., description="Phone calls to special-care residents, made first")
    care_told: int
    recipients: int


class WeatherWarningPage(PageOut):
    items: list[WeatherWarningOut]


class WarningFilters(Paging):
    community: int | None = Field(None, ge=1, le=MAX_ID)


# --- owner visits and forums --------------------------------------------------------------------


class VisitPlanIn(Schema):
    every_days: int = Field(90, ge=1, le=366)


class VisitPlanOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    building: int = Field(..., alias="building_id")
    building_number: str = Field(..., alias="building.number")
    every_days: int
    next_due_on: datetime.date
    last_visit_on: datetime.date | None


class OwnerVisitIn(Schema):
    house: Id
    visited_on: datetime.date
    opinions: Text(2000) = ""
    note: Line(500) = ""


class OwnerVisitOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    house: str = Field(..., alias="house.code")
    visited_on: datetime.date
    opinions: str
    note: str
    request: str | None = Field(None, alias="request.number")


class VisitMonthOut(Schema):
    month: str
    visits: int
    suggestions: int


class ForumOpinionIn(Schema):
    house: Id
    text: Text(2000, required=True)


class ForumOpinionOut(Schema):
    id: int
    activity: int = Field(..., alias="activity_id")
    house: str = Field(..., alias="house.code")
    text: str
    request: str = Field(..., alias="request.number")
