"""Shared helpers for console pages: login, domain errors as 403/404, htmx-aware rendering."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from propdesk.core import errors
from propdesk.core.permissions import is_staff_member


def console_view(view):
    """Staff-only page: owners and anonymous users are refused; domain errors become 403/404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            return render(request, "core/403.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except errors.NotFound as exc:
            raise Http404 from exc
        except errors.PermissionDenied as exc:
            return render(request, "core/403.html", {"message": exc.message}, status=403)

    return wrapper


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
