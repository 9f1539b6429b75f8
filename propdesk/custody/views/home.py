"""The custody overview: keys out and overdue, passes waiting and due today, recent documents."""

from django.utils import timezone

from propdesk.core.permissions import Perm, has_perm, require
from propdesk.core.views import console_view, render_page
from propdesk.custody import selectors
from propdesk.custody.models import KeyStatus


@console_view
def overview(request):
    user = request.user
    require(user, Perm.FRONTDESK_VIEW)
    today = timezone.localdate()
    context = {
        "keys_out": selectors.key_list(user, status=KeyStatus.ON_LOAN).count(),
        "overdue": list(selectors.overdue_loans(user)[:10]),
        "pending": list(selectors.pass_list(user, state="pending")[:10]),
        "today": selectors.pass_list(user, release_on=today).count(),
        "can_documents": has_perm(user, Perm.DOCUMENTS_REGISTER),
    }
    return render_page(request, "custody/pages/overview.html", None, context)
