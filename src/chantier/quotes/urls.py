"""Quote pages. Document-level pages are in `views` (urls below), the editor in `editor_urls`."""

from django.urls import include, path

from chantier.quotes import document_urls, editor_urls, public_urls

app_name = "quotes"

urlpatterns = [
    path("", include(document_urls.urlpatterns)),
    path("", include(editor_urls.urlpatterns)),
    path("", include("chantier.quotes.send_urls")),
    path("accept/", include(public_urls.urlpatterns)),
]
