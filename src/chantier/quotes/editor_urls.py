"""The quote editor: content (chapters, lines), live totals, filtering, quick entry."""

from django.urls import URLPattern, URLResolver, path

from chantier.quotes import editor_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/items/", views.item_search, name="item_search"),
    path("<int:pk>/lines/add/", views.line_add, name="line_add"),
    path("<int:pk>/chapters/add/", views.chapter_add, name="chapter_add"),
    path("<int:pk>/reorder/", views.reorder, name="reorder"),
    path("<int:pk>/pricing/", views.pricing_update, name="pricing"),
    path("lines/<int:pk>/", views.line_row, name="line_row"),
    path("lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("lines/<int:pk>/move/", views.line_move, name="line_move"),
    path("lines/<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("chapters/<int:pk>/", views.chapter_edit, name="chapter_edit"),
    path("chapters/<int:pk>/rename/", views.chapter_rename, name="chapter_rename"),
    path("chapters/<int:pk>/move/", views.chapter_move, name="chapter_move"),
    path("chapters/<int:pk>/delete/", views.chapter_delete, name="chapter_delete"),
]
