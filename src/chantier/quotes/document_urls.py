"""Document-level quote pages: list, create, header, actions, import/export, saved texts."""

urlpatterns: list = []
