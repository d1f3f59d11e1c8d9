"""Pages reached without logging in: the client's signed acceptance link."""

urlpatterns: list = []
