"""Signing in and out of the owner portal, and setting a password."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.core.errors import AppError
from propdesk.core.views import form_error
from propdesk.notices.wechat import wechat_account_only
from propdesk.portal import access
from propdesk.portal.forms import PasswordForm, SignInForm
from propdesk.portal.services import signin
from propdesk.portal.views._common import client_ip, portal_view

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/m/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/m/"


def sign_in(request):
    """Mobile + code (sent by SMS) or mobile + password; staff use the console's own login."""
    if access.is_portal_user(request.user):
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    mode = request.POST.get("action", "")
    code_sent = False
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if mode == "send":
                signin.code_request(mobile=data["mobile"], ip=client_ip(request))
                code_sent = True
                messages.info(
                    request, _("The code is on its way by SMS. It is valid for 5 minutes.")
                )
            elif mode == "password":
                user = signin.password_sign_in(
                    request=request,
                    mobile=data["mobile"],
                    password=data["password"],
                    ip=client_ip(request),
                )
                login(request, user, backend=BACKEND)
                return redirect(_next_url(request))
            else:
                user = signin.code_verify(
                    mobile=data["mobile"], code=data["code"], ip=client_ip(request)
                )
                login(request, user, backend=BACKEND)
                return redirect(_next_url(request))
        except AppError as exc:
            form_error(form, exc)
            status = exc.status if exc.status == 429 else 400
            code_sent = mode != "send"
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "code_sent": code_sent,
        "password_mode": mode == "password" or request.GET.get("with") == "password",
        "next": _next_url(request),
        "wechat_signin": wechat_account_only() is not None,
    }
    return render(request, "portal/login.html", context, status=status)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:login")


@portal_view
def password(request):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            signin.password_set(
                actor=request.user,
                password=form.cleaned_data["password"],
                confirm=form.cleaned_data["confirm"],
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            login(request, request.user, backend=BACKEND)  # keep the session after the change
            messages.success(request, _("Your password is set."))
            return redirect("portal:home")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "portal/password.html", {"form": form}, status=status)
