"""`propdesk audit_purge [--older-than-days N] [--dry-run]`: delete history and access-log rows
older than the retention (at least 184 days), through the append-only triggers' one door."""

from django.core.management.base import BaseCommand, CommandError

from propdesk.core import retention


class Command(BaseCommand):
    help = (
        "Delete change-history and access-log rows older than the retention (AUDIT_KEEP_DAYS, "
        "at least 184 days). Younger rows are never deleted; no other table is touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="delete rows older than this many days (at least the retention)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go, delete nothing"
        )

    def handle(self, *args, **options):
        try:
            result = retention.audit_purge(
                older_than_days=options["older_than_days"], dry_run=options["dry_run"]
            )
        except retention.RetentionError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Would delete" if options["dry_run"] else "Deleted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result['core_auditevent']:,} history rows and "
                f"{result['core_accesslog']:,} access-log rows older than "
                f"{result['cutoff']:%Y-%m-%d %H:%M} UTC."
            )
        )
