"""URLs of the contract pages: the final-account timeline, the final statement and the
products used list (included by contracts/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.contracts import final_account_views as views

urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/final-account-timeline/",
        views.final_account_timeline,
        name="final_account_timeline",
    ),
    path("<int:pk>/final-statement/pdf/", views.final_statement_pdf, name="final_statement_pdf"),
    path("<int:pk>/final-statement/send/", views.final_statement_send, name="final_statement_send"),
    path("<int:pk>/products/pdf/", views.products_pdf, name="products_pdf"),
    path("<int:pk>/products/send/", views.products_send, name="products_send"),
]
