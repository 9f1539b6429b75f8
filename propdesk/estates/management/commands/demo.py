from django.core.management.base import BaseCommand

from propdesk.accounts.models import Role, User
from propdesk.estates.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo company (two communities, ~1,000 houses, staff of every role)."

    def add_arguments(self, parser):
        parser.add_argument("--houses-per-community", type=int, default=500)

    def handle(self, *args, **options):
        self.stdout.write(
            "Loading the demo company: registry, a year of requests and a year of fees "
            "(a minute or two)…"
        )
        logins = load_demo(houses_per_community=options["houses_per_community"])
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ as:")
        )
        for username, password in logins.items():
            self.stdout.write(f"  {username:<11} / {password}")
        mobiles = (
            User.objects.filter(role=Role.OWNER, username__startswith="m")
            .exclude(mobile="")
            .order_by("id")
            .values_list("mobile", flat=True)[:3]
        )
        if mobiles:
            self.stdout.write(
                "Owner portal (phone-sized) at http://127.0.0.1:8000/m/ : sign in with the mobile "
                f"{' or '.join(mobiles)} and the same password, or ask for a code (the SMS is "
                "written to the log)."
            )
