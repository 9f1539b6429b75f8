"""API of announcements, notification templates and the owner's own notices, inbox and
preferences (/api/notices/). Thin: access helper → schema → one service or selector."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, PathId, page
from propdesk.core.errors import NotFound, PermissionDenied
from propdesk.core.permissions import Perm, community_ids, is_owner_account, require
from propdesk.estates.models import Community
from propdesk.notices import error_codes, selectors
from propdesk.notices import schemas as s
from propdesk.notices.models import NotificationTemplate
from propdesk.notices.services import announcements as ann
from propdesk.notices.services import reading, templates
from propdesk.notices.services.preferences import contact_preference_save

router = Router(tags=["notices"])


def _community(user, community_id, perm: Perm) -> Community:
    require(user, perm)
    if community_id is None or int(community_id) not in community_ids(user):
        raise NotFound(_("No such record in your communities."), field="community")
    return Community.objects.get(pk=community_id)


def _owner(user) -> None:
    if not is_owner_account(user):
        raise PermissionDenied(_("These pages are for owners."), code=error_codes.OWNERS_ONLY)


# --- announcements (staff) --------------------------------------------------------------------


@router.get(
    "/announcements",
    response={200: s.AnnouncementPageOut, **READ_ERRORS},
    summary="Announcements of your communities, newest first",
)
def announcement_list(request, filters: Query[s.AnnouncementFilters]):
    require(request.auth, Perm.ANNOUNCEMENT_WRITE)
    rows = selectors.announcements_for_staff(
        request.auth, q=filters.q, status=filters.status or "", community_id=filters.community
    ).prefetch_related("buildings")
    return page(rows, filters)


@router.post(
    "/announcements",
    response={201: s.AnnouncementOut, **WRITE_ERRORS},
    summary="Write a draft for a community or some of its buildings",
)
def announcement_create(request, payload: s.AnnouncementIn):
    community = _community(request.auth, payload.community, Perm.ANNOUNCEMENT_WRITE)
    created = ann.announcement_create(
        actor=request.auth,
        community=community,
        title=payload.title,
        body=payload.body,
        building_ids=payload.buildings,
        urgent=payload.urgent,
    )
    return Status(201, created)


@router.get(
    "/announcements/{announcement_id}",
    response={200: s.AnnouncementOut, **READ_ERRORS},
    summary="One announcement",
)
def announcement_detail(request, announcement_id: PathId):
    return selectors.announcement_for_staff(request.auth, announcement_id)


@router.put(
    "/announcements/{announcement_id}",
    response={200: s.AnnouncementOut, **WRITE_ERRORS},
    summary="Change a draft or a scheduled announcement",
)
def announcement_update(request, announcement_id: PathId, payload: s.AnnouncementPatch):
    announcement = selectors.announcement_for_staff(request.auth, announcement_id)
    return ann.announcement_update(
        actor=request.auth,
        announcement=announcement,
        title=payload.title,
        body=payload.body,
        building_ids=payload.buildings,
        urgent=payload.urgent,
    )


@router.post(
    "/announcements/{announcement_id}/publish",
    response={200: s.AnnouncementOut, **WRITE_ERRORS},
    summary="Publish now, or schedule with `publish_at`; the worker then tells the owners",
)
def announcement_publish(request, announcement_id: PathId, payload: s.PublishIn):
    announcement = selectors.announcement_for_staff(request.auth, announcement_id)
    return ann.announcement_publish(
        actor=request.auth, announcement=announcement, publish_at=payload.publish_at
    )


@router.post(
    "/announcements/{announcement_id}/withdraw",
    response={200: s.AnnouncementOut, **WRITE_ERRORS},
    summary="Withdraw: owners stop seeing it",
)
def announcement_withdraw(request, announcement_id: PathId):
    announcement = selectors.announcement_for_staff(request.auth, announcement_id)
    return ann.announcement_withdraw(actor=request.auth, announcement=announcement)


# --- templates (administrators) ---------------------------------------------------------------


@router.get(
    "/templates",
    response={200: list[s.NoticeTemplateOut], **READ_ERRORS},
    summary="Notification templates: company defaults and community overrides",
)
def template_list(request):
    require(request.auth, Perm.NOTICE_TEMPLATES)
    return list(
        NotificationTemplate.objects.filter(community_id__isnull=True)
        | NotificationTemplate.objects.filter(community_id__in=community_ids(request.auth))
    )


@router.post(
    "/templates",
    response={201: s.NoticeTemplateOut, **WRITE_ERRORS},
    summary="Create (or replace) a template for an event and channel, optionally per community",
)
def template_create(request, payload: s.TemplateCreateIn):
    community = None
    if payload.community is not None:
        community = _community(request.auth, payload.community, Perm.NOTICE_TEMPLATES)
    saved = templates.notification_template_save(
        actor=request.auth,
        community=community,
        event=payload.event,
        channel=payload.channel,
        subject=payload.subject,
        body=payload.body,
    )
    return Status(201, saved)


@router.post(
    "/templates/preview",
    response={200: s.NoticePreviewOut, **WRITE_ERRORS},
    summary="Render unsaved words with the event's sample values",
)
def template_preview(request, payload: s.PreviewIn):
    return templates.notification_template_preview(
        actor=request.auth, event=payload.event, subject=payload.subject, body=payload.body
    )


@router.put(
    "/templates/{template_id}",
    response={200: s.NoticeTemplateOut, **WRITE_ERRORS},
    summary="Change a template's words",
)
def template_update(request, template_id: PathId, payload: s.NoticeTemplateIn):
    template = _template(request.auth, template_id)
    return templates.notification_template_save(
        actor=request.auth,
        template=template,
        event=template.event,
        channel=template.channel,
        subject=payload.subject,
        body=payload.body,
    )


def _template(user, template_id) -> NotificationTemplate:
    require(user, Perm.NOTICE_TEMPLATES)
    found = NotificationTemplate.objects.filter(pk=template_id).first()
    if found is None or (
        found.community_id is not None and found.community_id not in community_ids(user)
    ):
        raise NotFound()
    return found


# --- the owner's own ----------------------------------------------------------------------------


@router.get(
    "/my/announcements",
    response={200: s.OwnerAnnouncementPageOut, **READ_ERRORS},
    summary="Announcements for my community and building, with read state",
)
def my_announcements(request, paging: Query[s.Paging]):
    _owner(request.auth)
    return page(selectors.announcements_for_owner(request.auth), paging)


@router.get(
    "/my/announcements/{announcement_id}",
    response={200: s.OwnerAnnouncementOut, **READ_ERRORS},
    summary="One announcement of mine; opening it marks it read",
)
def my_announcement(request, announcement_id: PathId):
    _owner(request.auth)
    found = selectors.announcement_for_owner(request.auth, announcement_id)
    reading.announcement_mark_read(user=request.auth, announcement=found)
    found.is_read = True
    return found


@router.get(
    "/my/inbox",
    response={200: s.InboxPageOut, **READ_ERRORS},
    summary="My in-app messages, newest first, with read state",
)
def my_inbox(request, paging: Query[s.Paging]):
    _owner(request.auth)
    return page(selectors.inbox_for(request.auth), paging)


@router.post(
    "/my/inbox/{message_id}/read",
    response={200: s.InboxMessageOut, **WRITE_ERRORS},
    summary="Mark one of my messages read",
)
def my_inbox_read(request, message_id: PathId):
    _owner(request.auth)
    message = selectors.inbox_message_for(request.auth, message_id)
    reading.inbox_mark_read(user=request.auth, message=message)
    message.is_read = True
    return message


@router.get("/my/unread", response={200: s.UnreadOut, **READ_ERRORS}, summary="My unread counts")
def my_unread(request):
    _owner(request.auth)
    return selectors.unread_counts(request.auth)


@router.get(
    "/my/preferences",
    response={200: s.PreferenceOut, **READ_ERRORS},
    summary="My contact preferences (defaults until saved)",
)
def my_preferences(request):
    _owner(request.auth)
    return selectors.preference_for(request.auth)


@router.put(
    "/my/preferences",
    response={200: s.PreferenceOut, **WRITE_ERRORS},
    summary="Save my channels and quiet hours",
)
def my_preferences_save(request, payload: s.PreferenceIn):
    _owner(request.auth)
    return contact_preference_save(actor=request.auth, **payload.dict())
