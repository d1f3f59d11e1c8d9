"""Document-level quote pages: list, create, header, actions, import/export, saved texts."""

from django.urls import path

from chantier.quotes import views

urlpatterns = [
    path("", views.quote_list, name="list"),
    path("new/", views.quote_create, name="create"),
    path("import/", views.quote_import, name="import"),
    path("terms/", views.terms_list, name="terms_list"),
    path("terms/new/", views.terms_create, name="terms_create"),
    path("terms/<int:pk>/edit/", views.terms_edit, name="terms_edit"),
    path("terms/<int:pk>/delete/", views.terms_delete, name="terms_delete"),
    path("<int:pk>/edit/", views.quote_edit, name="edit"),
    path("<int:pk>/accept/", views.quote_accept, name="accept"),
    path("<int:pk>/refuse/", views.quote_refuse, name="refuse"),
    path("<int:pk>/revise/", views.quote_revise, name="revise"),
    path("<int:pk>/duplicate/", views.quote_duplicate, name="duplicate"),
    path("<int:pk>/cancel/", views.quote_cancel, name="cancel"),
    path("<int:pk>/delete/", views.quote_delete, name="delete"),
    path("<int:pk>/export.xlsx", views.quote_export, name="export"),
]
