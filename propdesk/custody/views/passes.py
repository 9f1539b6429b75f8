"""Release pass pages: list, apply for a house's resident, detail with the QR code, approve,
reject, cancel, print; and the phone-sized gate page where a guard checks and uses a pass."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from propdesk.core import audit
from propdesk.core.cleaning import clean_date
from propdesk.core.errors import AppError, NotFound, ValidationFailed
from propdesk.core.masking import mask_plate
from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, form_page, render_page
from propdesk.custody import forms, selectors
from propdesk.custody.models import PassStatus
from propdesk.custody.printing import pass_pdf, qr_svg
from propdesk.custody.services import passes
from propdesk.custody.views._common import as_int, paginate
from propdesk.estates.house_lookup import house_lookup
from propdesk.estates.models import EntrustedAgent, House, Owner, Resident

STATE_CHOICES = [
    ("pending", PassStatus.PENDING.label),
    ("approved", PassStatus.APPROVED.label),
    ("expired", gettext_lazy("Expired")),
    ("used", PassStatus.USED.label),
    ("rejected", PassStatus.REJECTED.label),
    ("cancelled", PassStatus.CANCELLED.label),
]


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@console_view
def pass_list(request):
    user = request.user
    require(user, Perm.FRONTDESK_VIEW)
    state = request.GET.get("state", "")
    filters = {
        "q": request.GET.get("q", "").strip()[:60],
        "state": state if state in selectors.PASS_STATES else "",
    }
    release_on = None
    if request.GET.get("date"):
        try:
            release_on = clean_date("date", request.GET["date"][:10])
        except AppError:  # a bad date in the address: no date filter
            release_on = None
    page = paginate(request, selectors.pass_list(user, release_on=release_on, **filters))
    context = {
        "page": page,
        "filters": {**filters, "date": release_on.isoformat() if release_on else ""},
        "states": STATE_CHOICES,
        "can_issue": has_perm(user, Perm.RELEASE_ISSUE),
        "can_check": has_perm(user, Perm.RELEASE_CHECK),
    }
    return render_page(request, "custody/pages/pass_list.html", None, context)


def _applicants(house: House) -> list[tuple[str, str]]:
    """Everyone linked to the house today, as "kind:id" choices."""
    today = timezone.localdate()
    choices = [
        (f"owner:{o.pk}", f"{o.name} · {_('Owner')}")
        for o in Owner.objects.filter(
            ownerships__house=house, ownerships__end_on__isnull=True
        ).distinct()
    ]
    choices += [
        (f"resident:{r.pk}", f"{r.name} · {r.get_relation_display()}")
        for r in Resident.objects.filter(house=house)
        if passes.applicant_is_linked(r, house, today)
    ]
    choices += [
        (f"agent:{a.pk}", f"{a.name} · {_('Entrusted agent')}")
        for a in EntrustedAgent.objects.filter(house=house, revoked_at__isnull=True)
        if passes.applicant_is_linked(a, house, today)
    ]
    return choices


APPLICANT_MODELS = {"owner": Owner, "resident": Resident, "agent": EntrustedAgent}


def _applicant(house: House, value: str):
    kind, _sep, pk = (value or "").partition(":")
    model = APPLICANT_MODELS.get(kind)
    found = (
        model.objects.filter(pk=as_int(pk), community_id=house.community_id).first()
        if (model)
        else None
    )
    if found is None:
        raise ValidationFailed(_("Choose who applies for the pass."), field="applicant")
    return found


@console_view
def pass_new(request):
    """Step 1: find the house by its code; step 2: the application for someone linked to it."""
    user = request.user
    require(user, Perm.RELEASE_ISSUE)
    # The house travels by id (links, and a hidden field of the form); a typed code offers every
    # matching house with its community through the shared lookup.
    lookup = house_lookup(request, perm=Perm.RELEASE_ISSUE)
    house = lookup.house
    if house is None:
        context = {"lookup": lookup, "code": lookup.code, "not_found": bool(lookup.error)}
        return render_page(request, "custody/pages/pass_house.html", None, context)
    form = forms.PassForm(
        request.POST or None,
        applicants=_applicants(house),
        initial={"house": house.pk, "release_on": timezone.localdate().isoformat()},
    )

    def save(data):
        return passes.release_pass_apply(
            actor=user,
            house=house,
            applicant=_applicant(house, data["applicant"]),
            items=data["items"],
            release_on=data["release_on"],
            vehicle_plate=data["vehicle_plate"],
            organisation=data["organisation"],
        )

    return form_page(
        request,
        form=form,
        title=_("Release pass for %(house)s · %(community)s")
        % {"house": house.code, "community": house.community.name},
        save=save,
        success_url=lambda p: reverse("custody_pass_detail", args=[p.id]),
        cancel_url=reverse("custody_passes"),
        success_message=_("Application recorded."),
    )


@console_view
def pass_detail(request, pass_id):
    user = request.user
    release_pass = selectors.pass_for_user(user, pass_id)
    context = {
        "release_pass": release_pass,
        "plate": mask_plate(release_pass.vehicle_plate),
        "qr": qr_svg(release_pass, _base_url(request)),
        "events": selectors.timeline(release_pass),
        "can_issue": has_perm(user, Perm.RELEASE_ISSUE),
        "can_check": has_perm(user, Perm.RELEASE_CHECK),
        "reject_form": forms.ReasonForm(),
    }
    return render_page(request, "custody/pages/pass_detail.html", None, context)


def _decide(request, pass_id, action):
    user = request.user
    release_pass = selectors.pass_for_user(user, pass_id, Perm.RELEASE_ISSUE)
    try:
        if action == "approve":
            passes.release_pass_approve(
                actor=user, release_pass=release_pass, note=request.POST.get("note", "")
            )
            messages.success(request, _("Pass approved."))
        elif action == "reject":
            passes.release_pass_reject(
                actor=user, release_pass=release_pass, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Pass rejected."))
        else:
            passes.release_pass_cancel(
                actor=user, release_pass=release_pass, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Pass cancelled."))
    except AppError as exc:
        messages.error(request, str(exc.message))
    return redirect("custody_pass_detail", release_pass.id)


@console_view
@require_POST
def pass_approve(request, pass_id):
    return _decide(request, pass_id, "approve")


@console_view
@require_POST
def pass_reject(request, pass_id):
    return _decide(request, pass_id, "reject")


@console_view
@require_POST
def pass_cancel(request, pass_id):
    return _decide(request, pass_id, "cancel")


@console_view
def pass_print(request, pass_id):
    release_pass = selectors.pass_for_user(request.user, pass_id)
    response = HttpResponse(pass_pdf(release_pass, _base_url(request)), "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pass-{release_pass.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- the gate (phone-sized) ---------------------------------------------------------------------


@console_view
def gate(request):
    """Scan or type a pass code; show the pass and whether the goods may leave."""
    user = request.user
    require(user, Perm.RELEASE_CHECK)
    typed = (request.GET.get("code") or "").strip()
    context = {"typed": typed[:100], "release_pass": None, "error": "", "refusal": None}
    status = 200
    if typed:
        try:
            release_pass = passes.pass_for_gate(user, typed)
        except (ValidationFailed, NotFound) as exc:
            context["error"] = str(exc.message)
            status = 404 if isinstance(exc, NotFound) else 400
        else:
            # The gate shows the plate in full: the guard compares it with the car. Every other
            # page and list masks it; this read is logged like a reveal.
            plate = release_pass.vehicle_plate
            if plate:
                audit.record_access(
                    actor=user, subject=release_pass, field="plate", reason="gate check"
                )
            context.update(
                release_pass=release_pass,
                plate=plate,
                refusal=passes.gate_refusal(release_pass),
            )
    return render_page(request, "custody/pages/gate.html", None, context, status=status)


@console_view
@require_POST
def gate_use(request):
    user = request.user
    require(user, Perm.RELEASE_CHECK)
    typed = request.POST.get("code", "")
    try:
        release_pass = passes.pass_for_gate(user, typed)
        passes.release_pass_use(
            actor=user, release_pass=release_pass, note=request.POST.get("note", "")
        )
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Recorded: the goods left."))
    return redirect(f"{reverse('custody_gate')}?code={passes.parse_pass_code_or_blank(typed)}")
