"""Console pages for administrators: API tokens for integrations (list, create, revoke).

The key of a new token is shown once, on the page that answers the creation, and never again:
only its hash is stored. Every write goes through `propdesk.accounts.services`.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.accounts import services
from propdesk.core.errors import AppError
from propdesk.core.views import console_view, form_error


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=80,
        help_text=gettext_lazy("The integration this token is for, e.g. 'access-control gate'."),
    )
    user = forms.ModelChoiceField(
        label=gettext_lazy("Acts as"),
        queryset=None,
        help_text=gettext_lazy("The token has exactly this user's rights and communities."),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if field is self.fields["user"] else ("form-control")
            )


@console_view
def api_tokens(request):
    tokens = services.api_token_list(actor=request.user)
    return render(request, "accounts/pages/api_tokens.html", {"tokens": tokens})


@console_view
def api_token_create(request):
    users = services.token_users(actor=request.user)
    form = ApiTokenForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = services.api_token_create(
                actor=request.user, user=form.cleaned_data["user"], name=form.cleaned_data["name"]
            )
        except AppError as exc:
            form_error(form, exc)
        else:
            response = render(
                request, "accounts/pages/api_token_created.html", {"token": token, "key": key}
            )
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/pages/api_token_form.html", {"form": form}, status=status)


@console_view
def api_token_revoke(request, token_id: int):
    token = services.api_token_get(actor=request.user, token_id=token_id)
    if request.method == "POST":
        try:
            services.api_token_revoke(actor=request.user, token=token)
        except AppError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("api_tokens")
    return render(request, "accounts/pages/api_token_revoke.html", {"token": token})
