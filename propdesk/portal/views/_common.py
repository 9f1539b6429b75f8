"""What the owner's pages share: who may open them, and domain errors as pages."""

import functools
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from propdesk.core import errors
from propdesk.portal import access


def portal_view(view):
    """Owner-portal page: only portal (owner-role) accounts; others go to the portal sign-in.

    A house, request, bill or receipt the account is not linked to is a 404 that says nothing.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_portal_user(request.user):
            login = reverse("portal:login")
            return redirect(f"{login}?next={quote(request.get_full_path())}")
        try:
            return view(request, *args, **kwargs)
        except errors.NotFound as exc:
            raise Http404 from exc
        except errors.PermissionDenied as exc:
            return render(request, "portal/403.html", {"message": exc.message}, status=403)

    return wrapper


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF download that no shared cache keeps (receipts and statements are personal)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
