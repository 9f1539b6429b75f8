"""Console pages: announcements (writers and publishers) and notification templates (admins)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core import errors
from propdesk.core.permissions import Perm, communities_for, community_ids, has_perm, require
from propdesk.core.views import console_view, form_error, form_page, render_page
from propdesk.notices import selectors
from propdesk.notices.events import EVENTS
from propdesk.notices.forms import (
    AnnouncementForm,
    PublishForm,
    TemplateForm,
    TemplateNewForm,
    TemplatePreviewForm,
)
from propdesk.notices.models import Announcement, NotificationTemplate
from propdesk.notices.rendering import template_words
from propdesk.notices.services import announcements as ann
from propdesk.notices.services import templates

PAGE_SIZE = 25


@console_view
def announcement_list(request):
    require(request.user, Perm.ANNOUNCEMENT_WRITE)
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    try:
        community_id = int(request.GET.get("community") or 0) or None
    except ValueError:
        community_id = None
    rows = selectors.announcements_for_staff(
        request.user, q=q, status=status, community_id=community_id
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "status": status,
        "community_id": community_id,
        "statuses": Announcement.Status.choices,
        "communities": communities_for(request.user),
    }
    return render_page(
        request,
        "notices/pages/announcement_list.html",
        "notices/partials/announcement_table.html",
        context,
    )


@console_view
def announcement_create(request):
    require(request.user, Perm.ANNOUNCEMENT_WRITE)
    form = AnnouncementForm(request.POST or None, communities=communities_for(request.user))

    def save(data):
        return ann.announcement_create(
            actor=request.user,
            community=data["community"],
            title=data["title"],
            body=data["body"],
            building_ids=[b.id for b in data["buildings"]],
            urgent=data["urgent"],
        )

    return form_page(
        request,
        form=form,
        title=_("New announcement"),
        save=save,
        success_url=lambda a: reverse("notices_announcement_detail", args=[a.id]),
        cancel_url=reverse("notices_announcement_list"),
        success_message=_("The draft is saved."),
    )


@console_view
def announcement_edit(request, announcement_id: int):
    announcement = selectors.announcement_for_staff(request.user, announcement_id)
    initial = {
        "community": announcement.community_id,
        "buildings": list(announcement.buildings.all()),
        "title": announcement.title,
        "body": announcement.body,
        "urgent": announcement.urgent,
    }
    form = AnnouncementForm(
        request.POST or None,
        initial=initial,
        communities=communities_for(request.user),
        announcement=announcement,
    )

    def save(data):
        return ann.announcement_update(
            actor=request.user,
            announcement=announcement,
            title=data["title"],
            body=data["body"],
            building_ids=[b.id for b in data["buildings"]],
            urgent=data["urgent"],
        )

    url = reverse("notices_announcement_detail", args=[announcement.id])
    return form_page(
        request,
        form=form,
        title=_("Edit announcement"),
        save=save,
        success_url=url,
        cancel_url=url,
        success_message=_("The announcement is saved."),
    )


@console_view
def announcement_detail(request, announcement_id: int):
    announcement = selectors.announcement_for_staff(request.user, announcement_id)
    return render_page(
        request,
        "notices/pages/announcement_detail.html",
        None,
        _detail_context(request, announcement, PublishForm()),
    )


@console_view
def announcement_delivery(request, announcement_id: int):
    """The detail page's count of people notified, polled while the worker queues the messages;
    the answer that brings the count also brings the messages by channel."""
    announcement = selectors.announcement_for_staff(request.user, announcement_id)
    partial = "notices/partials/announcement_delivery.html"
    context = {"announcement": announcement, "oob": True}
    if not announcement.messages_queuing:
        context["delivery"] = selectors.delivery_summary(announcement)
    return render_page(request, partial, partial, context)


def _detail_context(request, announcement, publish_form) -> dict:
    open_ = announcement.status in (Announcement.Status.DRAFT, Announcement.Status.SCHEDULED)
    can_publish = has_perm(request.user, Perm.ANNOUNCEMENT_PUBLISH)
    return {
        "announcement": announcement,
        "buildings": list(announcement.buildings.all()),
        "delivery": selectors.delivery_summary(announcement),
        "can_edit": open_,
        "can_publish": open_ and can_publish,
        "can_withdraw": can_publish and announcement.status != Announcement.Status.WITHDRAWN,
        "publish_form": publish_form,
        "reach": len(ann.audience(announcement)) if open_ else None,
    }


@require_POST
@console_view
def announcement_publish(request, announcement_id: int):
    announcement = selectors.announcement_for_staff(request.user, announcement_id)
    form = PublishForm(request.POST)
    if form.is_valid():
        when = form.cleaned_data["publish_at"]
        try:
            ann.announcement_publish(actor=request.user, announcement=announcement, publish_at=when)
        except errors.ValidationFailed as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("Scheduled.") if when else _("Published: owners are being told.")
            )
            return redirect("notices_announcement_detail", announcement.id)
    context = _detail_context(request, announcement, form)
    return render_page(request, "notices/pages/announcement_detail.html", None, context, status=400)


@require_POST
@console_view
def announcement_withdraw(request, announcement_id: int):
    announcement = selectors.announcement_for_staff(request.user, announcement_id)
    ann.announcement_withdraw(actor=request.user, announcement=announcement)
    messages.success(request, _("Withdrawn: owners no longer see it."))
    return redirect("notices_announcement_detail", announcement.id)


# --- templates ----------------------------------------------------------------------------------


def _template(user, template_id) -> NotificationTemplate:
    require(user, Perm.NOTICE_TEMPLATES)
    found = NotificationTemplate.objects.select_related("community").filter(pk=template_id).first()
    if found is None or (
        found.community_id is not None and found.community_id not in community_ids(user)
    ):
        raise errors.NotFound()
    return found


@console_view
def template_list(request):
    require(request.user, Perm.NOTICE_TEMPLATES)
    rows = NotificationTemplate.objects.select_related("community").filter(
        community__isnull=True
    ) | NotificationTemplate.objects.select_related("community").filter(
        community_id__in=community_ids(request.user)
    )
    rows = sorted(
        rows,
        key=lambda t: (
            list(EVENTS).index(t.event) if t.event in EVENTS else 99,
            t.community_id or 0,
            t.channel,
        ),
    )
    for row in rows:
        row.event_label = EVENTS[row.event].label if row.event in EVENTS else row.event
    form = TemplateNewForm(communities=communities_for(request.user))
    context = {"templates": rows, "new_form": form}
    return render_page(request, "notices/pages/template_list.html", None, context)


@require_POST
@console_view
def template_new(request):
    """Start a channel's or a community's own wording from the words that apply to it now."""
    require(request.user, Perm.NOTICE_TEMPLATES)
    form = TemplateNewForm(request.POST, communities=communities_for(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose an event, a channel and a community of yours."))
        return redirect("notices_template_list")
    data = form.cleaned_data
    subject, body = template_words(data["event"], data["community"], data["channel"])
    saved = NotificationTemplate.objects.filter(
        community=data["community"], event=data["event"], channel=data["channel"]
    ).first() or templates.notification_template_save(
        actor=request.user,
        community=data["community"],
        event=data["event"],
        channel=data["channel"],
        subject=subject,
        body=body,
    )
    return redirect("notices_template_edit", saved.id)


@console_view
def template_edit(request, template_id: int):
    template = _template(request.user, template_id)
    form = TemplateForm(
        request.POST or None, initial={"subject": template.subject, "body": template.body}
    )

    def save(data):
        return templates.notification_template_save(
            actor=request.user,
            template=template,
            event=template.event,
            channel=template.channel,
            subject=data["subject"],
            body=data["body"],
        )

    event = EVENTS.get(template.event)
    return form_page(
        request,
        form=form,
        title=_("Edit template: %(event)s") % {"event": event.label if event else template.event},
        save=save,
        success_url=reverse("notices_template_list"),
        cancel_url=reverse("notices_template_list"),
        success_message=_("The template is saved."),
        template="notices/pages/template_edit.html",
        extra={"template_row": template, "event": event},
    )


@require_POST
@console_view
def template_preview(request):
    require(request.user, Perm.NOTICE_TEMPLATES)
    form = TemplatePreviewForm(request.POST)
    context = {"preview": None, "error": None}
    if form.is_valid():
        try:
            context["preview"] = templates.notification_template_preview(
                actor=request.user,
                event=form.cleaned_data["event"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except errors.ValidationFailed as exc:
            context["error"] = exc.message
    else:
        context["error"] = next(iter(form.errors.values()))[0]
    return render_page(
        request, "notices/partials/preview.html", "notices/partials/preview.html", context
    )
