"""Reads of the parties app: company-scoped lists and detail loaders.

Deletion checks are `chantier.core.deletion.deletion_refusal`.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.pagination import search
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier

CLIENT_SEARCH = ("name", "city", "postcode")
SUPPLIER_SEARCH = ("name", "city", "postcode", "trade")
SITE_SEARCH = ("name", "city", "postcode", "client__name")
INTERACTION_SEARCH = ("subject", "detail")
RECENT_INTERACTIONS = 10


# --- clients ------------------------------------------------------------------------------


def client_count(company: Company) -> int:
    return Client.objects.filter(company=company).count()


def client_list(company: Company, q: str = "") -> QuerySet[Client]:
    """The company's clients whose name, city or postcode match every word of `q`."""
    return search(Client.objects.filter(company=company), q, CLIENT_SEARCH).order_by("name", "pk")


def get_client_for_user(user: User, pk: object) -> Client:
    return get_for_company(Client.objects.all(), user, pk)


def client_detail_for_user(user: User, pk: object) -> Client:
    """A client with its contacts, sites and most recent interactions, in four queries.

    The interactions are in `recent_interactions`; `interaction_count` counts all.
    """
    recent = Interaction.objects.select_related("author").order_by("-date", "-pk")
    queryset = Client.objects.annotate(interaction_count=Count("interactions")).prefetch_related(
        "contacts",
        "sites",
        Prefetch("interactions", recent[:RECENT_INTERACTIONS], to_attr="recent_interactions"),
    )
    return get_for_company(queryset, user, pk)


def client_interactions(client: Client, q: str = "") -> QuerySet[Interaction]:
    queryset = Interaction.objects.filter(company_id=client.company_id, client=client)
    return search(queryset, q, INTERACTION_SEARCH).select_related("author").order_by("-date", "-pk")


def get_interaction_for_user(user: User, pk: object) -> Interaction:
    """An interaction logged on a client (those of contracts belong to the contracts pages)."""
    queryset = Interaction.objects.filter(client__isnull=False).select_related("client")
    return get_for_company(queryset, user, pk)


# --- suppliers and subcontractors ---------------------------------------------------------


def supplier_list(company: Company, kind: str = "", q: str = "") -> QuerySet[Supplier]:
    """Suppliers and subcontractors (or one `kind` of them) matching every word of `q`."""
    queryset = Supplier.objects.filter(company=company)
    if kind in Supplier.Kind.values:
        queryset = queryset.filter(kind=kind)
    return search(queryset, q, SUPPLIER_SEARCH).order_by("name", "pk")


def get_supplier_for_user(user: User, pk: object) -> Supplier:
    return get_for_company(Supplier.objects.all(), user, pk)


def supplier_detail_for_user(user: User, pk: object) -> Supplier:
    return get_for_company(Supplier.objects.prefetch_related("contacts"), user, pk)


# --- contacts and sites -------------------------------------------------------------------


def get_contact_for_user(user: User, pk: object) -> Contact:
    return get_for_company(Contact.objects.select_related("client", "supplier"), user, pk)


def site_list(company: Company, q: str = "") -> QuerySet[Site]:
    """Works sites with their client, matching every word of `q` (site, town or client)."""
    queryset = Site.objects.filter(company=company).select_related("client")
    return search(queryset, q, SITE_SEARCH).order_by("name", "pk")


def get_site_for_user(user: User, pk: object) -> Site:
    return get_for_company(Site.objects.select_related("client"), user, pk)
