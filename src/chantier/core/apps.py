from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chantier.core"
    verbose_name = "Chantier"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from chantier.core import checks  # noqa: F401  (registers the system checks)
        from chantier.core.search import register_sqlite_functions

        # Infrastructure, not business logic: SQLite needs UNACCENT on every connection.
        connection_created.connect(register_sqlite_functions, dispatch_uid="chantier_unaccent")
