"""Réserve pages, mounted under /works/."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.works import views

app_name = "works"

urlpatterns: list[URLPattern] = [
    path("contract/<int:pk>/reserves/", views.reserve_list, name="reserve_list"),
    path("contract/<int:pk>/reserves/new/", views.reserve_create, name="reserve_create"),
    path("contract/<int:pk>/reserves/count/", views.reserve_count, name="reserve_count"),
    path("reserves/<int:pk>/edit/", views.reserve_edit, name="reserve_edit"),
    path("reserves/<int:pk>/lift/", views.reserve_lift, name="reserve_lift"),
    path("reserves/<int:pk>/reopen/", views.reserve_reopen, name="reserve_reopen"),
    path("reserves/<int:pk>/delete/", views.reserve_delete, name="reserve_delete"),
]
