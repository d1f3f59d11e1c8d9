from chantier.core.models import Company, User


def load(company: Company, user: User) -> None:
    return None
