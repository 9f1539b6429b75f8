"""`manage.py assistant_train`: retrain the triage model from the labels and agents' overrides.

The candidate is scored on the held-back part of the repository's labels; it replaces the model
in use only when it scores at least as well (accuracy and macro-F1), otherwise it is refused and
nothing changes. `--check` only prints the scores of the model the labels alone would give;
`--base` builds the model the repository's labels give into its cache (`make setup` runs it, so
the first suggestion of a new installation does not wait for the training).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from propdesk.assistant import retraining, training


class Command(BaseCommand):
    help = "Retrain the triage model from the labelled messages and the overrides agents recorded."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only score the model the labels alone give"
        )
        parser.add_argument(
            "--base", action="store_true", help="Build the labels' model into its cache and stop"
        )

    def handle(self, *args, check=False, base=False, **options):
        if base:
            loaded = training.base_model()
            self.stdout.write(loaded.version)
            return
        if check:
            trained = retraining.score_base()
            self.stdout.write(
                _("held-back accuracy %(acc).3f, macro-F1 %(f1).3f, kind accuracy %(kind).3f")
                % {"acc": trained.accuracy, "f1": trained.macro_f1, "kind": trained.kind_accuracy}
            )
            return
        outcome = retraining.retrain(actor=None)
        self.stdout.write(outcome.message)
        if not outcome.accepted:
            raise CommandError(outcome.message)
