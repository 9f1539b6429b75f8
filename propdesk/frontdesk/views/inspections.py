"""House-inspection pages (一房一验): the list, starting one, recording each line with a photo,
submitting (failed lines become repair requests) and re-inspecting."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, render_page
from propdesk.frontdesk import selectors
from propdesk.frontdesk.forms import ResultForm
from propdesk.frontdesk.models import InspectionStatus
from propdesk.frontdesk.services import inspection as services
from propdesk.frontdesk.views._common import form_errors, list_context, list_filters, run
from propdesk.frontdesk.views.houses import house_from_request


@console_view
def inspection_list(request):
    require(request.user, Perm.FRONTDESK_VIEW)
    rows = selectors.inspection_list(request.user, **list_filters(request))
    context = list_context(request, rows, InspectionStatus.choices)
    return render_page(request, "frontdesk/pages/inspection_list.html", None, context)


@console_view
def inspection_new(request):
    """Find the house (GET), then start its inspection (POST, optionally for its move-in)."""
    require(request.user, Perm.INSPECTION_RECORD)
    house, find = house_from_request(request)
    if house is None:
        context = {**find, "title": _("Start a house inspection")}
        return render_page(request, "frontdesk/pages/find_house.html", None, context)
    if request.method != "POST":
        context = {"house": house, "move_in_id": request.GET.get("move_in", "")}
        return render_page(request, "frontdesk/pages/inspection_new.html", None, context)
    move_in = None
    move_in_id = request.POST.get("move_in", "")
    if move_in_id.isdigit():
        move_in = selectors.move_in_for_user(request.user, move_in_id)
    started = {}

    def start():
        started["inspection"] = services.inspection_start(
            actor=request.user, house=house, move_in=move_in
        )

    response = run(
        request,
        start,
        success=_("The inspection is open: record every item."),
        back=request.get_full_path(),
    )
    if "inspection" in started:
        return redirect("frontdesk_inspection_detail", inspection_id=started["inspection"].id)
    return response


@console_view
def inspection_detail(request, inspection_id: int):
    inspection = selectors.inspection_detail(request.user, inspection_id)
    can_record = (
        has_perm(request.user, Perm.INSPECTION_RECORD)
        and inspection.status == InspectionStatus.OPEN
    )
    context = {
        "inspection": inspection,
        "can_record": can_record,
        "can_reinspect": has_perm(request.user, Perm.INSPECTION_RECORD)
        and inspection.status == InspectionStatus.DEFECTS,
        "result_form": ResultForm(),
    }
    return render_page(request, "frontdesk/pages/inspection_detail.html", None, context)


def _back(inspection_id: int) -> str:
    return reverse("frontdesk_inspection_detail", args=[inspection_id])


@require_POST
@console_view
def inspection_result(request, inspection_id: int, result_id: int):
    result = selectors.inspection_result_for_user(request.user, result_id)
    if result.inspection_id != inspection_id:
        raise Http404
    form = ResultForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(_back(inspection_id) + f"#result-{result.position}")
    data = form.cleaned_data
    return run(
        request,
        lambda: services.inspection_result_record(
            actor=request.user,
            result=result,
            outcome=data["outcome"],
            note=data["note"],
            photo=data["photo"],
        ),
        success=_("%(item)s recorded.") % {"item": result.name},
        back=_back(inspection_id) + f"#result-{result.position}",
    )


@require_POST
@console_view
def inspection_submit(request, inspection_id: int):
    inspection = selectors.inspection_for_user(request.user, inspection_id)
    return run(
        request,
        lambda: services.inspection_submit(actor=request.user, inspection=inspection),
        success=_("The inspection is submitted; failed items are filed as repair requests."),
        back=_back(inspection_id),
    )


@require_POST
@console_view
def reinspection_start(request, inspection_id: int):
    inspection = selectors.inspection_for_user(request.user, inspection_id)
    started = {}

    def start():
        started["inspection"] = services.reinspection_start(
            actor=request.user, inspection=inspection
        )

    response = run(request, start, success=_("Re-inspection opened."), back=_back(inspection_id))
    if "inspection" in started:
        return redirect("frontdesk_inspection_detail", inspection_id=started["inspection"].id)
    return response


@console_view
def inspection_photo(request, result_id: int):
    result = selectors.inspection_result_for_user(request.user, result_id)
    if not result.photo:
        raise Http404
    return FileResponse(result.photo.open("rb"), content_type=result.photo_type or "image/jpeg")
