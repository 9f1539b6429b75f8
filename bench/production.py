"""How a benchmark runs the project: with the production settings, as it is deployed.

`DEBUG` off (no query log growing in memory, the manifest static storage, plain error pages), a
`SECRET_KEY` made for the run, the hosts the bench's clients name (loopback and the test
`Client`), and no HTTPS redirect or secure-only cookies, since the bench speaks plain HTTP on
loopback. A server the bench starts reads `SERVER_SETTINGS` first: request logging off.

The scripts beside this one import it by name while they still run from this folder, then
`production_environment` takes the folder off the import path (see there why).
"""

import os
import secrets
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# The head of a bench server's settings module: the project's own, with Django's request log
# (runserver's one line a request) silenced; gunicorn writes no access log unless asked.
SERVER_SETTINGS = """
from propdesk.settings import *  # noqa: F403

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"django.server": {"level": "ERROR"}, "jieba": {"level": "WARNING"}},
}
"""


def production_environment(database_url: str, var_dir: str) -> None:
    """Point this process (and the servers and children it starts) at `database_url` with the
    production settings, and make the project importable from the checkout."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "propdesk.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SESSION_COOKIE_SECURE"] = "0"
    os.environ["CSRF_COOKIE_SECURE"] = "0"
    os.environ["PROPDESK_VAR_DIR"] = var_dir
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # This folder holds requests.py, which would shadow the HTTP library of that name (imported
    # by an SMS provider's SDK): the project is imported from the checkout, not from here.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
