"""The call desk, the call log and the call-back queue (来电记录), issue 16.

Taking a call opens its record (answered now, by the agent); the desk shows the caller's houses
and requests, and the call ends with its outcome: answered on the spot, a request recorded (the
request's own intake service), a message with a callback promise, a call added to an open
request, or a wrong number.
"""

import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core import audit
from propdesk.core.errors import AppError, NotFound
from propdesk.core.permissions import (
    Perm,
    can_reveal,
    communities_for,
    community_ids,
    has_perm,
    require,
)
from propdesk.core.views import console_view, form_error, paginate, render_page
from propdesk.estates import selectors as estate_selectors
from propdesk.quality import selectors
from propdesk.quality.forms import (
    CallFilterForm,
    FinishForm,
    ImportForm,
    LinkForm,
    MessageForm,
    NoteForm,
    StartCallForm,
)
from propdesk.quality.models import CallDirection
from propdesk.quality.services import calls, cdr_import
from propdesk.tickets import selectors as ticket_selectors
from propdesk.tickets.forms import IntakeForm


@console_view
def call_list(request):
    user = request.user
    require(user, Perm.CALL_VIEW)
    form = CallFilterForm(request.GET or None, communities=list(communities_for(user)))
    filters = selectors.CallFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"] or None
        filters = selectors.CallFilters(
            community=data["community"],
            q=data["q"],
            state=data["state"],
            outcome="" if outcome == "none" else outcome,
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    context = {"form": form, "page": paginate(request, selectors.call_log(user, filters))}
    return render_page(request, "quality/pages/call_list.html", None, context)


@console_view
def call_new(request):
    """Pick up (or dial): the record opens, answered now by the agent."""
    user = request.user
    require(user, Perm.CALL_TAKE)
    communities = list(communities_for(user))
    form = StartCallForm(request.POST or None, communities=communities)
    if len(communities) == 1:
        form.fields["community"].initial = communities[0].pk
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = next((c for c in communities if c.pk == data["community"]), None)
        if community is None:
            form.add_error("community", _("No such record in your communities."))
        else:
            try:
                call = calls.call_start(
                    actor=user,
                    community=community,
                    number=data["number"],
                    direction=data["direction"],
                )
            except AppError as exc:
                form_error(form, exc)
            else:
                return redirect("quality_call_detail", call_id=call.pk)
    context = {"form": form, "live": selectors.live_calls(user)}
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, "quality/pages/call_new.html", None, context, status=status)


def _desk_context(request, call, **forms) -> dict:
    user = request.user
    can_work = (
        call.is_live
        and has_perm(user, Perm.CALL_TAKE)
        and (call.agent_id in (None, user.pk) or has_perm(user, Perm.CALL_MANAGE))
    )
    q = call.party_number if call.party_number and call.house_id is None else ""
    if call.house_id:
        q = call.house.code
    intake = forms.get("intake") or IntakeForm(prefix="intake")
    if call.house_id and not intake.is_bound:
        intake.initial.update({"house": call.house_id, "caller_owner": call.owner_id})
    return {
        "call": call,
        "can_work": can_work,
        "can_reveal": can_reveal(user, "mobile"),
        "callers": ticket_selectors.caller_lookup(user, q) if (q and can_work) else [],
        "q": q,
        "finish_form": forms.get("finish")
        or FinishForm(prefix="finish", outbound=call.direction == CallDirection.OUTBOUND),
        "intake_form": intake,
        "message_form": forms.get("message")
        or MessageForm(prefix="message", initial={"house": call.house_id}),
        "link_form": forms.get("link") or LinkForm(prefix="link"),
        "note_form": forms.get("note")
        or NoteForm(initial={"note": call.note, "recording_url": call.recording_url}),
        "tab": forms.get("tab", "finish"),
        "callbacks": list(call.callbacks.select_related("agent").order_by("ring_at")),
    }


@console_view
def call_detail(request, call_id: int):
    call = selectors.call_for_user(request.user, call_id)
    return render_page(
        request, "quality/pages/call_detail.html", None, _desk_context(request, call)
    )


def _house(user, pk, form, field="house"):
    if not pk:
        return None
    try:
        return estate_selectors.house_for_user(user, pk, perm=Perm.REQUEST_CREATE)
    except NotFound:
        form.add_error(field, _("No such record in your communities."))
        return None


@require_POST
@console_view
def call_end(request, call_id: int):
    """End the call with one of the outcomes; `action` says which form was sent."""
    user = request.user
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    action = request.POST.get("action", "finish")
    forms: dict = {"tab": action}
    try:
        if action == "request":
            form = IntakeForm(request.POST, request.FILES, prefix="intake")
            forms["intake"] = form
            if form.is_valid():
                data = form.cleaned_data
                house = _house(user, data["house"], form)
                building = None
                if data["building"]:
                    try:
                        building = estate_selectors.building_for_user(
                            user, data["building"], perm=Perm.REQUEST_CREATE
                        )
                    except NotFound:
                        form.add_error("building", _("No such record in your communities."))
                owner = None
                if data["caller_owner"]:
                    try:
                        owner = estate_selectors.owner_for_user(user, data["caller_owner"])
                    except NotFound:
                        form.add_error("caller_owner", _("No such record in your communities."))
                if not form.errors:
                    try:
                        call = calls.call_request_record(
                            actor=user,
                            call=call,
                            house=house,
                            building=building,
                            location=data["location"],
                            caller_owner=owner,
                            caller_name=data["caller_name"],
                            caller_mobile=data["caller_mobile"],
                            kind=data["kind"],
                            category=data["category"],
                            urgency=data["urgency"],
                            description=data["description"],
                            preferred_visit_at=data["preferred_visit_at"],
                            photos=data["photos"],
                        )
                    except AppError as exc:
                        form_error(form, exc)
                    else:
                        messages.success(
                            request,
                            _("Recorded as %(number)s; the call is closed.")
                            % {"number": call.request.number},
                        )
                        return redirect("quality_call_detail", call_id=call.pk)
        elif action == "message":
            form = MessageForm(request.POST, prefix="message")
            forms["message"] = form
            if form.is_valid():
                data = form.cleaned_data
                house = _house(user, data["house"], form)
                if house is None and not form.errors:
                    form.add_error(None, _("Pick the caller's house from the caller card."))
                if not form.errors:
                    try:
                        call = calls.call_message_take(
                            actor=user,
                            call=call,
                            house=house,
                            category=data["category"],
                            message=data["message"],
                            caller_name=data["caller_name"],
                        )
                    except AppError as exc:
                        form_error(form, exc)
                    else:
                        messages.success(
                            request,
                            _(
                                "Message recorded as %(number)s; "
                                "the colleague calls back by %(due)s."
                            )
                            % {
                                "number": call.request.number,
                                "due": _when(call.request.promised_at),
                            },
                        )
                        return redirect("quality_call_detail", call_id=call.pk)
        elif action == "link":
            form = LinkForm(request.POST, prefix="link")
            forms["link"] = form
            if form.is_valid():
                target = (
                    ticket_selectors.requests_visible_to(user)
                    .filter(community_id=call.community_id, number=form.cleaned_data["number"])
                    .first()
                )
                if target is None:
                    form.add_error("number", _("No such request in this community."))
                else:
                    try:
                        call = calls.call_request_link(
                            actor=user, call=call, request=target, note=form.cleaned_data["note"]
                        )
                    except AppError as exc:
                        form_error(form, exc)
                    else:
                        messages.success(
                            request,
                            _("The call was added to %(number)s.") % {"number": target.number},
                        )
                        return redirect("quality_call_detail", call_id=call.pk)
        else:
            forms["tab"] = "finish"
            form = FinishForm(
                request.POST, prefix="finish", outbound=call.direction == CallDirection.OUTBOUND
            )
            forms["finish"] = form
            if form.is_valid():
                try:
                    call = calls.call_finish(
                        actor=user,
                        call=call,
                        outcome=form.cleaned_data["outcome"],
                        note=form.cleaned_data["note"],
                    )
                except AppError as exc:
                    form_error(form, exc)
                else:
                    messages.success(request, _("The call is closed."))
                    return redirect("quality_call_detail", call_id=call.pk)
    except AppError as exc:  # the call itself: ended meanwhile, another agent's
        messages.error(request, exc.message)
        return redirect("quality_call_detail", call_id=call.pk)
    context = _desk_context(request, call, **forms)
    return render_page(request, "quality/pages/call_detail.html", None, context, status=400)


def _when(moment) -> str:
    from propdesk.tickets.owner_text import when

    return when(moment)


@require_POST
@console_view
def call_note(request, call_id: int):
    user = request.user
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            calls.call_annotate(
                actor=user,
                call=call,
                note=data["note"],
                recording_url=data["recording_url"],
                recording_file=data["recording_file"] or None,
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("quality_call_detail", call_id=call.pk)
    context = _desk_context(request, call, note=form, tab="note")
    return render_page(request, "quality/pages/call_detail.html", None, context, status=400)


@require_POST
@console_view
def call_reveal(request, call_id: int):
    """Show the full number once (to dial it back), writing the access log."""
    user = request.user
    call = selectors.call_for_user(user, call_id)
    require(user, Perm.REVEAL_MOBILE, call.community_id)
    audit.record_access(actor=user, subject=call, field="mobile", reason=_("call back"))
    return render_page(
        request,
        "quality/partials/revealed.html",
        "quality/partials/revealed.html",
        {"number": call.party_number},
    )


@console_view
def callback_queue(request):
    user = request.user
    require(user, Perm.CALL_VIEW)
    community = request.GET.get("community", "")
    community_id = int(community) if community.isdigit() else None
    if community_id is not None and community_id not in community_ids(user):
        community_id = None
    q = "".join(ch for ch in request.GET.get("q", "") if ch.isdigit())[:20]
    queue = selectors.callback_queue(user, community=community_id, q=q)
    context = {
        "page": paginate(request, queue),
        "communities": list(communities_for(user)),
        "community_id": community_id,
        "q": q,
        "can_take": has_perm(user, Perm.CALL_TAKE),
    }
    return render_page(request, "quality/pages/callbacks.html", None, context)


@require_POST
@console_view
def call_callback(request, call_id: int):
    user = request.user
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    try:
        outbound = calls.callback_start(actor=user, call=call)
    except AppError as exc:
        messages.error(request, exc.message)
        return redirect("quality_callbacks")
    return redirect("quality_call_detail", call_id=outbound.pk)


IMPORT_SESSION_KEY = "quality_call_import"


@console_view
def call_import(request):
    """Upload a call-detail file: first the preview (bad rows listed), then the import."""
    user = request.user
    require(user, Perm.CALL_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    stashed = request.session.get(IMPORT_SESSION_KEY)
    if request.method == "POST" and request.POST.get("confirm") and stashed:
        path = stashed.get("path", "")
        if not path.startswith(f"call-imports/{user.pk}/") or not default_storage.exists(path):
            messages.error(request, _("The checked file is gone; upload it again."))
            return redirect("quality_call_import")
        with default_storage.open(path, "rb") as handle:
            upload = ContentFile(handle.read(), name=stashed.get("name", "calls.csv"))
        try:
            report = cdr_import.calls_import(actor=user, upload=upload, dry_run=False)
        except AppError as exc:
            messages.error(request, exc.message)
            return redirect("quality_call_import")
        if report.written:
            default_storage.delete(path)
            request.session.pop(IMPORT_SESSION_KEY, None)
            messages.success(
                request,
                _("%(new)d calls imported, %(dup)d already recorded.")
                % {"new": report.new, "dup": report.duplicates},
            )
            return redirect(reverse("quality_calls") + "?outcome=")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = cdr_import.calls_import(actor=user, upload=upload, dry_run=True)
        except AppError as exc:
            form_error(form, exc)
        else:
            if report.ok and report.new:
                upload.seek(0)
                path = default_storage.save(
                    f"call-imports/{user.pk}/{uuid.uuid4().hex}.csv", ContentFile(upload.read())
                )
                request.session[IMPORT_SESSION_KEY] = {"path": path, "name": upload.name[:100]}
    status = 400 if (form.is_bound and form.errors) or (report and not report.ok) else 200
    return render_page(
        request,
        "quality/pages/call_import.html",
        None,
        {"form": form, "report": report},
        status=status,
    )
