from django.urls import path

from chantier.parties.views import client_list

app_name = "catalogue"
urlpatterns = [path("", client_list, name="item_list")]
