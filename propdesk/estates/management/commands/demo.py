from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from propdesk.accounts.models import Role, User
from propdesk.estates.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo company (two communities, ~1,000 houses, staff of every role)."
    # `make run` has just migrated (which ran the checks): checking every URL and model again
    # would add seconds to the wait for nothing.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--houses-per-community", type=int, default=500)
        parser.add_argument("--request-days", type=int, default=365)

    def handle(self, *args, **options):
        self.stdout.write(
            "Loading the demo company: registry, a year of requests and a year of fees "
            "(well under a minute on an idle machine)…"
        )
        # With DEBUG on (make run) Django would time, format and keep every one of the load's
        # queries: some 7 % of its CPU, for a log nobody reads.
        with override_settings(DEBUG=False):
            logins = load_demo(
                houses_per_community=options["houses_per_community"],
                request_days=options["request_days"],
            )
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ as:")
        )
        staff = {name: password for name, password in logins.items() if name != "owner"}
        for username, password in staff.items():
            self.stdout.write(f"  {username:<11} / {password}")
        mobiles = (
            User.objects.filter(role=Role.OWNER)
            .exclude(mobile="")
            .order_by("id")
            .values_list("mobile", flat=True)[:3]
        )
        if mobiles:
            self.stdout.write(
                "Owners sign in to the phone-sized portal at http://127.0.0.1:8000/m/ (not the "
                f"staff console above): the mobile {' or '.join(mobiles)} and the same "
                "password, or ask for a code (with no SMS gateway the log notes only that it "
                "was sent: read it under Outbox messages in /admin/)."
            )
