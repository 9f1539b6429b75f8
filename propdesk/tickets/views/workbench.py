"""The request workbench: details, caller and house card, timeline, the actions my role may take,
standard phrases to insert; every button posts to one service and comes back here."""

import datetime

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import Department
from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, has_perm
from propdesk.core.views import console_view, render_page
from propdesk.estates.models import Ownership
from propdesk.tickets import clock, configuration, request_links, selectors, services
from propdesk.tickets.forms import (
    CostDecisionForm,
    CostForm,
    DispatchForm,
    FollowUpForm,
    LinkCallForm,
    NoteForm,
    ResolveForm,
    SolutionDecisionForm,
    SolutionForm,
    StepForm,
    VerifyForm,
    VisitWindowForm,
)
from propdesk.tickets.models import OwnerCost, RequestPhoto, RequestSolution, ServiceRequest
from propdesk.tickets.owner_text import owner_status_text, visit_window_text, when
from propdesk.tickets.services.complaints import VERIFIABLE
from propdesk.tickets.workflow import STEPS


def _house_card(user, request: ServiceRequest) -> dict:
    if request.house_id is None:
        return {}
    owners = list(
        Ownership.objects.filter(house_id=request.house_id, end_on__isnull=True)
        .select_related("owner")
        .order_by("-is_primary", "id")
    )
    since = clock.now() - datetime.timedelta(days=selectors.HISTORY_DAYS)
    history = list(
        selectors.requests_visible_to(user)
        .filter(community_id=request.community_id, house_id=request.house_id, created_at__gte=since)
        .exclude(pk=request.pk)
        .select_related("category")
        .order_by("-created_at")[:10]
    )
    return {"owners": owners, "history": history}


def _dispatch_form(user, request, data=None):
    return DispatchForm(
        data,
        departments=Department.objects.order_by("id"),
        people=_people(user, request),
        routed_to=request.department,
        initial={"department": request.department_id, "assignee": request.assignee_id},
    )


def _people(user, request):
    from propdesk.accounts.models import User

    ids = [person.pk for person in selectors.assignable_people(user, request)]
    return User.objects.filter(pk__in=ids).select_related("department").order_by("id")


@console_view
def request_detail(request, request_id: int):
    user = request.user
    item = selectors.request_detail(user, request_id)
    actions = {step.action for step in item.actions}
    can_write = _can_work(user, item)  # phrases and suggested replies go into the note
    context = {
        "item": item,
        "now": clock.now(),
        "owner_status": owner_status_text(item),
        "card": _house_card(user, item),
        "step_buttons": [
            step for step in item.actions if step.action not in {"dispatch", "reassign", "resolve"}
        ],
        "dispatch_form": _dispatch_form(user, item) if actions & {"dispatch", "reassign"} else None,
        "resolve_form": ResolveForm() if "resolve" in actions else None,
        "follow_up_form": FollowUpForm() if _can_follow_up(user, item) else None,
        "note_form": NoteForm() if can_write else None,
        "visit_form": VisitWindowForm() if _can_work(user, item) and item.is_open else None,
        "visit_window": visit_window_text(item.visit_from, item.visit_until),
        "cost_form": CostForm() if _can_work(user, item) and item.is_open else None,
        "decision_form": CostDecisionForm() if has_perm(user, Perm.REQUEST_DISPATCH) else None,
        **_complaint_forms(user, item),
        "link_form": LinkCallForm()
        if item.is_open and has_perm(user, Perm.REQUEST_CREATE)
        else None,
        "phrases": _filled_phrases(user, item) if can_write else [],
        "extra_links": request_links.links_for(user, item),
    }
    return render_page(request, "tickets/pages/workbench.html", None, context)


def _complaint_forms(user, item) -> dict:
    """The complaint procedure's forms the user may use now (services.complaints decides)."""
    if item.kind.code != "complaint":
        return {}
    desk = has_perm(user, Perm.REQUEST_DISPATCH)
    pending = any(s.state == RequestSolution.State.PROPOSED for s in item.solution_list)
    return {
        "is_complaint": True,
        "verify_form": VerifyForm()
        if desk and item.verified_at is None and item.status in VERIFIABLE
        else None,
        "solution_form": SolutionForm()
        if _can_work(user, item) and item.is_open and not pending
        else None,
        "solution_decision_form": SolutionDecisionForm() if desk else None,
    }


class _Blanks(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_phrase(text: str, values: dict) -> str:
    """A standard phrase with {number}, {due}, {department}, {caller}, {agent} filled in."""
    try:
        return text.format_map(_Blanks(values))
    except (ValueError, IndexError, AttributeError):  # a stray brace in an edited phrase
        return text


def _filled_phrases(user, item) -> list:
    values = {
        "number": item.number,
        "due": when(item.promised_at),
        "department": item.department.name if item.department_id else "",
        "caller": item.caller_name,
        "agent": user.display_name,
    }
    phrases = list(configuration.phrases_for(item.community_id))
    for phrase in phrases:
        phrase.filled = fill_phrase(phrase.text, values)
    return phrases


def _can_follow_up(user, item) -> bool:
    return item.status in ("resolved", "follow_up") and has_perm(user, Perm.REQUEST_FOLLOW_UP)


def _can_work(user, item) -> bool:
    from propdesk.tickets.services._common import require_on_request

    if item.status in ("closed", "cancelled"):
        return False
    try:
        require_on_request(user, Perm.REQUEST_WORK, item)
    except AppError:
        return False
    return True


def _done(request, item, message: str):
    messages.success(request, message)
    return redirect("request_detail", request_id=item.pk)


def _failed(request, item, exc: AppError):
    messages.error(request, str(exc.message))
    return redirect("request_detail", request_id=item.pk)


def _form_failed(request, item, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
    return redirect("request_detail", request_id=item.pk)


@require_POST
@console_view
def request_step(request, request_id: int, action: str):
    user = request.user
    item = selectors.request_for_user(user, request_id)
    if action not in STEPS:
        raise Http404
    details = {}
    if action in ("dispatch", "reassign"):
        form = _dispatch_form(user, item, request.POST)
    elif action == "resolve":
        form = ResolveForm(request.POST, request.FILES)
    else:
        form = StepForm(request.POST)
    if not form.is_valid():
        return _form_failed(request, item, form)
    if action in ("dispatch", "reassign"):
        details = {
            "department": form.cleaned_data["department"],
            "assignee": form.cleaned_data["assignee"],
            "round_robin": form.cleaned_data["round_robin"],
        }
    elif action == "resolve":
        details = {"photos": form.cleaned_data["photos"]}
    try:
        item = services.request_transition(
            actor=user, request=item, action=action, note=form.cleaned_data["note"], **details
        )
    except AppError as exc:
        return _failed(request, item, exc)
    return _done(
        request,
        item,
        _("%(number)s: %(step)s done.") % {"number": item.number, "step": STEPS[action].label},
    )


def _act(request, item, form, act, message: str):
    """One workbench action: the form parses (None when there is nothing to parse), the service
    decides, and the page says which; `act` receives the cleaned data (the message may read the
    request as the service left it)."""
    if form is not None and not form.is_valid():
        return _form_failed(request, item, form)
    try:
        result = act(form.cleaned_data if form is not None else {})
    except AppError as exc:
        return _failed(request, item, exc)
    if isinstance(result, ServiceRequest):
        item = result
    return _done(request, item, message(item) if callable(message) else message)


def _of_request(model, item, pk: int):
    """A cost or solution of this request, or 404 (never another request's)."""
    found = model.objects.filter(request=item, pk=pk).first()
    if found is None:
        raise Http404
    return found


def _follow_up_message(item) -> str:
    if item.status == "closed":
        return _("Follow-up recorded; the request is closed.")
    return _("Follow-up recorded; the request is reopened.")


@require_POST
@console_view
def follow_up_record(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    return _act(
        request,
        item,
        FollowUpForm(request.POST),
        lambda data: services.follow_up_record(actor=request.user, request=item, **data),
        _follow_up_message,
    )


@require_POST
@console_view
def follow_up_unreachable(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    note = request.POST.get("note", "")[:500]
    return _act(
        request,
        item,
        None,
        lambda data: services.follow_up_unreachable(actor=request.user, request=item, note=note),
        _("Unanswered call recorded."),
    )


@require_POST
@console_view
def note_add(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    return _act(
        request,
        item,
        NoteForm(request.POST, request.FILES),
        lambda data: services.note_add(actor=request.user, request=item, **data),
        _("Note added."),
    )


@require_POST
@console_view
def cost_propose(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    return _act(
        request,
        item,
        CostForm(request.POST),
        lambda data: services.cost_propose(actor=request.user, request=item, **data),
        _("The cost was sent to the owner to confirm."),
    )


@require_POST
@console_view
def cost_decide(request, request_id: int, cost_id: int):
    item = selectors.request_for_user(request.user, request_id)
    cost = _of_request(OwnerCost, item, cost_id)
    return _act(
        request,
        item,
        CostDecisionForm(request.POST),
        lambda data: services.cost_decide(actor=request.user, cost=cost, **data),
        _("The owner's answer is recorded."),
    )


@console_view
def photo_download(request, request_id: int, photo_id: int):
    item = selectors.request_for_user(request.user, request_id)
    photo = _of_request(RequestPhoto, item, photo_id)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


@require_POST
@console_view
def complaint_verify(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    return _act(
        request,
        item,
        VerifyForm(request.POST),
        lambda data: services.complaint_verify(actor=request.user, request=item, **data),
        _("The complaint is verified."),
    )


@require_POST
@console_view
def solution_propose(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    return _act(
        request,
        item,
        SolutionForm(request.POST),
        lambda data: services.solution_propose(actor=request.user, request=item, **data),
        _("The solution was sent to the owner to agree."),
    )


@require_POST
@console_view
def solution_decide(request, request_id: int, solution_id: int):
    item = selectors.request_for_user(request.user, request_id)
    solution = _of_request(RequestSolution, item, solution_id)
    return _act(
        request,
        item,
        SolutionDecisionForm(request.POST),
        lambda data: services.solution_decide(actor=request.user, solution=solution, **data),
        _("The owner's answer is recorded."),
    )


@require_POST
@console_view
def follow_up_sms(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    base_url = request.build_absolute_uri("/")
    return _act(
        request,
        item,
        None,
        lambda data: services.follow_up_link_send(
            actor=request.user, request=item, base_url=base_url
        ),
        _("The follow-up was sent by SMS; the owner answers on the portal."),
    )


@require_POST
@console_view
def visit_window_set(request, request_id: int):
    item = selectors.request_for_user(request.user, request_id)
    form = VisitWindowForm(request.POST)

    def promise(data):
        start, end = form.window()
        return services.visit_window_set(
            actor=request.user, request=item, visit_from=start, visit_until=end, note=data["note"]
        )

    return _act(request, item, form, promise, _("The visit window is promised to the owner."))
