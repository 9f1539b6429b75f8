"""The owners' mobile web app (/m/…)."""

urlpatterns: list = []
