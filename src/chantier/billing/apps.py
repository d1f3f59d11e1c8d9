from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "chantier.billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from chantier.billing import account_documents, documents, reminders, sending

        documents.register_kind()
        sending.register()
        reminders.register()
        account_documents.register_all()
