"""A guard's process for the parking concurrency test: once the test says go, it takes the fee
of one stay and prints what it got (`paid <receipt number>` or `refused <error code>`). Run by
the test, never by the project:

    python -m propdesk.operations.tests.parking_charge_worker <go file> <stay id> <guard> <key>
"""

import os
import sys
import time
from pathlib import Path


def main(go_file: str, stay_id: int, username: str, key: str) -> None:
    import django

    django.setup()
    from propdesk.accounts.models import User
    from propdesk.core.errors import AppError
    from propdesk.operations.models import ParkingStay
    from propdesk.operations.services import parking

    guard = User.objects.get(username=username)
    stay = ParkingStay.objects.get(pk=stay_id)
    Path(f"{go_file}.{os.getpid()}.ready").touch()
    deadline = time.monotonic() + 120
    while not Path(go_file).exists():  # both guards are ready: they press pay together
        if time.monotonic() > deadline:
            raise SystemExit("never told to go")
        time.sleep(0.005)
    try:
        paid = parking.stay_charge(actor=guard, stay=stay, method="cash", idempotency_key=key)
    except AppError as exc:
        print(f"refused {exc.code}")
    else:
        print(f"paid {paid.payment.receipt.display_number}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4])
