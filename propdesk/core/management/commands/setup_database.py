"""Bring the database to the current schema: an empty one at once from the models
(core.schema), one already migrated by `migrate`. `make run` and the demo benchmark use it."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from propdesk.core import schema


class Command(BaseCommand):
    help = (
        "Bring the database to the current schema: an empty database is made at once from the "
        "models with every migration recorded as applied; any other is migrated."
    )

    # The checks run with every other command (and `make test`): skipping them here saves a
    # newcomer seconds of CPU before the demo.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        alias = options["database"]
        if schema.is_empty(alias):
            count = schema.create_current_schema(alias)
            self.stdout.write(
                f"Created the current schema; {count} migrations recorded as applied."
            )
            return
        call_command("migrate", database=alias, interactive=False, verbosity=options["verbosity"])
