from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chantier.core"
    verbose_name = "Chantier"

    def ready(self) -> None:
        from chantier.core import checks  # noqa: F401  (registers the system checks)
