"""Document register pages: search and filter, register (with a scan), detail with the lending
log and history, move, lend, return, download the scan."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError
from propdesk.core.permissions import Perm, communities_for, require
from propdesk.core.views import console_view, form_page, render_page
from propdesk.custody import forms, selectors
from propdesk.custody.models import DocumentCategory, RegisteredDocumentStatus
from propdesk.custody.services import register
from propdesk.custody.views._common import house_by_code, paginate


@console_view
def document_list(request):
    user = request.user
    require(user, Perm.DOCUMENTS_REGISTER)
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    filters = {
        "q": request.GET.get("q", "").strip()[:60],
        "category": category if category in DocumentCategory.values else "",
        "status": status if status in RegisteredDocumentStatus.values else "",
    }
    context = {
        "page": paginate(request, selectors.document_list(user, **filters)),
        "filters": filters,
        "categories": DocumentCategory.choices,
        "statuses": RegisteredDocumentStatus.choices,
    }
    return render_page(request, "custody/pages/document_list.html", None, context)


@console_view
def document_new(request):
    user = request.user
    require(user, Perm.DOCUMENTS_REGISTER)
    form = forms.DocumentForm(
        request.POST or None, request.FILES or None, communities=communities_for(user)
    )

    def save(data):
        community = data["community"]
        return register.document_register(
            actor=user,
            community=community,
            category=data["category"],
            title=data["title"],
            location=data["location"],
            counterparty=data["counterparty"],
            reference=data["reference"],
            dated=data["dated"],
            house=house_by_code(community, data["house_code"]),
            keywords=data["keywords"],
            scan=data["scan"],
        )

    return form_page(
        request,
        form=form,
        title=_("Register a document"),
        save=save,
        success_url=lambda d: reverse("custody_document_detail", args=[d.id]),
        cancel_url=reverse("custody_documents"),
        success_message=_("Document registered."),
    )


@console_view
def document_detail(request, document_id):
    document = selectors.document_for_user(request.user, document_id)
    context = {
        "document": document,
        "loans": selectors.document_loans(document),
        "events": selectors.timeline(document),
    }
    return render_page(request, "custody/pages/document_detail.html", None, context)


@console_view
def document_move(request, document_id):
    user = request.user
    document = selectors.document_for_user(user, document_id)
    form = forms.DocumentMoveForm(request.POST or None, initial={"location": document.location})
    return form_page(
        request,
        form=form,
        title=_("File %(number)s elsewhere") % {"number": document.number},
        save=lambda data: register.document_move(
            actor=user, document=document, location=data["location"]
        ),
        success_url=reverse("custody_document_detail", args=[document.id]),
        cancel_url=reverse("custody_document_detail", args=[document.id]),
        success_message=_("Saved."),
    )


@console_view
def document_lend(request, document_id):
    user = request.user
    document = selectors.document_for_user(user, document_id)
    form = forms.DocumentLendForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Lend %(number)s") % {"number": document.number},
        save=lambda data: register.document_lend(actor=user, document=document, **data),
        success_url=reverse("custody_document_detail", args=[document.id]),
        cancel_url=reverse("custody_document_detail", args=[document.id]),
        success_message=_("Document lent."),
    )


@console_view
@require_POST
def document_return(request, document_id):
    user = request.user
    document = selectors.document_for_user(user, document_id)
    try:
        register.document_return(actor=user, document=document)
    except AppError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Document returned."))
    return redirect("custody_document_detail", document.id)


@console_view
def document_scan(request, document_id):
    document = selectors.document_for_user(request.user, document_id)
    if not document.scan:
        raise Http404
    try:
        handle = document.scan.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.scan_name or document.number,
        content_type=document.scan_type or "application/octet-stream",
    )
