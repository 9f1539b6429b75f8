import abc
import datetime


class TransportError(Exception):
    """A delivery failed. Permanent failures are not retried (bad address, refused content).

    `unreachable` marks a failure that is the address's fault (a number the carrier says does not
    exist, an account that stopped following): the outbox records the address as unreachable so
    nothing more is sent to it until staff clear the mark (`core.unreachable`)."""

    def __init__(self, message: str, *, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.permanent = permanent or unreachable
        self.unreachable = unreachable


class TransportDeferred(TransportError):
    """Not now, later: a per-number rate limit (ours or the provider's) or a daily quota. The
    outbox moves the message to `retry_at` without counting an attempt: deferred, never dropped."""

    def __init__(self, message: str, *, retry_at: datetime.datetime):
        super().__init__(message)
        self.retry_at = retry_at


class Transport(abc.ABC):
    """One channel. `send` delivers or raises TransportError; it may be called again for the same
    message after a crash, so it passes `message.dedupe_key` on where the provider supports it.

    `send` may return the provider's id of the message (an SMS BizId or SerialNo, a WeChat msgid):
    the outbox keeps it on the row so a delivery receipt can find the message later."""

    @abc.abstractmethod
    def send(self, message) -> str | None: ...

    def delivers(self) -> bool:
        """Whether a message sent here reaches the person (False for the log stand-ins).

        The deployment check (core.checks) refuses a production site whose SMS or email channel
        does not deliver."""
        return True
