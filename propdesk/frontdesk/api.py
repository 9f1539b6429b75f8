"""API of front-desk procedures."""

from ninja import Router

router = Router()
