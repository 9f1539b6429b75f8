"""A worker process for the greeting concurrency test: at an agreed moment it runs the birthday
job and then delivers the outbox, and its transport appends one line per send to a file (the
edge where duplicates would show). Run by the test, never by the project:

    python -m propdesk.community.tests.greeting_worker <start epoch> <local time ISO>
"""

import os
import sys
import time


class FileCountingTransport:
    """Appends `channel recipient` per send to $COUNT_FILE (one short write, O_APPEND)."""

    def __init__(self, *args, **kwargs):
        pass

    def send(self, message) -> None:
        line = f"{message.channel} {message.recipient} {message.event}\n".encode()
        fd = os.open(os.environ["COUNT_FILE"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


def main(start_epoch: float, local_now: str) -> None:
    import datetime
    from zoneinfo import ZoneInfo

    import django

    django.setup()
    import time_machine
    from django.conf import settings

    from propdesk.community.services.greetings import birthday_greetings_send
    from propdesk.core.outbox import outbox_deliver_all_due

    transport = "propdesk.community.tests.greeting_worker.FileCountingTransport"
    settings.OUTBOX_TRANSPORTS = {c: transport for c in ("sms", "in_app", "email", "wechat")}
    now = datetime.datetime.fromisoformat(local_now).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    time.sleep(max(0.0, start_epoch - time.time()))
    with time_machine.travel(now, tick=True):
        greeted = birthday_greetings_send()
        outbox_deliver_all_due()
    print(greeted)


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2])
