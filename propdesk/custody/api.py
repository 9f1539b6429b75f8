"""API of keys, passes and documents."""

from ninja import Router

router = Router()
