from django.urls import path

from chantier.parties.views import client_list

app_name = "mail"
urlpatterns = [path("", client_list, name="outbox")]
