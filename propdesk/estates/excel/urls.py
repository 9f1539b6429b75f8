"""Excel roster import and registry exports."""

urlpatterns: list = []
