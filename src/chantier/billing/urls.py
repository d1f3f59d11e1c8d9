"""URLs of the invoice pages (/invoices/…) and the contract's invoice tab."""

from __future__ import annotations

from django.urls import path

from chantier.billing import statement_views, views

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("indices/", views.index_values, name="index_values"),
    path("contract/<int:pk>/", views.contract_invoices, name="contract_invoices"),
    path("contract/<int:pk>/down-payment/", views.down_payment_create, name="down_payment_create"),
    path("contract/<int:pk>/statement/", statement_views.statement_edit, name="statement_edit"),
    path(
        "contract/<int:pk>/statement/preview/",
        statement_views.statement_preview,
        name="statement_preview",
    ),
    path("<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("<int:pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("<int:pk>/delete/", views.invoice_delete, name="invoice_delete"),
    path("<int:pk>/credit-note/", views.credit_note_create, name="credit_note_create"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<int:pk>/statement-pdf/", views.statement_pdf, name="statement_pdf"),
    path("<int:pk>/send/", views.invoice_send, name="invoice_send"),
]
