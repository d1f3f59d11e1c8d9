"""Writes of the parties app: clients, suppliers and subcontractors, contacts, sites,
interactions.

Every function checks the acting user's role, validates what it is given (the
pages validate with forms first; API input only meets this validation), writes
inside one transaction and leaves an audit entry. Invalid data raises `FieldErrors`
keyed by model field (every faulty field at once); a refused deletion raises `InUse`
(chantier.core.deletion).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.core.access import require_writer
from chantier.core.deletion import delete_audited
from chantier.core.exceptions import DomainError
from chantier.core.exceptions import PermissionDenied as DomainPermissionDenied
from chantier.core.models import Company, Membership, User
from chantier.core.services import audit_log
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier
from chantier.parties.validation import clean

if TYPE_CHECKING:  # contracts import parties: no import at run time
    from chantier.contracts.models import Contract


class AddressFields(TypedDict, total=False):
    address_line1: str
    address_line2: str
    postcode: str
    city: str
    country: str


class ClientFields(AddressFields, total=False):
    kind: str
    name: str
    siren: str
    vat_number: str
    email: str
    phone: str
    notes: str


class SupplierFields(ClientFields, total=False):
    trade: str


class ContactFields(TypedDict, total=False):
    first_name: str
    last_name: str
    function: str
    email: str
    phone: str
    mobile: str


class SiteFields(AddressFields, total=False):
    name: str
    access_notes: str


class InteractionFields(TypedDict, total=False):
    kind: str
    date: datetime
    subject: str
    detail: str
    private: bool


# --- shared helpers -----------------------------------------------------------------------


def _writer_of(user: User, *objects: models.Model | None) -> Membership:
    """The writer's membership; refuses objects of another company (defence in depth)."""
    membership = require_writer(user)
    for obj in objects:
        if obj is not None and obj.company_id != membership.company_id:  # type: ignore[attr-defined]
            raise DomainPermissionDenied(_("This object belongs to another company."))
    return membership


def _apply(obj: models.Model, changes: dict[str, Any], allowed: type) -> list[str]:
    """Set `changes` on `obj`; return the names of the fields whose value changed."""
    known = allowed.__required_keys__ | allowed.__optional_keys__  # type: ignore[attr-defined]
    changed = []
    for name, value in changes.items():
        if name not in known:
            raise DomainError(_("Unknown field: %(name)s.") % {"name": name}, field=name)
        if isinstance(value, str):
            value = value.strip()
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _create[M: models.Model](
    *, user: User, company: Company, obj: M, fields: dict[str, Any], allowed: type, action: str
) -> M:
    _apply(obj, fields, allowed)
    clean(obj)
    obj.save()
    audit_log(company=company, user=user, action=action, obj=obj)
    return obj


def _save_changes[M: models.Model](
    *, user: User, company: Company, obj: M, changes: dict[str, Any], allowed: type, action: str
) -> M:
    """Apply `changes` to a locked fresh copy of `obj` (a form may have altered `obj`)."""
    locked: M = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    changed = _apply(locked, changes, allowed)
    clean(locked)
    locked.save()
    audit_log(company=company, user=user, action=action, obj=locked, data={"fields": changed})
    return locked


# --- clients ------------------------------------------------------------------------------


@transaction.atomic
def client_create(*, user: User, **fields: Unpack[ClientFields]) -> Client:
    """Create a client (a company or an individual) of the user's company."""
    company = _writer_of(user).company
    return _create(
        user=user,
        company=company,
        obj=Client(company=company),
        fields=dict(fields),
        allowed=ClientFields,
        action="client_create",
    )


@transaction.atomic
def client_update(*, user: User, client: Client, **changes: Unpack[ClientFields]) -> Client:
    """Change some fields of a client; the row is locked while it is checked and saved."""
    return _save_changes(
        user=user,
        company=_writer_of(user, client).company,
        obj=client,
        changes=dict(changes),
        allowed=ClientFields,
        action="client_update",
    )


@transaction.atomic
def client_delete(*, user: User, client: Client) -> None:
    """Delete a client; refused (InUse) while contacts, sites, interactions or documents
    reference it: its history is never lost by accident."""
    company = _writer_of(user, client).company
    delete_audited(user=user, company=company, obj=client, action="client_delete")


# --- suppliers and subcontractors ---------------------------------------------------------


@transaction.atomic
def supplier_create(*, user: User, **fields: Unpack[SupplierFields]) -> Supplier:
    """Create a supplier or a subcontractor (`kind`)."""
    company = _writer_of(user).company
    return _create(
        user=user,
        company=company,
        obj=Supplier(company=company),
        fields=dict(fields),
        allowed=SupplierFields,
        action="supplier_create",
    )


@transaction.atomic
def supplier_update(
    *, user: User, supplier: Supplier, **changes: Unpack[SupplierFields]
) -> Supplier:
    return _save_changes(
        user=user,
        company=_writer_of(user, supplier).company,
        obj=supplier,
        changes=dict(changes),
        allowed=SupplierFields,
        action="supplier_update",
    )


@transaction.atomic
def supplier_delete(*, user: User, supplier: Supplier) -> None:
    """Delete a supplier; refused (InUse) while contacts, catalogue items or orders use it."""
    company = _writer_of(user, supplier).company
    delete_audited(user=user, company=company, obj=supplier, action="supplier_delete")


# --- contacts -----------------------------------------------------------------------------


@transaction.atomic
def contact_create(
    *,
    user: User,
    client: Client | None = None,
    supplier: Supplier | None = None,
    **fields: Unpack[ContactFields],
) -> Contact:
    """Create a person working for a client or for a supplier (at most one of them)."""
    company = _writer_of(user, client, supplier).company
    if client is not None and supplier is not None:
        raise DomainError(_("A contact belongs to a client or to a supplier, not both."))
    return _create(
        user=user,
        company=company,
        obj=Contact(company=company, client=client, supplier=supplier),
        fields=dict(fields),
        allowed=ContactFields,
        action="contact_create",
    )


@transaction.atomic
def contact_update(*, user: User, contact: Contact, **changes: Unpack[ContactFields]) -> Contact:
    return _save_changes(
        user=user,
        company=_writer_of(user, contact).company,
        obj=contact,
        changes=dict(changes),
        allowed=ContactFields,
        action="contact_update",
    )


@transaction.atomic
def contact_delete(*, user: User, contact: Contact) -> None:
    """Delete a contact; refused (InUse) while a document names it (e.g. a participant)."""
    company = _writer_of(user, contact).company
    delete_audited(user=user, company=company, obj=contact, action="contact_delete")


# --- sites --------------------------------------------------------------------------------


@transaction.atomic
def site_create(*, user: User, client: Client, **fields: Unpack[SiteFields]) -> Site:
    """Create a works site (chantier) of a client; its address may differ from the client's."""
    company = _writer_of(user, client).company
    return _create(
        user=user,
        company=company,
        obj=Site(company=company, client=client),
        fields=dict(fields),
        allowed=SiteFields,
        action="site_create",
    )


@transaction.atomic
def site_update(*, user: User, site: Site, **changes: Unpack[SiteFields]) -> Site:
    return _save_changes(
        user=user,
        company=_writer_of(user, site).company,
        obj=site,
        changes=dict(changes),
        allowed=SiteFields,
        action="site_update",
    )


@transaction.atomic
def site_delete(*, user: User, site: Site) -> None:
    """Delete a site; refused (InUse) while quotes or contracts reference it."""
    company = _writer_of(user, site).company
    delete_audited(user=user, company=company, obj=site, action="site_delete")


# --- interactions -------------------------------------------------------------------------


@transaction.atomic
def interaction_create(
    *,
    user: User,
    client: Client,
    kind: str,
    subject: str,
    detail: str = "",
    date: datetime | None = None,
    private: bool = False,
    contract: Contract | None = None,
) -> Interaction:
    """A person adds a note, a call, a visit... to a client's history (writers only).

    `contract`: also on that contract's history; it must be this client's contract.
    """
    _writer_of(user, client, contract)
    if contract is not None and contract.client_id != client.pk:
        raise DomainError(_("This contract is not the client's."), field="contract")
    return interaction_record(
        user=user,
        client=client,
        kind=kind,
        subject=subject,
        detail=detail,
        date=date,
        private=private,
        contract_id=contract.pk if contract is not None else None,
    )


@transaction.atomic
def interaction_record(
    *,
    user: User | None,
    client: Client,
    kind: str,
    subject: str,
    detail: str = "",
    date: datetime | None = None,
    private: bool = False,
    contract_id: int | None = None,
) -> Interaction:
    """Log on a client something done elsewhere, e.g. an email sent by the mail app.

    No role check here: the action being logged was authorised when it was asked
    for (an email is delivered by a task, maybe after its sender's role changed),
    and a refusal at this point would undo the record of something already done.
    `user` is the author (None for the system). A private interaction is never
    shown to the client (seed 002, "Interactions"). `contract_id`: also on that
    contract's history (the contract must be the client's).
    """
    if kind not in Interaction.Kind.values:
        raise DomainError(_("Unknown interaction type."), field="kind")
    interaction = Interaction.objects.create(
        company_id=client.company_id,
        client=client,
        contract_id=contract_id,
        kind=kind,
        subject=subject.strip()[:250],
        detail=detail,
        date=date or timezone.now(),
        private=private,
        author=user,
    )
    audit_log(
        company=client.company,
        user=user,
        action="interaction_record",
        obj=interaction,
        data={"kind": kind},
    )
    return interaction


@transaction.atomic
def interaction_update(
    *, user: User, interaction: Interaction, **changes: Unpack[InteractionFields]
) -> Interaction:
    return _save_changes(
        user=user,
        company=_writer_of(user, interaction).company,
        obj=interaction,
        changes=dict(changes),
        allowed=InteractionFields,
        action="interaction_update",
    )


@transaction.atomic
def interaction_delete(*, user: User, interaction: Interaction) -> None:
    company = _writer_of(user, interaction).company
    delete_audited(user=user, company=company, obj=interaction, action="interaction_delete")
