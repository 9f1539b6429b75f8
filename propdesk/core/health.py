"""/healthz: is the database answering, is the queue storage reachable, when did the worker run."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from propdesk.core.tasks import last_heartbeat


@never_cache
def healthz(request):
    report = {"database": "ok", "queue": "ok", "worker_last_seen": None}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 — a health probe reports any failure, it never raises
        report["database"] = "unreachable"
        status = 503
    try:
        report["worker_last_seen"] = last_heartbeat()
    except Exception:  # noqa: BLE001
        report["queue"] = "unreachable"
        status = 503
    return JsonResponse(report, status=status)
