"""`propdesk restore DIRECTORY [--verify] [--force]`: a backup put back, and checked against its
manifest (core.backup; README "Backup and restore")."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from propdesk.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by `backup` into this site's database and file store. Refuses "
        "a database holding rows (or a store holding files) unless --force. With --verify, "
        "compares every table's row count, the ledger, bill and receipt checksums and every "
        "file with the backup's manifest; exits 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by `backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database and store that hold data"
        )
        parser.add_argument(
            "--verify", action="store_true", help="after restoring, compare with the manifest"
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="restore nothing: compare the database and store as they are with the manifest",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="the database only, not the stored files"
        )

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        files = not options["no_files"]
        try:
            if not options["verify_only"]:
                backup.backup_restore(
                    directory, force=options["force"], files=files, say=self.stdout.write
                )
                self.stdout.write(self.style.SUCCESS(f"Restored {directory}."))
            if options["verify"] or options["verify_only"]:
                started = time.monotonic()
                result = backup.backup_verify(directory, files=files)
                seconds = time.monotonic() - started
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not (options["verify"] or options["verify_only"]):
            return
        for problem in result.problems:
            self.stderr.write(problem)
        summary = (
            f"{result.tables} tables, {result.rows:,} rows, the ledger, bill and receipt "
            f"checksums and {result.files:,} files (checked in {seconds:.2f} s)"
        )
        if not result.ok:
            raise CommandError(f"Verification failed: {len(result.problems)} differences.")
        self.stdout.write(self.style.SUCCESS(f"Verified: {summary} match the backup."))
