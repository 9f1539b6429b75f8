import abc


class TransportError(Exception):
    """A delivery failed. Permanent failures are not retried (bad address, refused content)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Transport(abc.ABC):
    """One channel. `send` delivers or raises TransportError; it may be called again for the same
    message after a crash, so it passes `message.dedupe_key` on where the provider supports it."""

    @abc.abstractmethod
    def send(self, message) -> None: ...
