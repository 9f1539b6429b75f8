"""Key register pages: list, register, detail with loans and timeline, lend, return, move,
retire; and the warranty contractors' register."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.accounts.models import User
from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, communities_for, has_perm, require
from propdesk.core.views import console_view, form_page, render_page
from propdesk.custody import forms, selectors
from propdesk.custody.models import KeyKind, KeyStatus, LoanPurpose
from propdesk.custody.services import keys
from propdesk.custody.views._common import as_int, house_by_code, paginate, staff_choices
from propdesk.estates.models import ArchiveDocument, DocumentType, EntrustedAgent, Owner


@console_view
def key_list(request):
    user = request.user
    require(user, Perm.FRONTDESK_VIEW)
    filters = {
        "q": request.GET.get("q", "").strip()[:60],
        "status": request.GET.get("status") if request.GET.get("status") in KeyStatus else "",
        "kind": request.GET.get("kind") if request.GET.get("kind") in KeyKind else "",
        "overdue": request.GET.get("overdue") == "1",
    }
    page = paginate(request, selectors.key_list(user, **filters))
    context = {
        "page": page,
        "filters": filters,
        "statuses": KeyStatus.choices,
        "kinds": KeyKind.choices,
        "can_manage": has_perm(user, Perm.KEYS_MANAGE),
    }
    return render_page(request, "custody/pages/key_list.html", None, context)


@console_view
def key_new(request):
    user = request.user
    require(user, Perm.KEYS_MANAGE)
    form = forms.KeyForm(request.POST or None, communities=communities_for(user))

    def save(data):
        community = data["community"]
        return keys.key_register(
            actor=user,
            community=community,
            kind=data["kind"],
            label=data["label"],
            location=data["location"],
            house=house_by_code(community, data["house_code"]),
            copies=data["copies"],
            note=data["note"],
        )

    return form_page(
        request,
        form=form,
        title=_("Register a key"),
        save=save,
        success_url=lambda key: reverse("custody_key_detail", args=[key.id]),
        cancel_url=reverse("custody_keys"),
        success_message=_("Key registered."),
    )


@console_view
def key_detail(request, key_id):
    user = request.user
    key = selectors.key_for_user(user, key_id)
    loan = key.open_loans[0] if key.open_loans else None
    purposes = (
        [LoanPurpose.OWNER, LoanPurpose.AGENT, LoanPurpose.WARRANTY]
        if key.kind == KeyKind.HOUSE
        else [LoanPurpose.STAFF]
    )
    context = {
        "key": key,
        "loan": loan,
        "loans": selectors.key_loans(key),
        "events": selectors.timeline(key),
        "purposes": [(p.value, p.label) for p in purposes],
        "can_manage": has_perm(user, Perm.KEYS_MANAGE),
    }
    return render_page(request, "custody/pages/key_detail.html", None, context)


def _lend_choices(key) -> dict:
    house = key.house
    owners = (
        Owner.objects.filter(ownerships__house=house, ownerships__end_on__isnull=True).distinct()
        if house
        else Owner.objects.none()
    )
    return {
        "owners": [(str(o.pk), o.name) for o in owners],
        "agents": [
            (str(a.pk), a.name)
            for a in EntrustedAgent.objects.filter(house=house, revoked_at__isnull=True)
        ]
        if house
        else [],
        "letters": [
            (str(d.pk), f"{d.archive_number} {d.title}".strip())
            for d in ArchiveDocument.objects.filter(
                house=house, doc_type=DocumentType.POWER_OF_ATTORNEY
            )
        ]
        if house
        else [],
        "contractors": [
            (str(c.pk), str(c)) for c in selectors.contractor_list_for_community(key.community_id)
        ],
        "staff": staff_choices(key.community_id),
    }


def _pick(model_queryset, value):
    pk = as_int(value)
    return model_queryset.filter(pk=pk).first() if pk else None


@console_view
def key_lend(request, key_id):
    user = request.user
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    purpose = request.GET.get("purpose") or request.POST.get("purpose") or ""
    if purpose not in LoanPurpose.values:
        purpose = LoanPurpose.OWNER if key.kind == KeyKind.HOUSE else LoanPurpose.STAFF
    form = forms.LendForm(request.POST or None, purpose=purpose, choices=_lend_choices(key))

    def save(data):
        community_id = key.community_id
        return keys.key_lend(
            actor=user,
            key=key,
            purpose=purpose,
            id_checked=data.get("id_checked", False),
            owner=_pick(Owner.objects.filter(community_id=community_id), data.get("owner")),
            agent=_pick(
                EntrustedAgent.objects.filter(community_id=community_id), data.get("agent")
            ),
            contractor=_pick(
                selectors.contractor_list_for_community(community_id), data.get("contractor")
            ),
            borrower_name=data.get("borrower_name", ""),
            borrower_id_number=data.get("borrower_id_number", ""),
            staff=_pick(User.objects.all(), data.get("staff")),
            witness=_pick(User.objects.all(), data.get("witness")),
            authority_letter=_pick(
                ArchiveDocument.objects.filter(community_id=community_id),
                data.get("authority_letter"),
            ),
            confirming_owner=_pick(
                Owner.objects.filter(community_id=community_id), data.get("confirming_owner")
            ),
            owner_confirmation=data.get("owner_confirmation", ""),
            reason=data.get("reason", ""),
            due_at=data.get("due_at"),
        )

    return form_page(
        request,
        form=form,
        title=_("Lend key %(label)s: %(purpose)s")
        % {"label": key.label, "purpose": LoanPurpose(purpose).label},
        save=save,
        success_url=reverse("custody_key_detail", args=[key.id]),
        cancel_url=reverse("custody_key_detail", args=[key.id]),
        success_message=_("Key lent."),
        template="custody/pages/lend_form.html",
        extra={"key": key, "purpose": purpose},
    )


@console_view
@require_POST
def key_return(request, key_id):
    user = request.user
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    try:
        loan = keys.key_return(actor=user, key=key, note=request.POST.get("note", ""))
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        if loan.purpose == LoanPurpose.WARRANTY:
            messages.success(request, _("Key returned; the repair lead was asked to inspect."))
        else:
            messages.success(request, _("Key returned."))
    return redirect("custody_key_detail", key.id)


@console_view
def key_edit(request, key_id):
    user = request.user
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    form = forms.KeyEditForm(
        request.POST or None,
        initial={"location": key.location, "copies": key.copies, "note": key.note},
    )
    return form_page(
        request,
        form=form,
        title=_("Move or edit key %(label)s") % {"label": key.label},
        save=lambda data: keys.key_update(actor=user, key=key, **data),
        success_url=reverse("custody_key_detail", args=[key.id]),
        cancel_url=reverse("custody_key_detail", args=[key.id]),
        success_message=_("Saved."),
    )


@console_view
def key_retire(request, key_id):
    user = request.user
    key = selectors.key_for_user(user, key_id, Perm.KEYS_MANAGE)
    form = forms.ReasonForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Retire key %(label)s") % {"label": key.label},
        save=lambda data: keys.key_retire(actor=user, key=key, reason=data["reason"]),
        success_url=reverse("custody_key_detail", args=[key.id]),
        cancel_url=reverse("custody_key_detail", args=[key.id]),
        success_message=_("Key retired."),
        extra={"intro": _("A retired key can no longer be lent. This cannot be undone.")},
    )


# --- contractors --------------------------------------------------------------------------------


@console_view
def contractor_list(request):
    user = request.user
    require(user, Perm.FRONTDESK_VIEW)
    context = {
        "page": paginate(request, selectors.contractor_list(user)),
        "can_manage": has_perm(user, Perm.KEYS_MANAGE),
    }
    return render_page(request, "custody/pages/contractor_list.html", None, context)


@console_view
def contractor_new(request):
    user = request.user
    require(user, Perm.KEYS_MANAGE)
    form = forms.ContractorForm(request.POST or None, communities=communities_for(user))
    return form_page(
        request,
        form=form,
        title=_("Add a warranty contractor"),
        save=lambda data: keys.contractor_add(actor=user, **data),
        success_url=reverse("custody_contractors"),
        cancel_url=reverse("custody_contractors"),
        success_message=_("Contractor added."),
    )


@console_view
@require_POST
def contractor_toggle(request, contractor_id):
    user = request.user
    contractor = selectors.contractor_for_user(user, contractor_id)
    keys.contractor_set_active(actor=user, contractor=contractor, active=not contractor.active)
    messages.success(request, _("Saved."))
    return redirect("custody_contractors")
