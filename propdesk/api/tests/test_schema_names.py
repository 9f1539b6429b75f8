"""Every schema in the OpenAPI document has its own name.

ninja files each model under its class name, so two apps' `BillOut` (billing's and the portal's)
were one component and the portal's bills were documented with billing's fields: responses
"violated" a schema that was never theirs. Pydantic, given every model at once, qualifies a
clashing name with its module; no such name may appear.
"""

from pydantic.json_schema import models_json_schema

from propdesk.api.urls import api


def _models() -> set:
    models = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models.update(operation.models)
                models.update(m for m in operation.response_models.values() if m is not None)
    return models


def test_no_two_api_schemas_share_a_name():
    _keys, document = models_json_schema([(m, "validation") for m in _models()])
    clashes = [
        name
        for name in document.get("$defs", {})
        # ninja's own per-operation wrappers (BodyParams, NinjaResponseSchema…) clash by design
        if "__" in name and name.startswith("propdesk__")
    ]
    assert clashes == []
