"""Reads of the parties app: company-scoped lists, detail loaders, deletion checks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import router
from django.db.models import Count, Model, Prefetch, ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.core.access import get_for_company
from chantier.core.models import Company, User
from chantier.core.pagination import search as _search
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier

CLIENT_SEARCH = ("name", "city", "postcode")
SUPPLIER_SEARCH = ("name", "city", "postcode", "trade")
SITE_SEARCH = ("name", "city", "postcode", "client__name")
INTERACTION_SEARCH = ("subject", "detail")
RECENT_INTERACTIONS = 10


def search(queryset: QuerySet[Any], q: str, fields: tuple[str, ...]) -> QuerySet[Any]:
    # PostgreSQL refuses NUL in a string literal: such a search matches nothing anyway.
    return _search(queryset, q.replace("\x00", ""), fields)


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


# --- deletion -----------------------------------------------------------------------------

# One sentence per model, so that each translation agrees with its noun.
_REFUSALS = {
    Client: gettext_lazy("This client cannot be deleted: it has %(things)s."),
    Supplier: gettext_lazy("This supplier cannot be deleted: it has %(things)s."),
    Contact: gettext_lazy("This contact cannot be deleted: it has %(things)s."),
    Site: gettext_lazy("This site cannot be deleted: it has %(things)s."),
    Interaction: gettext_lazy("This interaction cannot be deleted: it has %(things)s."),
}
_DEFAULT_REFUSAL = gettext_lazy("This cannot be deleted: it has %(things)s.")


def in_use_message(obj: Model, blockers: Iterable[Model]) -> str:
    """The refusal naming the blockers, e.g. 'This client cannot be deleted: it has 2 sites
    and 1 contact.' (counted by model, the most numerous first)."""
    counts = Counter(type(blocker) for blocker in blockers)
    parts = []
    for model, count in sorted(
        counts.items(), key=lambda kv: (-kv[1], str(kv[0]._meta.verbose_name))
    ):
        meta = model._meta
        noun = meta.verbose_name if count == 1 else meta.verbose_name_plural
        parts.append(f"{count} {noun}")
    if len(parts) > 1:
        things = _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}
    else:
        things = parts[0] if parts else ""
    return str(_REFUSALS.get(type(obj), _DEFAULT_REFUSAL)) % {"things": things}


def deletion_refusal(obj: Model) -> str | None:
    """Why `obj` cannot be deleted (shown before asking), or None when it can be."""
    collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
    try:
        collector.collect([obj])
    except ProtectedError as exc:
        return in_use_message(obj, exc.protected_objects)
    except RestrictedError as exc:
        return in_use_message(obj, exc.restricted_objects)
    return None
