from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "chantier.quotes"
    verbose_name = _("Quotes")

    def ready(self) -> None:
        # The quote PDF (document kind "quote") and the email that sends it.
        from chantier.quotes import documents, sending

        documents.register_kind()
        sending.register_mail_template()
