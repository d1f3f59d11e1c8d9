from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "chantier.documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # Register this app's own document kinds (other apps register theirs likewise).
        from chantier.documents import price_list  # noqa: F401
