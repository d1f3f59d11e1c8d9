"""Sending a quote by email and printing its PDF."""

from django.urls import path

from chantier.quotes import send_views

urlpatterns = [
    path("<int:pk>/send/", send_views.quote_send, name="send"),
    path("<int:pk>/pdf/", send_views.quote_pdf, name="pdf"),
]
