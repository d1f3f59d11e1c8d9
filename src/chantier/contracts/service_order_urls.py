"""URLs of the contract pages: service orders (included by contracts/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.contracts import service_order_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/service-orders/", views.service_order_list, name="service_order_list"),
    path("<int:pk>/service-orders/new/", views.service_order_create, name="service_order_create"),
    path("service-orders/<int:pk>/", views.service_order_detail, name="service_order_detail"),
    path("service-orders/<int:pk>/edit/", views.service_order_edit, name="service_order_edit"),
    path(
        "service-orders/<int:pk>/delete/", views.service_order_delete, name="service_order_delete"
    ),
    path("service-orders/<int:pk>/issue/", views.service_order_issue, name="service_order_issue"),
    path(
        "service-orders/<int:pk>/validate/",
        views.service_order_validate,
        name="service_order_validate",
    ),
    path(
        "service-orders/<int:pk>/refuse/", views.service_order_refuse, name="service_order_refuse"
    ),
    path(
        "service-orders/<int:pk>/lines/new/",
        views.service_order_line_create,
        name="service_order_line_create",
    ),
    path(
        "service-orders/<int:pk>/lines/<int:line_pk>/edit/",
        views.service_order_line_edit,
        name="service_order_line_edit",
    ),
    path(
        "service-orders/<int:pk>/lines/<int:line_pk>/delete/",
        views.service_order_line_delete,
        name="service_order_line_delete",
    ),
    path(
        "service-orders/<int:pk>/attachments/",
        views.service_order_attachment_add,
        name="service_order_attachment_add",
    ),
    path(
        "service-orders/attachments/<int:pk>/",
        views.service_order_attachment_download,
        name="service_order_attachment_download",
    ),
    path(
        "service-orders/attachments/<int:pk>/delete/",
        views.service_order_attachment_delete,
        name="service_order_attachment_delete",
    ),
    path("service-orders/<int:pk>/pdf/", views.service_order_pdf, name="service_order_pdf"),
    path("service-orders/<int:pk>/send/", views.service_order_send, name="service_order_send"),
]
