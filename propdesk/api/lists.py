"""List endpoints: a function returning the rows its caller may see, made into one page of them.

Apart from `propdesk.api.schemas` because it reads communities (estates): the kernel's and the
accounts' API import the schemas, and may not import a domain app above them.
"""

import functools

from propdesk.api.schemas import Paging, page
from propdesk.core.errors import fetch_named_optional
from propdesk.core.permissions import require
from propdesk.estates.selectors import community_for_user


def paged(perm, *, named_community: bool = False):
    """Make a list endpoint of a function that returns the rows its caller may see (a selector's
    queryset): the answer is one `page` of them, by the endpoint's `Paging` parameters.

    Before any row is read the caller needs `perm` (403 otherwise; None where the endpoint
    decides itself), and with `named_community` the community the filters name must be one of
    the caller's under `perm` (404 naming `community` otherwise).
    """

    def decorate(endpoint):
        @functools.wraps(endpoint)
        def list_endpoint(request, **params):
            paging = next(value for value in params.values() if isinstance(value, Paging))
            if perm is not None:
                require(request.auth, perm)
            if named_community:
                fetch_named_optional(
                    community_for_user, request.auth, paging.community, "community", perm=perm
                )
            return page(endpoint(request, **params), paging)

        return list_endpoint

    return decorate
