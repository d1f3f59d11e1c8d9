from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from chantier.api.main import api, unknown_route
from chantier.core.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("settings/", include("chantier.core.urls")),
    path("clients/", include("chantier.parties.urls")),
    path("catalogue/", include("chantier.catalogue.urls")),
    path("contracts/", include("chantier.contracts.urls")),
    path("works/", include("chantier.works.urls")),
    path("quotes/", include("chantier.quotes.urls")),
    path("invoices/", include("chantier.billing.urls")),
    path("mail/", include("chantier.mail.urls")),
    path("documents/", include("chantier.documents.urls")),
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", unknown_route),
]
