"""Console pages for administrators: API tokens for integrations (list, create, revoke), and
staff access (roles, communities, the superuser flag: list, edit, confirm).

The key of a new token is shown once, on the page that answers the creation, and never again:
only its hash is stored. Every write goes through `propdesk.accounts.services`.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.accounts import services, staff_access
from propdesk.accounts.models import Department, Role
from propdesk.core.errors import AppError
from propdesk.core.permissions import communities_for
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


# --- staff access (roles, communities, superuser) ---------------------------------------------


class StaffAccessForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.order_by("code"),
        required=False,
    )
    communities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Communities"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The communities this person works in. Administrators see all."),
    )
    is_superuser = forms.BooleanField(
        label=gettext_lazy("Superuser (every right, whatever the role)"), required=False
    )
    is_active = forms.BooleanField(label=gettext_lazy("May sign in"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in Role.choices if value in staff_access.STAFF_ROLES
        ]
        self.fields["communities"].queryset = communities_for(actor)
        if not actor.is_superuser:
            self.fields["is_superuser"].disabled = True
        for name in ("role", "department"):
            self.fields[name].widget.attrs["class"] = "form-select"
        for name in ("is_superuser", "is_active"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "department": data["department"],
            "community_ids": [c.pk for c in data["communities"]],
            "is_superuser": data["is_superuser"],
            "is_active": data["is_active"],
        }


@console_view
def staff_list(request):
    q = request.GET.get("q", "")
    try:
        users = staff_access.staff_list(actor=request.user, q=q)
    except AppError as exc:
        messages.error(request, str(exc.message))
        users = staff_access.staff_list(actor=request.user)
        q = ""
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/pages/staff_list.html", {"page": page, "q": q})


@console_view
def staff_edit(request, user_id: int):
    user = staff_access.staff_get(actor=request.user, user_id=user_id)
    initial = {
        "role": user.role,
        "department": user.department,
        "communities": list(user.communities.all()),
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
    }
    form = StaffAccessForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("confirm") != "1":
                changes = staff_access.staff_access_preview(
                    actor=request.user, user=user, **form.values()
                )
                if not changes:
                    messages.info(request, _("Nothing changed."))
                    return redirect("staff_edit", user_id=user.pk)
                return render(
                    request,
                    "accounts/pages/staff_confirm.html",
                    {"person": user, "form": form, "changes": _labelled(changes)},
                )
            staff_access.staff_access_change(actor=request.user, user=user, **form.values())
        except AppError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("The access of %(name)s is changed.") % {"name": user.display_name}
            )
            return redirect("staff_list")
    status = 400 if form.is_bound and form.errors else 200
    history = staff_access.staff_history(actor=request.user, user=user)
    return render(
        request,
        "accounts/pages/staff_edit.html",
        {"person": user, "form": form, "history": history},
        status=status,
    )


def _labelled(changes: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) in words for the confirmation page."""
    labels = {
        "role": _("Role"),
        "department": _("Department"),
        "communities": _("Communities"),
        "is_superuser": _("Superuser"),
        "is_active": _("May sign in"),
    }
    roles = dict(Role.choices)
    departments = dict(Department.objects.values_list("code", "name"))

    def words(name, value):
        if value is None or value == []:
            return "—"
        if name == "role":
            return str(roles.get(value, value))
        if name == "department":
            return departments.get(value, value)
        if name == "communities":
            return "、".join(value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return str(value)

    return [
        (str(labels[name]), words(name, before), words(name, after))
        for name, (before, after) in changes.items()
    ]
