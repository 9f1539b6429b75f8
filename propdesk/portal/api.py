"""API of owner portal."""

from ninja import Router

router = Router()
