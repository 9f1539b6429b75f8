"""What the apps built on the registry want the desk to know about a house right now (an
emergency under way there): shown where a call about the house is taken.

As with `house_links`, the registry knows nothing of those apps; each registers a provider in its
AppConfig.ready(). A provider takes the user and the house and returns the alerts that user may
see (it checks the permission policy itself). An alert may offer to record the call on it
(`link_url`, a POST taking `note` and `caller_name`) instead of opening a duplicate request.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class HouseAlert:
    title: str
    text: str
    url: str
    name: str  # a stable name for tests and styling, e.g. "incident"
    link_url: str = ""
    link_label: str = ""


Provider = Callable[[object, object], Iterable[HouseAlert]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    """Add a provider once (ready() may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)


def alerts_for(user, house) -> list[HouseAlert]:
    return [alert for provider in _providers for alert in provider(user, house)]
