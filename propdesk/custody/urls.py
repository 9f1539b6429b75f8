"""Console pages of keys, goods release passes and the document register (/custody/…)."""

urlpatterns: list = []
