from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "chantier.contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from chantier.mail import registry

        # A message sent about a contract (related_type "contract", related_id its id) is
        # logged on the contract's interactions too (seed 002: "every email sent from the
        # app about the contract is logged here").
        registry.register_contract_of("contract", lambda pk: pk)
        __import__(
            "chantier.contracts.change_order_sending"
        ).contracts.change_order_sending.register()
        __import__("chantier.contracts.service_order_sending", fromlist=["_"]).register()
        __import__("chantier.contracts.final_account_sending", fromlist=["_"]).register()
