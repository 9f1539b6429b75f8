"""The owner's pages: home, a house (with who sees its fees), linking, and requests."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from propdesk.community.selectors import active_incidents_for_owner
from propdesk.core.errors import AppError
from propdesk.core.views import form_error
from propdesk.notices import selectors as notices
from propdesk.portal import access, selectors
from propdesk.portal.forms import (
    CancelForm,
    GrantForm,
    LinkRequestForm,
    NoteForm,
    RatingForm,
    RequestForm,
    SolutionAnswerForm,
)
from propdesk.portal.services import links
from propdesk.portal.services import requests as portal_requests
from propdesk.portal.views._common import portal_view
from propdesk.tickets.services import follow_up_link as follow_up_links


@portal_view
def home(request):
    home = selectors.home(request.user)
    houses = [card.right.house for card in home.houses]
    context = {
        "home": home,
        "notices": notices.latest_announcements_for(request.user),
        "unread": notices.unread_counts(request.user),
        "incidents": active_incidents_for_owner(request.user, houses=houses),
    }
    return render(request, "portal/home.html", context)


@portal_view
def house_detail(request, house_id: int):
    right = access.right_for(request.user, house_id)
    people = links.grantable_people(right.house) if right.is_owner else []
    incidents = active_incidents_for_owner(request.user, houses=[right.house])
    context = {"right": right, "people": people, "incidents": incidents}
    return render(request, "portal/house.html", context)


@portal_view
@require_POST
def grant_add(request, house_id: int):
    form = GrantForm(request.POST)
    try:
        if not form.is_valid():
            raise AppError(_("Choose the person."), field="mobile")
        links.fee_grant_add(
            actor=request.user, house_id=house_id, mobile=form.cleaned_data["mobile"]
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("They can now see and pay this house's fees."))
    return redirect("portal:house", house_id=house_id)


@portal_view
@require_POST
def grant_revoke(request, house_id: int, grant_id: int):
    links.fee_grant_revoke(actor=request.user, house_id=house_id, grant_id=grant_id)
    messages.success(request, _("They no longer see this house's fees."))
    return redirect("portal:house", house_id=house_id)


@portal_view
def link_request(request):
    form = LinkRequestForm(request.POST or None, communities=links.communities_for_linking())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            house = links.house_find(community_id=data["community"], code=data["house_code"])
            links.link_request_create(
                actor=request.user,
                house=house,
                relation=data["relation"],
                name=data["name"],
                note=data["note"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("Sent. The service centre checks it and links you to the house.")
            )
            return redirect("portal:home")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "portal/link_request.html", {"form": form}, status=status)


@portal_view
def request_list(request):
    state = request.GET.get("state", "")
    items = selectors.without_inherited_words(
        request.user, selectors.request_list(request.user, state=state)[:50]
    )
    return render(request, "portal/request_list.html", {"items": items, "state": state})


def _request_form(request, data=None):
    rights = access.house_rights(request.user)
    taxonomy = selectors.taxonomy()
    form = RequestForm(
        data,
        houses=[(r.house.pk, f"{r.house.community.name} {r.house.code}") for r in rights],
        kinds=[(k.code, k.name) for k in taxonomy["kinds"]],
        categories=[(c.code, c.name) for c in taxonomy["categories"]],
        initial={"kind": "repair"},
    )
    return form, taxonomy


@portal_view
def request_new(request):
    if not access.house_rights(request.user):
        messages.info(request, _("Ask to be linked to your house first."))
        return redirect("portal:link_request")
    form, taxonomy = _request_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = portal_requests.request_submit(
                actor=request.user,
                house_id=data["house"],
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                emergency=data["emergency"],
                preferred_visit_at=data["preferred_visit_at"],
                photos=request.FILES.getlist("photos"),
            )
        except AppError as exc:
            if exc.field == "photos":
                photos_error = str(exc.message)
            else:
                form_error(form, exc)
                photos_error = ""
            return render(
                request,
                "portal/request_new.html",
                {"form": form, "taxonomy": taxonomy, "photos_error": photos_error},
                status=400,
            )
        messages.success(
            request,
            _("Received as %(number)s. We keep you informed here.") % {"number": created.number},
        )
        return redirect("portal:request", request_id=created.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "portal/request_new.html", {"form": form, "taxonomy": taxonomy}, status=status
    )


def _detail(request, request_id, *, status=200, **forms):
    view = selectors.request_view(request.user, request_id)
    context = {
        "view": view,
        "note_form": forms.get("note_form") or NoteForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
        "hotline": selectors.hotline(),
    }
    return render(request, "portal/request_detail.html", context, status=status)


@portal_view
def request_detail(request, request_id: int):
    return _detail(request, request_id)


@portal_view
@require_POST
def request_note(request, request_id: int):
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            portal_requests.request_note(
                actor=request.user,
                request_id=request_id,
                text=form.cleaned_data["text"],
                photos=request.FILES.getlist("photos"),
            )
        except AppError as exc:
            if exc.status == 404:
                raise
            form.add_error("text", str(exc.message))
        else:
            messages.success(request, _("Added to your request."))
            return redirect("portal:request", request_id=request_id)
    return _detail(request, request_id, status=400, note_form=form)


@portal_view
def request_cancel(request, request_id: int):
    """GET asks for confirmation (and the reason); POST cancels."""
    view = selectors.request_view(request.user, request_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            portal_requests.request_withdraw(
                actor=request.user, request_id=request_id, reason=form.cleaned_data["reason"]
            )
        except AppError as exc:
            if exc.status == 404:
                raise
            form_error(form, exc)
        else:
            messages.success(request, _("Your request is cancelled."))
            return redirect("portal:request", request_id=request_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "portal/request_cancel.html", {"view": view, "form": form}, status=status
    )


@portal_view
@require_POST
def request_rate(request, request_id: int):
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            portal_requests.request_rate(
                actor=request.user,
                request_id=request_id,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except AppError as exc:
            if exc.status == 404:
                raise
            form_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:request", request_id=request_id)
    return _detail(request, request_id, status=400, rating_form=form)


@portal_view
def request_photo(request, request_id: int, photo_id: int):
    photo = access.photo_for_owner(request.user, request_id, photo_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@portal_view
@require_POST
def solution_answer(request, request_id: int, solution_id: int):
    """The owner agrees to (or declines) the solution proposed for their complaint."""
    form = SolutionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether you agree."))
        return redirect("portal:request", request_id=request_id)
    try:
        portal_requests.solution_answer(
            actor=request.user,
            request_id=request_id,
            solution_id=solution_id,
            agreed=form.cleaned_data["agreed"],
            note=form.cleaned_data["note"],
        )
    except AppError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you. Your answer is recorded."))
    return redirect("portal:request", request_id=request_id)


@never_cache
def follow_up_link(request, token: str):
    """The follow-up the owner was sent by SMS: no sign-in, the signed single-use link is the
    proof; a used, expired or altered link says so and records nothing."""
    try:
        link = follow_up_links.link_from_token(token)
    except AppError as exc:
        return render(request, "portal/follow_up_link.html", {"refusal": exc}, status=404)
    refusal = follow_up_links.link_state(link)
    form = RatingForm(request.POST or None)
    if refusal is None and request.method == "POST" and form.is_valid():
        try:
            follow_up_links.follow_up_link_answer(
                token=token,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except AppError as exc:
            if exc.field in ("satisfaction", "comment"):
                form_error(form, exc)
            else:
                refusal = exc
        else:
            return render(request, "portal/follow_up_link.html", {"thanks": True, "link": link})
    context = {"link": link, "form": form, "refusal": refusal}
    if refusal is not None:
        status = refusal.status
    else:
        status = 400 if form.is_bound and form.errors else 200
    return render(request, "portal/follow_up_link.html", context, status=status)
