from django.urls import path

from chantier.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("price-list/", views.price_list_form, name="price_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
