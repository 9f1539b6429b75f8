"""The `propdesk` command: manage.py by a shorter name (`propdesk demo`, `propdesk seed`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "propdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["propdesk", *sys.argv[1:]])
