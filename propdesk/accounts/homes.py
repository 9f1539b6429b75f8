"""Where each role lands after signing in: the page of its daily work, not a search box."""

from django.urls import reverse

from propdesk.accounts.models import Role

# role → URL name of its home page; roles not listed land on the front-desk search.
ROLE_HOMES = {
    Role.AGENT: "request_queue",  # the queues, with "Take a call" for the intake
    Role.TECHNICIAN: "request_queue",  # their own work ("mine" is the technician's queue)
    Role.SUPERVISOR: "request_dashboard",
    Role.CASHIER: "billing_desk",
    Role.GUARD: "custody_gate",
}


def home_url_for(user) -> str | None:
    """The home page of `user`'s role, or None for the front-desk search."""
    name = ROLE_HOMES.get(getattr(user, "role", ""))
    return reverse(name) if name else None
