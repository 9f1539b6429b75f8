"""Move-in pages: the list, starting from a house and the person who came, and the tracked
checklist with its ten steps (DOMAIN.md §4)."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, form_error, render_page
from propdesk.estates.models import EntrustedAgent, Owner
from propdesk.frontdesk import documents, selectors
from propdesk.frontdesk.forms import MoveInStartForm, ReasonForm, ScanForm, StepForm
from propdesk.frontdesk.models import MoveInStatus
from propdesk.frontdesk.services import move_in as services
from propdesk.frontdesk.views._common import form_errors, list_context, list_filters, run
from propdesk.frontdesk.views.houses import house_from_request


@console_view
def move_in_list(request):
    require(request.user, Perm.FRONTDESK_VIEW)
    rows = selectors.move_in_list(request.user, **list_filters(request))
    context = list_context(request, rows, MoveInStatus.choices)
    return render_page(request, "frontdesk/pages/move_in_list.html", None, context)


def _people(house):
    today = timezone.localdate()
    owners = Owner.objects.filter(
        ownerships__house=house, ownerships__end_on__isnull=True
    ).distinct()
    agents = EntrustedAgent.objects.filter(house=house, revoked_at__isnull=True).exclude(
        valid_until__lt=today
    )
    return owners, agents


@console_view
def move_in_new(request):
    require(request.user, Perm.MOVE_IN)
    house, find = house_from_request(request)
    if house is None:
        context = {**find, "title": _("Start a move-in")}
        return render_page(request, "frontdesk/pages/find_house.html", None, context)
    owners, agents = _people(house)
    form = MoveInStartForm(
        request.POST or None,
        owners=owners,
        agents=agents,
        initial={"applicant_kind": "owner", "owner": owners.first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move_in = services.move_in_start(
                actor=request.user,
                house=house,
                owner=data["owner"],
                applicant_kind=data["applicant_kind"],
                agent=data["agent"],
                person_name=data["person_name"],
                person_mobile=data["person_mobile"],
                note=data["note"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            return redirect("frontdesk_move_in_detail", move_in_id=move_in.id)
    status = 400 if form.is_bound and form.errors else 200
    context = {"house": house, "form": form, "has_owner": owners.exists()}
    return render_page(request, "frontdesk/pages/move_in_new.html", None, context, status=status)


@console_view
def move_in_detail(request, move_in_id: int):
    user = request.user
    move_in = selectors.move_in_detail(user, move_in_id)
    can_act = has_perm(user, Perm.MOVE_IN) and move_in.status == MoveInStatus.IN_PROGRESS
    context = {
        "move_in": move_in,
        "can_act": can_act,
        "can_inspect": has_perm(user, Perm.INSPECTION_RECORD),
        "step_form": StepForm(),
        "scan_form": ScanForm(),
        "cancel_form": ReasonForm(),
    }
    return render_page(request, "frontdesk/pages/move_in_detail.html", None, context)


def _back(move_in_id: int) -> str:
    return reverse("frontdesk_move_in_detail", args=[move_in_id])


@require_POST
@console_view
def move_in_item(request, move_in_id: int, group: str, code: str):
    move_in = selectors.move_in_for_user(request.user, move_in_id)
    checked = request.POST.get("checked") == "1"
    return run(
        request,
        lambda: services.move_in_item_set(
            actor=request.user, move_in=move_in, group=group, code=code, checked=checked
        ),
        success=_("Checklist updated."),
        back=_back(move_in_id) + "#checklist",
    )


@require_POST
@console_view
def move_in_scan(request, move_in_id: int, code: str):
    move_in = selectors.move_in_for_user(request.user, move_in_id)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_back(move_in_id))
    return run(
        request,
        lambda: services.move_in_document_scan(
            actor=request.user, move_in=move_in, code=code, uploaded=form.cleaned_data["file"]
        ),
        success=_("The scan is filed in the archive."),
        back=_back(move_in_id) + "#checklist",
    )


@require_POST
@console_view
def move_in_step(request, move_in_id: int, code: str):
    move_in = selectors.move_in_for_user(request.user, move_in_id)
    form = StepForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_back(move_in_id))
    return run(
        request,
        lambda: services.move_in_step_complete(
            actor=request.user, move_in=move_in, code=code, note=form.cleaned_data["note"]
        ),
        success=_("Step done."),
        back=_back(move_in_id) + "#steps",
    )


@require_POST
@console_view
def move_in_cancel(request, move_in_id: int):
    move_in = selectors.move_in_for_user(request.user, move_in_id)
    return run(
        request,
        lambda: services.move_in_cancel(
            actor=request.user, move_in=move_in, reason=request.POST.get("reason", "")
        ),
        success=_("The move-in is cancelled."),
        back=_back(move_in_id),
    )


@console_view
def move_in_pdf(request, move_in_id: int):
    move_in = selectors.move_in_detail(request.user, move_in_id)
    response = HttpResponse(documents.move_in_record_pdf(move_in), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="move-in-{move_in.number}.pdf"'
    return response
