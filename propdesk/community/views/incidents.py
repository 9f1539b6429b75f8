"""Console pages of emergency incidents (/community/incidents/…): thin — access helper, form,
one service, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community import selectors
from propdesk.community.forms import BroadcastForm, CloseForm, IncidentForm, LinkForm, NoteForm
from propdesk.community.models import (
    FollowUpItem,
    IncidentEntry,
    IncidentKind,
    IncidentStatus,
)
from propdesk.community.report import incident_pdf, report_summary
from propdesk.community.services import incidents as service
from propdesk.community.services.incidents import default_broadcast_text, scope_label
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import Perm, community_ids, get_scoped, has_perm, require
from propdesk.core.views import console_view, form_error, form_page, render_page
from propdesk.estates.models import Building, Community, House, Unit
from propdesk.tickets.models import ServiceRequest

PAGE_SIZE = 25


def _communities(user, perm: Perm):
    return (
        Community.objects.filter(id__in=community_ids(user)).order_by("code")
        if has_perm(user, perm)
        else Community.objects.none()
    )


@console_view
def incident_list(request):
    user = request.user
    require(user, Perm.INCIDENT_VIEW)
    filters = {
        "status": request.GET.get("status", "")[:10],
        "kind": request.GET.get("kind", "")[:20],
        "q": request.GET.get("q", "").strip()[:40],
    }
    incidents = selectors.incident_list(user, **filters)
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "statuses": IncidentStatus.choices,
        "kinds": IncidentKind.choices,
        "can_open": has_perm(user, Perm.INCIDENT_OPEN),
        "active": selectors.incident_list(user, status=IncidentStatus.ACTIVE)[:10],
    }
    return render_page(request, "community/pages/incident_list.html", None, context)


def _scope_choices(community: Community):
    buildings = list(Building.objects.filter(community=community).order_by("number", "id"))
    units = list(
        Unit.objects.filter(community=community)
        .select_related("building")
        .order_by("building__number", "number", "id")
    )
    for b in buildings:
        b.label = _("Building %(n)s") % {"n": b.number}
    for u in units:
        u.label = _("Building %(b)s unit %(u)s") % {"b": u.building.number, "u": u.number}
    return buildings, units


@console_view
def incident_new(request):
    user = request.user
    require(user, Perm.INCIDENT_OPEN)
    communities = list(_communities(user, Perm.INCIDENT_OPEN))
    source = None
    source_id = request.GET.get("request") or request.POST.get("source_request")
    if source_id:
        source = get_scoped(
            ServiceRequest.objects.select_related("community", "house", "building", "category"),
            user,
            source_id,
            Perm.REQUEST_VIEW,
        )
    community = None
    wanted = source.community_id if source else request.GET.get("community")
    if wanted:
        community = next((c for c in communities if str(c.id) == str(wanted)), None)
        if community is None:
            raise NotFound()
    elif len(communities) == 1:
        community = communities[0]
    if community is None:
        return render_page(
            request,
            "community/pages/incident_pick_community.html",
            None,
            {"communities": communities},
        )
    buildings, units = _scope_choices(community)
    initial = {}
    if source is not None:
        initial = {
            "place": source.location
            or (source.building and _("Building %(n)s") % {"n": source.building.number})
            or "",
            "description": source.description[:2000],
            "buildings": [source.building_id] if source.building_id else [],
        }
    form = IncidentForm(request.POST or None, buildings=buildings, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = service.incident_open(
                actor=user,
                community=community,
                kind=data["kind"],
                severity=data["severity"],
                place=data["place"],
                description=data["description"],
                whole_community=data["whole_community"],
                building_ids=data["buildings"],
                unit_ids=data["units"],
                expected_restore_at=data["expected_restore_at"],
                is_drill=data["is_drill"],
                source_request=source,
                broadcast_text=data["broadcast_text"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Incident %(number)s opened: the plan has started and the staff on duty "
                    "are told."
                )
                % {"number": incident.number},
            )
            return redirect("community_incident_detail", incident_id=incident.id)
    context = {"form": form, "community": community, "source": source}
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "community/pages/incident_new.html", None, context, status=status)


@console_view
def incident_detail(request, incident_id: int):
    user = request.user
    incident = selectors.incident_for_user(user, incident_id)
    context = selectors.incident_detail(incident)
    active = incident.is_active
    context.update(
        {
            "scope": scope_label(incident),
            "summary": report_summary(incident, measures=incident.measures),
            "can_work": active and has_perm(user, Perm.INCIDENT_WORK),
            "can_broadcast": active
            and not incident.is_drill
            and has_perm(user, Perm.INCIDENT_BROADCAST),
            "can_close": active and has_perm(user, Perm.INCIDENT_CLOSE),
            "can_request": not active and has_perm(user, Perm.REQUEST_CREATE),
            "broadcast_form": BroadcastForm(
                initial={
                    "text": default_broadcast_text(
                        community=incident.community,
                        kind=incident.kind,
                        place=incident.place,
                        expected=incident.expected_restore_at,
                    )
                }
            ),
            "link_form": LinkForm(
                initial={"request_number": request.GET.get("link_request", "")[:30]}
            ),
            "note_form": NoteForm(),
        }
    )
    return render_page(request, "community/pages/incident_detail.html", None, context)


def _back(incident_id: int):
    return redirect("community_incident_detail", incident_id=incident_id)


def _report_error(request, exc: AppError) -> None:
    messages.error(request, str(exc.message))


@require_POST
@console_view
def task_done(request, incident_id: int, task_id: int):
    task = selectors.task_for_user(request.user, task_id)
    if task.incident_id != int(incident_id):
        raise NotFound()
    try:
        if request.POST.get("undo"):
            service.task_undo(actor=request.user, task=task)
        else:
            service.task_done(actor=request.user, task=task, note=request.POST.get("note", ""))
    except AppError as exc:
        _report_error(request, exc)
    return _back(incident_id)


@require_POST
@console_view
def incident_broadcast(request, incident_id: int):
    incident = selectors.incident_for_user(request.user, incident_id)
    form = BroadcastForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        messages.error(request, f"{form.fields[field].label}: {errors[0]}")
        return _back(incident_id)
    try:
        service.incident_broadcast(
            actor=request.user,
            incident=incident,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            expected_restore_at=form.cleaned_data["expected_restore_at"],
        )
    except AppError as exc:
        _report_error(request, exc)
    else:
        messages.success(
            request, _("Broadcast: every resident of the affected area is being told.")
        )
    return _back(incident_id)


@require_POST
@console_view
def incident_link(request, incident_id: int):
    """Link a call or a request to the incident: from the incident page (house code or request
    number) or from intake (the house picked there)."""
    user = request.user
    incident = selectors.incident_for_user(user, incident_id)
    values = request.POST.dict()
    values["house"] = values.get("house") or request.GET.get("house", "")
    form = LinkForm(values)
    back_to_intake = request.POST.get("back") == "intake"
    try:
        if not form.is_valid():
            raise AppError(_("Check the form."), field="note")
        data = form.cleaned_data
        house = request_row = None
        if data["request_number"]:
            request_row = ServiceRequest.objects.filter(
                community_id=incident.community_id, number=data["request_number"].strip()
            ).first()
            if request_row is None:
                raise NotFound(_("No such request in this community."), field="request_number")
        if data["house"]:
            house = get_scoped(House.objects.all(), user, data["house"], Perm.INCIDENT_WORK)
        elif data["house_code"]:
            house = House.objects.filter(
                community_id=incident.community_id, code=data["house_code"].strip()
            ).first()
            if house is None:
                raise NotFound(_("No such house in this community."), field="house_code")
        service.incident_link(
            actor=user,
            incident=incident,
            house=house,
            request=request_row,
            caller_name=data["caller_name"],
            note=data["note"],
        )
    except AppError as exc:
        _report_error(request, exc)
        if back_to_intake:
            return redirect("request_intake")
    else:
        messages.success(
            request,
            _("Added to incident %(number)s (%(count)d calls and requests linked).")
            % {"number": incident.number, "count": incident.linked_count + 1},
        )
        if back_to_intake:
            return redirect("request_intake")
    return _back(incident_id)


@require_POST
@console_view
def incident_note(request, incident_id: int):
    incident = selectors.incident_for_user(request.user, incident_id)
    form = NoteForm(request.POST, request.FILES)
    form.is_valid()
    try:
        service.incident_note(
            actor=request.user,
            incident=incident,
            note=form.cleaned_data.get("note", ""),
            photo=form.cleaned_data.get("photo"),
        )
    except AppError as exc:
        _report_error(request, exc)
    return _back(incident_id)


@console_view
def incident_close(request, incident_id: int):
    user = request.user
    incident = selectors.incident_for_user(user, incident_id)
    require(user, Perm.INCIDENT_CLOSE, incident.community_id)
    form = CloseForm(request.POST or None)

    def save(data):
        return service.incident_close(
            actor=user,
            incident=incident,
            cause=data["cause"],
            measures=data["measures"],
            prevention=data["prevention"],
            restored_at=data["restored_at"],
        )

    detail_url = reverse("community_incident_detail", args=[incident.id])
    return form_page(
        request,
        form=form,
        title=_("Close incident %(number)s") % {"number": incident.number},
        save=save,
        success_url=detail_url,
        cancel_url=detail_url,
        success_message=_("Incident closed. The report is ready."),
        extra={
            "intro": _("Write down the cause, what was done and how to prevent it happening again.")
        },
    )


@console_view
def incident_report(request, incident_id: int):
    incident = selectors.incident_for_user(request.user, incident_id)
    response = HttpResponse(incident_pdf(incident), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{incident.number}.pdf"'
    return response


@require_POST
@console_view
def follow_up_request(request, incident_id: int, item_id: int):
    user = request.user
    incident = selectors.incident_for_user(user, incident_id)
    item = FollowUpItem.objects.filter(incident=incident, pk=item_id).first()
    if item is None:
        raise NotFound()
    try:
        created = service.follow_up_request(actor=user, item=item)
    except AppError as exc:
        _report_error(request, exc)
    else:
        messages.success(request, _("Request %(number)s recorded.") % {"number": created.number})
    return _back(incident_id)


@console_view
def incident_photo(request, incident_id: int, entry_id: int):
    incident = selectors.incident_for_user(request.user, incident_id)
    entry = IncidentEntry.objects.filter(incident=incident, pk=entry_id).exclude(photo="").first()
    if entry is None:
        raise NotFound()
    return FileResponse(entry.photo.open("rb"), content_type=entry.photo_type)
