"""Who may read the API's documentation (/api/docs) and its OpenAPI document (/api/openapi.json).

In production (`API_DOCS_PUBLIC` off, its default when DEBUG is off) only signed-in staff may: the
document maps every operation and field of the API, which clients do not need at run time. Others
are sent to the console's sign-in (then back), and an owner's account is refused.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden

from propdesk.core.permissions import is_staff_member


def api_docs_access(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(settings, "API_DOCS_PUBLIC", False) or is_staff_member(request.user):
            return view(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return HttpResponseForbidden()

    return wrapper
