"""Pages reached without logging in: the client's signed acceptance link."""

from django.urls import path

from chantier.quotes import public_views

urlpatterns = [
    path("<str:token>/", public_views.accept, name="public_accept"),
    path("<str:token>/pdf/", public_views.pdf, name="public_pdf"),
    path("<str:token>/thanks/", public_views.thanks, name="public_thanks"),
]
