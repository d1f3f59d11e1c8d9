from django.urls import path

from chantier.core import views

app_name = "core"

urlpatterns = [
    path("", views.settings_view, name="settings"),
    path("save/", views.settings_save, name="settings_save"),
    path("logo/", views.logo, name="logo"),
    path("tokens/new/", views.api_token_create, name="api_token_create"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
