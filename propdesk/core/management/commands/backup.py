"""`propdesk backup [DIRECTORY]`: the database and the stored files, with a manifest to verify a
restore against (core.backup; README "Backup and restore")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from propdesk.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump custom format) and "
        "the stored files into a new directory, with a manifest of row counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            help="a new or empty directory (default: var/backups/propdesk-<date>-<time>)",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="the database only, not the stored files"
        )

    def handle(self, *args, **options):
        directory = (
            Path(options["directory"]) if options["directory"] else backup.default_directory()
        )
        try:
            manifest = backup.backup_create(
                directory, files=not options["no_files"], say=self.stdout.write
            )
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        money = ", ".join(f"{table} {c['rows']:,}" for table, c in manifest["checksums"].items())
        self.stdout.write(self.style.SUCCESS(f"Backup written to {directory} ({money})."))
