"""What the owner's pages share: who may open them, and domain errors as pages."""

from django.http import HttpResponse

from propdesk.core.views import owner_view

# Owner-portal pages: only owner accounts; others go to the portal sign-in (core.views, where the
# owners' notice pages ask the same guard).
portal_view = owner_view


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF download that no shared cache keeps (receipts and statements are personal)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
