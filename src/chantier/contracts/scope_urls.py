"""URLs of the contract pages: scope, participants and interactions (included by
contracts/urls.py, in the "contracts" namespace)."""

from __future__ import annotations

from django.urls import URLPattern, path

from chantier.contracts import scope_views as views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/scope/", views.scope_detail, name="scope_detail"),
    path("<int:pk>/scope/sections/new/", views.section_create, name="scope_section_create"),
    path(
        "<int:pk>/scope/sections/<int:section_pk>/edit/",
        views.section_update,
        name="scope_section_update",
    ),
    path(
        "<int:pk>/scope/sections/<int:section_pk>/delete/",
        views.section_delete,
        name="scope_section_delete",
    ),
    path("<int:pk>/scope/lines/new/", views.line_create, name="scope_line_create"),
    path("<int:pk>/scope/lines/<int:line_pk>/edit/", views.line_update, name="scope_line_update"),
    path("<int:pk>/scope/lines/<int:line_pk>/delete/", views.line_delete, name="scope_line_delete"),
    path("<int:pk>/people/", views.people, name="people"),
    path(
        "<int:pk>/people/participants/new/",
        views.participant_create,
        name="people_participant_create",
    ),
    path(
        "people/participants/<int:pk>/edit/",
        views.participant_update,
        name="people_participant_update",
    ),
    path(
        "people/participants/<int:pk>/delete/",
        views.participant_delete,
        name="people_participant_delete",
    ),
    path(
        "<int:pk>/people/interactions/new/",
        views.interaction_create,
        name="people_interaction_create",
    ),
    path(
        "people/interactions/<int:pk>/edit/",
        views.interaction_update,
        name="people_interaction_update",
    ),
    path(
        "people/interactions/<int:pk>/delete/",
        views.interaction_delete,
        name="people_interaction_delete",
    ),
]
