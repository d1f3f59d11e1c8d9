from django.urls import path

from chantier.contracts import (
    change_order_urls,
    final_account_urls,
    info_urls,
    scope_urls,
    service_order_urls,
    views,
)

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    *info_urls.urlpatterns,
    *scope_urls.urlpatterns,
    *change_order_urls.urlpatterns,
    *service_order_urls.urlpatterns,
    *final_account_urls.urlpatterns,
]
