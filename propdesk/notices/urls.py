"""Console pages of announcements and notification templates (/notices/…)."""

urlpatterns: list = []
