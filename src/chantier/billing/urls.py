"""URLs of the invoice pages (/invoices/…) and the contract's invoice tab."""

from __future__ import annotations

from django.urls import path

from chantier.billing import (
    account_views,
    bank_import_views,
    overdue_views,
    payment_views,
    statement_views,
    views,
)

app_name = "billing"

urlpatterns = [
    path("", views.invoice_list, name="invoice_list"),
    path("indices/", views.index_values, name="index_values"),
    path("overdue/", overdue_views.overdue_list, name="overdue_list"),
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
    path("<int:pk>/reminder/", overdue_views.invoice_reminder, name="invoice_reminder"),
    path("<int:pk>/payments/", payment_views.payment_create, name="payment_create"),
    path("payments/", payment_views.payment_list, name="payment_list"),
    path("payments/new/", payment_views.payment_new, name="payment_new"),
    path("payments/import/", bank_import_views.bank_import, name="bank_import"),
    path(
        "payments/import/confirm/",
        bank_import_views.bank_import_confirm,
        name="bank_import_confirm",
    ),
    path("payments/<int:pk>/delete/", payment_views.payment_delete, name="payment_delete"),
    path("retention/", account_views.retention_list, name="retention_list"),
    path("contract/<int:pk>/final-account/", account_views.final_account, name="final_account"),
    path(
        "contract/<int:pk>/final-account/pdf/",
        account_views.final_account_pdf,
        name="final_account_pdf",
    ),
    path(
        "contract/<int:pk>/final-account/send/",
        account_views.final_account_send,
        name="final_account_send",
    ),
    path(
        "contract/<int:pk>/retention-release/",
        account_views.retention_release,
        name="retention_release",
    ),
]
