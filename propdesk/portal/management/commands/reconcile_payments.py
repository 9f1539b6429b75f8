"""Match a day's WeChat Pay and Alipay statements with the payments recorded here (what the
worker does each morning for the day before): `manage.py reconcile_payments --day 2026-12-05`."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from propdesk.portal.services.reconciliation import payments_reconcile


class Command(BaseCommand):
    help = "Reconcile the online payments of a day with the providers' statements."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, Beijing time)")

    def handle(self, *args, day=None, **options):
        try:
            chosen = (
                datetime.date.fromisoformat(day)
                if day
                else timezone.localdate() - datetime.timedelta(days=1)
            )
        except ValueError as exc:
            raise CommandError("--day must be YYYY-MM-DD") from exc
        for row in payments_reconcile(day=chosen):
            differences = row.items.filter(resolution="").count()
            self.stdout.write(
                f"{row.day} {row.provider} company {row.company_id}: {row.status}, "
                f"{row.matched} matched, {differences} to resolve"
            )
