"""Fee transparency pages (收支公示): the publications of a supervisor's communities, one
publication with its income, spending (entered or imported from Excel after a check), its
submission, the second person's review and corrections; and the owners' pages on the portal."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError, PermissionDenied, ValidationFailed
from propdesk.core.permissions import Perm, communities_for, has_perm, require
from propdesk.core.views import console_view, form_error, owner_view, paginate, render_page
from propdesk.operations import forms, selectors
from propdesk.operations.models import PublicationStatus
from propdesk.operations.services import publication as service
from propdesk.operations.views.equipment import _community_filter


@console_view
def publication_list(request, form=None):
    user = request.user
    require(user, Perm.PUBLICATION_PREPARE)
    communities = communities_for(user, Perm.PUBLICATION_PREPARE)
    rows = selectors.publications(user, community_id=_community_filter(request, user))
    context = {
        "page": paginate(request, rows),
        "form": form or forms.PublicationForm(communities=communities),
    }
    status = 400 if form is not None and form.errors else 200
    return render_page(request, "operations/publication_list.html", None, context, status=status)


@require_POST
@console_view
def publication_new(request):
    user = request.user
    require(user, Perm.PUBLICATION_PREPARE)
    form = forms.PublicationForm(
        request.POST, communities=communities_for(user, Perm.PUBLICATION_PREPARE)
    )
    if form.is_valid():
        try:
            publication = service.publication_prepare(actor=user, **form.cleaned_data)
        except AppError as exc:
            form_error(form, exc)
        else:
            return redirect("operations_publication", publication_id=publication.pk)
    return publication_list(request, form=form)


def _detail(request, publication, *, status=200, **bound):
    user = request.user
    is_draft = publication.status == PublicationStatus.DRAFT
    can_prepare = has_perm(user, Perm.PUBLICATION_PREPARE)
    context = {
        "publication": publication,
        **selectors.publication_lines(publication),
        "versions": selectors.publication_versions(publication),
        "can_edit": is_draft and can_prepare,
        "can_review": publication.status == PublicationStatus.SUBMITTED
        and has_perm(user, Perm.PUBLICATION_REVIEW)
        and publication.prepared_by_id != user.pk,
        "waits_for_other": publication.status == PublicationStatus.SUBMITTED
        and publication.prepared_by_id == user.pk,
        "can_correct": publication.status == PublicationStatus.PUBLISHED and can_prepare,
        "spending_form": bound.get("spending_form") or forms.SpendingForm(),
        "import_form": bound.get("import_form") or forms.SpendingImportForm(),
        "review_form": bound.get("review_form") or forms.ReviewForm(),
        "correction_form": bound.get("correction_form") or forms.CorrectionForm(),
        "check": bound.get("check"),
    }
    return render_page(request, "operations/publication.html", None, context, status=status)


@console_view
def publication_detail(request, publication_id: int):
    return _detail(request, selectors.publication_get(request.user, publication_id))


def _act(request, publication, form_name: str, form, action):
    """Run `action(cleaned_data)` for a valid form; the page again with the error otherwise."""
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except PermissionDenied:
            raise  # the 403 page: a role or the four-eyes rule, not a field to correct
        except AppError as exc:
            form_error(form, exc)
        else:
            return result
    publication.refresh_from_db()
    return _detail(request, publication, status=400, **{form_name: form})


@require_POST
@console_view
def publication_spending(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)

    def add(data):
        service.spending_add(actor=user, publication=publication, **data)
        return redirect("operations_publication", publication_id=publication.pk)

    return _act(request, publication, "spending_form", forms.SpendingForm(request.POST), add)


@require_POST
@console_view
def publication_spending_remove(request, publication_id: int, line_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)
    try:
        service.spending_remove(actor=user, publication=publication, line_id=line_id)
    except AppError as exc:
        messages.error(request, exc.message)
    return redirect("operations_publication", publication_id=publication.pk)


@require_POST
@console_view
def publication_import(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)
    form = forms.SpendingImportForm(request.POST, request.FILES)

    def run(data):
        result = service.spending_import(
            actor=user, publication=publication, upload=data["file"], dry_run=data["dry_run"]
        )
        if result.written:
            messages.success(request, _("%(n)d spending lines imported.") % {"n": result.good})
            return redirect("operations_publication", publication_id=publication.pk)
        publication.refresh_from_db()
        return _detail(
            request,
            publication,
            status=400 if result.errors else 200,
            import_form=forms.SpendingImportForm(),
            check=result,
        )

    return _act(request, publication, "import_form", form, run)


@require_POST
@console_view
def publication_refresh(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)
    try:
        service.publication_income_refresh(actor=user, publication=publication)
    except AppError as exc:
        messages.error(request, exc.message)
    return redirect("operations_publication", publication_id=publication.pk)


@require_POST
@console_view
def publication_submit(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)
    try:
        service.publication_submit(actor=user, publication=publication)
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sent for review: a second person publishes it."))
    return redirect("operations_publication", publication_id=publication.pk)


@require_POST
@console_view
def publication_review(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)
    approve = request.POST.get("decision") == "publish"
    if request.POST.get("decision") not in ("publish", "return"):
        form = forms.ReviewForm(request.POST)
        form.is_valid()
        form_error(form, ValidationFailed(_("Publish or send back."), field=None))
        return _detail(request, publication, status=400, review_form=form)

    def review(data):
        service.publication_review(
            actor=user, publication=publication, approve=approve, note=data["note"]
        )
        messages.success(
            request, _("Published to the owners.") if approve else _("Sent back to be changed.")
        )
        return redirect("operations_publication", publication_id=publication.pk)

    return _act(request, publication, "review_form", forms.ReviewForm(request.POST), review)


@require_POST
@console_view
def publication_correct(request, publication_id: int):
    user = request.user
    publication = selectors.publication_get(user, publication_id)

    def correct(data):
        new = service.publication_correct(
            actor=user, publication=publication, reason=data["reason"]
        )
        return redirect("operations_publication", publication_id=new.pk)

    return _act(
        request, publication, "correction_form", forms.CorrectionForm(request.POST), correct
    )


# --- owners (/m/fees/published/) ------------------------------------------------------------


@owner_view
def owner_publication_list(request):
    rows = selectors.publications_for_owner(request.user)
    return render(request, "operations/portal/publication_list.html", {"rows": rows[:100]})


@owner_view
def owner_publication_detail(request, publication_id: int):
    publication = selectors.publication_for_owner(request.user, publication_id)
    context = {
        "publication": publication,
        **selectors.publication_lines(publication),
        "versions": [
            v
            for v in selectors.publication_versions(publication)
            if v.status in (PublicationStatus.PUBLISHED, PublicationStatus.SUPERSEDED)
        ],
    }
    return render(request, "operations/portal/publication.html", context)
