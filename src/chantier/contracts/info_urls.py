"""URLs of the contract pages: info (included by contracts/urls.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.contracts import views

urlpatterns: list[URLPattern] = [
    path("new/", views.info_create, name="info_create"),
    path("<int:pk>/edit/", views.info_edit, name="info_edit"),
    path("<int:pk>/settings/", views.info_settings, name="info_settings"),
    path("<int:pk>/delete/", views.info_delete, name="info_delete"),
    path("<int:pk>/actualise/", views.info_actualise, name="info_actualise"),
]
