from django.urls import path

from chantier.parties.views import clients, contacts, interactions, sites, suppliers

app_name = "parties"

urlpatterns = [
    path("", clients.client_list, name="client_list"),
    path("new/", clients.client_create, name="client_create"),
    path("<int:pk>/", clients.client_detail, name="client_detail"),
    path("<int:pk>/edit/", clients.client_update, name="client_update"),
    path("<int:pk>/delete/", clients.client_delete, name="client_delete"),
    path("<int:pk>/contacts/new/", contacts.client_contact_create, name="client_contact_create"),
    path("<int:pk>/sites/new/", sites.site_create, name="site_create"),
    path("<int:pk>/interactions/", interactions.interaction_list, name="interaction_list"),
    path("<int:pk>/interactions/new/", interactions.interaction_create, name="interaction_create"),
    path("interactions/<int:pk>/edit/", interactions.interaction_update, name="interaction_update"),
    path(
        "interactions/<int:pk>/delete/",
        interactions.interaction_delete,
        name="interaction_delete",
    ),
    path("contacts/<int:pk>/edit/", contacts.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", contacts.contact_delete, name="contact_delete"),
    path("sites/", sites.site_list, name="site_list"),
    path("sites/<int:pk>/edit/", sites.site_update, name="site_update"),
    path("sites/<int:pk>/delete/", sites.site_delete, name="site_delete"),
    path("suppliers/", suppliers.supplier_list, name="supplier_list"),
    path("suppliers/new/", suppliers.supplier_create, name="supplier_create"),
    path("suppliers/<int:pk>/", suppliers.supplier_detail, name="supplier_detail"),
    path("suppliers/<int:pk>/edit/", suppliers.supplier_update, name="supplier_update"),
    path("suppliers/<int:pk>/delete/", suppliers.supplier_delete, name="supplier_delete"),
    path(
        "suppliers/<int:pk>/contacts/new/",
        contacts.supplier_contact_create,
        name="supplier_contact_create",
    ),
]
