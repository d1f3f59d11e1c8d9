"""The quote editor: content (chapters, lines), live totals, filtering, quick entry."""

urlpatterns: list = []
