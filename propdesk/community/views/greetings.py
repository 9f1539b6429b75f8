"""Console pages of birthday greetings (生日祝福, /community/greetings/): a community's switch and
the words its greeting uses, the greetings sent (or held by quiet hours), and each person's
opt-out."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.models import GreetingOptOut
from propdesk.community.services import greetings as service
from propdesk.community.views.owner_visits import chosen_community
from propdesk.core.errors import AppError, NotFound, ValidationFailed
from propdesk.core.masking import mask_mobile
from propdesk.core.models import OutboxMessage
from propdesk.core.permissions import Perm, get_scoped, has_perm, require
from propdesk.core.views import console_view, paginate, render_page
from propdesk.estates.models import Owner, Resident
from propdesk.notices.rendering import render_notification


def _message_state(message, now) -> str:
    if message.status == OutboxMessage.Status.PENDING and message.next_attempt_at > now:
        local = timezone.localtime(message.next_attempt_at)
        return _("Held by quiet hours until %(time)s") % {"time": local.strftime("%m-%d %H:%M")}
    return str(message.get_status_display())


@console_view
def greeting_overview(request):
    user = request.user
    require(user, Perm.GREETING_OPT_OUT)
    community, communities = chosen_community(request, Perm.GREETING_OPT_OUT)
    if community is None:
        raise NotFound()
    page = paginate(request, selectors.birthday_greetings_sent(user, community_id=community.id))
    found = selectors.greeting_messages(page)
    now = timezone.now()
    for greeting in page:
        greeting.outbox = [
            {
                "channel": m.get_channel_display(),
                "to": mask_mobile(m.recipient) if m.channel == "sms" else "",
                "state": _message_state(m, now),
                "held": m.status == OutboxMessage.Status.PENDING and m.next_attempt_at > now,
            }
            for m in found.get(greeting.id, [])
        ]
    preview = render_notification(
        "greeting.birthday", {"community": community.name}, community, channel="sms"
    )
    context = {
        "community": community,
        "communities": communities,
        "enabled": service.greetings_enabled(community),
        "can_configure": has_perm(user, Perm.GREETING_CONFIGURE),
        "can_edit_words": has_perm(user, Perm.NOTICE_TEMPLATES),
        "preview": preview,
        "greeting_hour": service.GREETING_HOUR,
        "page": page,
        "opt_out_count": GreetingOptOut.objects.filter(community=community).count(),
    }
    return render_page(request, "community/pages/greetings.html", None, context)


@require_POST
@console_view
def greeting_setting(request):
    user = request.user
    require(user, Perm.GREETING_CONFIGURE)
    community, _communities = chosen_community(request, Perm.GREETING_CONFIGURE)
    if community is None:
        raise NotFound()
    choice = request.POST.get("enabled", "")
    try:
        if choice not in ("0", "1"):
            raise ValidationFailed(_("Choose on or off."), field="enabled")
        setting = service.greeting_setting_set(
            actor=user, community=community, enabled=choice == "1"
        )
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Birthday greetings are on for %(c)s.") % {"c": community.name}
            if setting.enabled
            else _("Birthday greetings are off for %(c)s: nobody there is greeted.")
            % {"c": community.name},
        )
    return redirect(f"{reverse('community_greetings')}?community={community.id}")


@console_view
def greeting_people(request):
    """Find a person of a community and turn their greetings off or on."""
    user = request.user
    require(user, Perm.GREETING_OPT_OUT)
    community, communities = chosen_community(request, Perm.GREETING_OPT_OUT)
    if community is None:
        raise NotFound()
    q = request.GET.get("q", "").strip()[:40]
    owners, residents = selectors.greeting_people(user, community_id=community.id, q=q)
    opted = set(
        GreetingOptOut.objects.filter(community=community).values_list("person_key", flat=True)
    )
    people = []
    for kind, rows in (("owner", owners), ("resident", residents)):
        for person in rows:
            born = service.birth_date_of(person.id_number)
            key = service.person_key(community.company_id, person.id_number) if born else None
            people.append(
                {
                    "kind": kind,
                    "id": person.id,
                    "name": person.name,
                    "mobile": mask_mobile(person.mobile),
                    "house": person.house.code if kind == "resident" else "",
                    "has_birthday": born is not None,
                    "opted_out": key in opted if key else False,
                }
            )
    opted_out = (
        GreetingOptOut.objects.filter(community=community)
        .select_related("owner", "resident", "resident__house", "created_by")
        .order_by("-created_at", "-id")
    )
    context = {
        "community": community,
        "communities": communities,
        "q": q,
        "people": people,
        "opted_out_page": paginate(request, opted_out),
    }
    return render_page(request, "community/pages/greeting_people.html", None, context)


@require_POST
@console_view
def greeting_opt_out(request):
    user = request.user
    require(user, Perm.GREETING_OPT_OUT)
    kind = request.POST.get("kind", "")
    if kind not in ("owner", "resident"):
        raise NotFound()
    model = Owner if kind == "owner" else Resident
    person = get_scoped(model.objects.all(), user, request.POST.get("id"), Perm.GREETING_OPT_OUT)
    opted_out = request.POST.get("opted_out") == "1"
    try:
        service.greeting_opt_out_set(
            actor=user,
            owner=person if kind == "owner" else None,
            resident=person if kind == "resident" else None,
            opted_out=opted_out,
        )
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            (_("%(name)s will not be greeted.") if opted_out else _("%(name)s will be greeted."))
            % {"name": person.name},
        )
    query = urlencode({"community": person.community_id, "q": request.POST.get("q", "")[:40]})
    return redirect(f"{reverse('community_greeting_people')}?{query}")
