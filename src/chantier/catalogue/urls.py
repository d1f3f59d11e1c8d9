from django.urls import path

from chantier.catalogue import category_views, views

app_name = "catalogue"

urlpatterns = [
    path("", views.item_list, name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("export/", views.item_export, name="item_export"),
    path("import/", views.item_import, name="item_import"),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("<int:pk>/components/add/", views.component_add, name="component_add"),
    path("<int:pk>/components/search/", views.component_search, name="component_search"),
    path("components/<int:pk>/quantity/", views.component_update, name="component_update"),
    path("components/<int:pk>/remove/", views.component_remove, name="component_remove"),
    path("categories/", category_views.category_list, name="category_list"),
    path("categories/new/", category_views.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", category_views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", category_views.category_delete, name="category_delete"),
]
