"""Shared helpers for console pages: login, domain errors as 403/404, htmx-aware rendering."""

import functools
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from propdesk.core import errors
from propdesk.core.permissions import is_owner_account, is_staff_member


def console_view(view):
    """Staff-only page: owners and anonymous users are refused; domain errors become 403/404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            return render(request, "core/403.html", status=403)
        return _answer_domain_errors(request, view, args, kwargs, "core/403.html")

    return wrapper


def owner_view(view):
    """Owner page (/m/): only owner accounts; others go to the portal sign-in. A house,
    request, bill or receipt the account is not linked to is a 404 that says nothing."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_owner_account(request.user):
            login = reverse("portal:login")
            return redirect(f"{login}?next={quote(request.get_full_path())}")
        return _answer_domain_errors(request, view, args, kwargs, "portal/403.html")

    return wrapper


def _answer_domain_errors(request, view, args, kwargs, forbidden_template: str):
    """Run a page: NotFound is the 404 page, PermissionDenied a 403 page with its message."""
    try:
        return view(request, *args, **kwargs)
    except errors.NotFound as exc:
        raise Http404 from exc
    except errors.PermissionDenied as exc:
        return render(request, forbidden_template, {"message": exc.message}, status=403)


def render_page(request, template: str, partial: str | None, context: dict, status: int = 200):
    """Render the partial for htmx requests and the full page otherwise."""
    if partial and request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def form_error(form, exc: errors.AppError) -> None:
    """Put a service's error on the form field it names (or on the form as a whole)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def form_page(
    request,
    *,
    form,
    title: str,
    save,
    success_url,
    cancel_url: str,
    success_message: str = "",
    template: str = "core/form_page.html",
    extra: dict | None = None,
):
    """The create/edit page pattern: validate the form, call one service, redirect or show errors.

    `save(cleaned_data)` calls the service; an AppError it raises lands on the field it names.
    """
    from django.contrib import messages
    from django.http import HttpResponse
    from django.shortcuts import redirect

    # Opened in place (htmx) on a detail page: the form posts back in place, and success reloads
    # the page underneath so that it shows the change and the message.
    inline = bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except errors.AppError as exc:
            form_error(form, exc)
        else:
            if success_message:
                messages.success(request, success_message)
            target = success_url(saved) if callable(success_url) else success_url
            if inline:
                return HttpResponse(status=204, headers={"HX-Redirect": target})
            return redirect(target)
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "inline": inline,
        **(extra or {}),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render_page(request, template, "core/partials/form.html", context, status=status)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.http import HttpResponsePermanentRedirect

    return HttpResponsePermanentRedirect(staticfiles_storage.url("propdesk/favicon.svg"))


PAGE_SIZE = 25


def paginate(request, rows, per_page: int = PAGE_SIZE) -> Page:
    """The page of `rows` that the request's `page` parameter asks for (the last page for a
    number past the end, the first for anything that is not a number)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))
