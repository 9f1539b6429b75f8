"""The desk's page for link requests: check the papers, then approve (recorded in the registry)
or reject with the reason. A console page: staff only, PORTAL_LINK_VERIFY."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.core.errors import AppError
from propdesk.core.masking import mask_mobile
from propdesk.core.permissions import Perm, require
from propdesk.core.views import console_view, form_error
from propdesk.estates.models import Owner
from propdesk.portal import selectors
from propdesk.portal.forms import LinkDecisionForm
from propdesk.portal.models import LinkRequest
from propdesk.portal.services import links


@console_view
def link_requests(request):
    require(request.user, Perm.PORTAL_LINK_VERIFY)
    status = request.GET.get("status", "pending")
    q = request.GET.get("q", "").strip()[:50]
    rows = selectors.link_request_queue(request.user, status=status, q=q)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/staff/link_requests.html",
        {"page": page, "status": status, "q": q, "statuses": LinkRequest.Status.choices},
    )


@console_view
def link_request_detail(request, link_request_id: int):
    link_request = selectors.link_request_for_staff(request.user, link_request_id)
    owners = list(
        Owner.objects.filter(
            ownerships__house=link_request.house, ownerships__end_on__isnull=True
        ).distinct()
    )
    form = LinkDecisionForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                owner = next((o for o in owners if o.pk == data.get("owner")), None)
                links.link_request_approve(
                    actor=request.user,
                    link_request=link_request,
                    owner=owner,
                    lease_start=data.get("lease_start"),
                    lease_end=data.get("lease_end"),
                    note=data.get("note", ""),
                )
                messages.success(request, _("Approved: the person is linked to the house."))
            else:
                links.link_request_reject(
                    actor=request.user, link_request=link_request, note=data.get("note", "")
                )
                messages.success(request, _("Rejected."))
        except AppError as exc:
            form_error(form, exc)
        else:
            return redirect("portal:staff_link_requests")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "portal/staff/link_request_detail.html",
        {
            "link_request": link_request,
            "form": form,
            "owners": owners,
            "mobile": mask_mobile(link_request.user.mobile),
        },
        status=status,
    )
