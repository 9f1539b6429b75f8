"""What the apps built on requests offer on a request's page (open an emergency incident from
an emergency request, link it to one under way): each registers a provider in its
AppConfig.ready(), which takes the user and the request and returns the links that user may
follow, checking the permission policy itself. The request app knows nothing of them."""

from collections.abc import Callable, Iterable

from propdesk.estates.house_links import HouseLink

Provider = Callable[[object, object], Iterable[HouseLink]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def links_for(user, request) -> list[HouseLink]:
    return [link for provider in _providers for link in provider(user, request)]
