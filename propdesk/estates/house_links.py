"""What the apps built on the registry offer on a house's page: links to start their work there.

The registry knows nothing of requests, fees or procedures; each of those apps registers a
provider in its AppConfig.ready(). A provider takes the user and the house and returns the
links that user may follow (it checks the permission policy itself); the house page shows them
in the order the apps registered, so the desk starts a move-in or takes a payment from the house
it is looking at.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HouseLink:
    label: str
    url: str
    name: str  # a stable name for tests and styling, e.g. "request_new"


Provider = Callable[[object, object], Iterable[HouseLink]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider once (ready() may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)


def links_for(user, house) -> list[HouseLink]:
    return [link for provider in _providers for link in provider(user, house)]
