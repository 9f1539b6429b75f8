"""Django's `flush` (empty every table), allowed through the history's append-only triggers: it
resets the whole database, ledger included, as the test runner does between tests."""

from django.core.management.commands import flush

from propdesk.core.retention import purge_allowed


class Command(flush.Command):
    def handle(self, **options):
        with purge_allowed():
            return super().handle(**options)
