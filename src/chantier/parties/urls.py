from django.urls import path

from chantier.parties import views

app_name = "parties"

urlpatterns = [
    path("", views.client_list, name="client_list"),
]
