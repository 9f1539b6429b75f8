"""API of notices and notifications."""

from ninja import Router

router = Router()
