"""Console pages of the front-desk procedures (/frontdesk/…)."""

urlpatterns: list = []
