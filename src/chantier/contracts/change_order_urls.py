"""URLs of the contract pages: change orders (included by contracts/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.contracts import change_order_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/change-orders/", views.change_order_list, name="change_order_list"),
    path("<int:pk>/change-orders/new/", views.change_order_create, name="change_order_create"),
    path("change-orders/<int:pk>/", views.change_order_detail, name="change_order_detail"),
    path("change-orders/<int:pk>/edit/", views.change_order_edit, name="change_order_edit"),
    path(
        "change-orders/<int:pk>/lines/", views.change_order_line_add, name="change_order_line_add"
    ),
    path(
        "change-orders/<int:pk>/lines/<int:line_pk>/delete/",
        views.change_order_line_delete,
        name="change_order_line_delete",
    ),
    path("change-orders/<int:pk>/submit/", views.change_order_submit, name="change_order_submit"),
    path(
        "change-orders/<int:pk>/approve/", views.change_order_approve, name="change_order_approve"
    ),
    path("change-orders/<int:pk>/reject/", views.change_order_reject, name="change_order_reject"),
    path("change-orders/<int:pk>/delete/", views.change_order_delete, name="change_order_delete"),
    path("change-orders/<int:pk>/pdf/", views.change_order_pdf, name="change_order_pdf"),
    path("change-orders/<int:pk>/send/", views.change_order_send, name="change_order_send"),
]
