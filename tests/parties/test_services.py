"""Services of the parties app: writes, validation, refusals (nothing changes on a refusal)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from chantier.catalogue.models import Item
from chantier.core.deletion import deletion_refusal
from chantier.core.exceptions import DomainError, InUse, PermissionDenied
from chantier.core.models import AuditEntry
from chantier.parties import selectors, services
from chantier.parties.exceptions import FieldErrors
from chantier.parties.models import Client, Contact, Interaction, Site, Supplier
from tests.parties.conftest import SIREN, address

pytestmark = pytest.mark.django_db


def errors_of(excinfo: pytest.ExceptionInfo[FieldErrors]) -> dict[str, list[str]]:
    return excinfo.value.errors


# --- clients ------------------------------------------------------------------------------


def test_client_create_normalises_identity_and_audits(world):
    client = services.client_create(
        user=world.alice,
        name="  Dupont Rénovation ",
        siren="732 829 320",
        vat_number="fr 44 732.829.320",
        country="fr",
        **address(),
    )
    client.refresh_from_db()
    assert client.company == world.company_a
    assert client.name == "Dupont Rénovation"
    assert client.siren == "732829320"
    assert client.vat_number == "FR44732829320"
    assert client.country == "FR"
    assert client.address_lines == ["8 rue des Tilleuls", "69003 Lyon"]
    entry = AuditEntry.objects.get(action="client_create")
    assert (entry.user, entry.object_id) == (world.alice, str(client.pk))


def test_an_individual_needs_only_a_name(world):
    client = services.client_create(user=world.alice, name="Jean Dupont", kind="individual")
    assert (client.kind, client.siren, client.country) == ("individual", "", "FR")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"siren": "732829321"}, "siren"),  # wrong check digit
        ({"siren": "12345"}, "siren"),
        ({"vat_number": "FR00732829320"}, "vat_number"),  # wrong key
        ({"siren": SIREN, "vat_number": "FR40303265045"}, "vat_number"),  # another SIREN's
        ({"email": "not-an-email"}, "email"),
        ({"postcode": "6900"}, "postcode"),
        ({"country": "France"}, "country"),
        ({"kind": "alien"}, "kind"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"phone": "0\x00"}, "phone"),
    ],
)
def test_client_create_refuses_bad_data_and_creates_nothing(world, fields, field):
    data = {"name": "Dupont", **fields}
    with pytest.raises(FieldErrors) as excinfo:
        services.client_create(user=world.alice, **data)
    assert field in errors_of(excinfo)
    assert Client.objects.count() == 0
    assert not AuditEntry.objects.filter(action="client_create").exists()


def test_bad_siren_message_is_clear(world):
    with translation.override("en"), pytest.raises(FieldErrors) as excinfo:
        services.client_create(user=world.alice, name="Dupont", siren="123456789")
    assert errors_of(excinfo) == {
        "siren": ["Invalid SIREN: 9 digits with a valid check digit expected."]
    }


def test_every_faulty_field_is_reported_at_once(world):
    with pytest.raises(FieldErrors) as excinfo:
        services.client_create(user=world.alice, name="", siren="1", email="@")
    assert set(errors_of(excinfo)) == {"name", "siren", "email"}
    # A domain error like any other (DESIGN convention 5), naming no single field.
    assert isinstance(excinfo.value, DomainError)
    assert (excinfo.value.field, excinfo.value.message) == (None, "3 champs sont invalides.")


def test_one_faulty_field_is_named_like_any_domain_error(world):
    with pytest.raises(DomainError) as excinfo:
        services.client_create(user=world.alice, name="Dupont", postcode="6900")
    assert (excinfo.value.field, excinfo.value.message) == (
        "postcode",
        "Un code postal français a 5 chiffres.",
    )


def test_read_only_role_cannot_create(world):
    with pytest.raises(PermissionDenied):
        services.client_create(user=world.bob, name="Dupont")
    assert Client.objects.count() == 0


def test_unknown_field_is_refused(world):
    with pytest.raises(DomainError) as excinfo:
        services.client_create(user=world.alice, name="Dupont", company_id=2)  # type: ignore[call-arg]
    assert excinfo.value.field == "company_id"
    assert Client.objects.count() == 0


def test_client_update_changes_and_audits_the_fields(world, acme):
    updated = services.client_update(user=world.alice, client=acme, city="Villeurbanne ", phone="")
    acme.refresh_from_db()
    assert (acme.city, acme.phone, acme.name) == ("Villeurbanne", "", "Acme Construction")
    assert updated == acme
    entry = AuditEntry.objects.get(action="client_update")
    assert entry.data == {"fields": ["city", "phone"]}


def test_client_update_with_bad_data_changes_nothing(world, acme):
    with pytest.raises(FieldErrors) as excinfo:
        services.client_update(user=world.alice, client=acme, city="Bron", siren="999999999")
    assert list(errors_of(excinfo)) == ["siren"]
    acme.refresh_from_db()
    assert (acme.city, acme.siren) == ("Lyon", SIREN)


def test_client_update_refused_to_read_only_and_other_company(world, acme):
    with pytest.raises(PermissionDenied):
        services.client_update(user=world.bob, client=acme, name="Hacked")
    with pytest.raises(PermissionDenied):
        services.client_update(user=world.charlie, client=acme, name="Hacked")
    acme.refresh_from_db()
    assert acme.name == "Acme Construction"


def test_client_delete_refused_while_referenced_and_nothing_deleted(world, acme):
    services.site_create(user=world.alice, client=acme, name="Bâtiment A", **address())
    services.site_create(user=world.alice, client=acme, name="Bâtiment B", **address())
    services.contact_create(user=world.alice, client=acme, last_name="Garnier")
    with translation.override("en"), pytest.raises(InUse) as excinfo:
        services.client_delete(user=world.alice, client=acme)
    assert excinfo.value.message == (
        "Acme Construction cannot be deleted: it is used by 2 sites and 1 contact."
    )
    assert Client.objects.filter(pk=acme.pk).exists()
    assert (Site.objects.count(), Contact.objects.count()) == (2, 1)
    assert not AuditEntry.objects.filter(action="client_delete").exists()


def test_client_history_is_not_lost_with_it(world, acme):
    services.interaction_record(user=world.alice, client=acme, kind="call", subject="Devis")
    services.interaction_record(user=None, client=acme, kind="email", subject="Devis envoyé")
    with translation.override("en"), pytest.raises(InUse) as excinfo:
        services.client_delete(user=world.alice, client=acme)
    assert excinfo.value.message == (
        "Acme Construction cannot be deleted: it is used by 2 interactions."
    )
    assert Interaction.objects.count() == 2


def test_in_use_message_reads_french_by_default(world, acme):
    services.site_create(user=world.alice, client=acme, name="Bâtiment A", **address())
    with pytest.raises(InUse) as excinfo:
        services.client_delete(user=world.alice, client=acme)
    assert excinfo.value.message == (
        "« Acme Construction » ne peut pas être supprimé : il est utilisé par 1 chantier."
    )


def test_client_delete_deletes_and_audits(world, acme):
    services.client_delete(user=world.alice, client=acme)
    assert Client.objects.count() == 0
    assert AuditEntry.objects.get(action="client_delete").data == {"name": "Acme Construction"}


def test_client_delete_refused_to_read_only(world, acme):
    with pytest.raises(PermissionDenied):
        services.client_delete(user=world.bob, client=acme)
    assert Client.objects.filter(pk=acme.pk).exists()


def test_deletion_refusal_is_known_before_trying(world, acme):
    assert deletion_refusal(acme) is None
    services.contact_create(user=world.alice, client=acme, last_name="Garnier")
    with translation.override("en"):
        assert (
            deletion_refusal(acme)
            == "Acme Construction cannot be deleted: it is used by 1 contact."
        )


# --- suppliers ----------------------------------------------------------------------------


def test_supplier_and_subcontractor_create(world):
    supplier = services.supplier_create(user=world.alice, name="Cedeo", trade="Plomberie")
    sub = services.supplier_create(user=world.alice, name="Élec Rousset", kind="subcontractor")
    assert (supplier.kind, sub.kind) == ("supplier", "subcontractor")
    assert list(selectors.supplier_list(world.company_a, kind="subcontractor")) == [sub]
    assert list(selectors.supplier_list(world.company_a, q="plomb")) == [supplier]


def test_supplier_bad_vat_refused(world):
    with pytest.raises(FieldErrors) as excinfo:
        services.supplier_create(user=world.alice, name="Cedeo", vat_number="FR123")
    assert list(errors_of(excinfo)) == ["vat_number"]
    assert Supplier.objects.count() == 0


def test_supplier_delete_refused_while_a_catalogue_item_uses_it(world, point_p):
    Item.objects.create(company=world.company_a, reference="PL-01", name="Plaque", supplier=point_p)
    services.contact_create(user=world.alice, supplier=point_p, last_name="Haddad")
    with translation.override("en"), pytest.raises(InUse) as excinfo:
        services.supplier_delete(user=world.alice, supplier=point_p)
    assert excinfo.value.message == (
        "Point P Gerland cannot be deleted: it is used by 1 item and 1 contact."
    )
    assert Supplier.objects.filter(pk=point_p.pk).exists()


def test_supplier_update_and_delete(world, point_p):
    services.supplier_update(user=world.alice, supplier=point_p, kind="subcontractor")
    point_p.refresh_from_db()
    assert point_p.kind == "subcontractor"
    services.supplier_delete(user=world.alice, supplier=point_p)
    assert Supplier.objects.count() == 0


# --- contacts, sites, interactions --------------------------------------------------------


def test_contact_of_a_client_and_of_a_supplier(world, acme, point_p):
    at_client = services.contact_create(
        user=world.alice,
        client=acme,
        first_name="Nathalie",
        last_name="Garnier",
        function="Gérante",
    )
    at_supplier = services.contact_create(user=world.alice, supplier=point_p, last_name="Haddad")
    assert (at_client.client, at_client.supplier) == (acme, None)
    assert (at_supplier.client, at_supplier.supplier) == (None, point_p)
    assert str(at_client) == "Nathalie Garnier"


def test_contact_cannot_belong_to_both(world, acme, point_p):
    with pytest.raises(DomainError):
        services.contact_create(user=world.alice, client=acme, supplier=point_p, last_name="X")
    assert Contact.objects.count() == 0


def test_contact_needs_a_last_name_and_a_valid_email(world, acme):
    with pytest.raises(FieldErrors) as excinfo:
        services.contact_create(user=world.alice, client=acme, first_name="Luc", email="luc@")
    assert set(errors_of(excinfo)) == {"last_name", "email"}


def test_contact_on_another_companys_client_is_refused(world, bravo_client):
    with pytest.raises(PermissionDenied):
        services.contact_create(user=world.alice, client=bravo_client, last_name="Intrus")
    assert Contact.objects.count() == 0


def test_contact_update_and_delete(world, acme):
    contact = services.contact_create(user=world.alice, client=acme, last_name="Garnier")
    services.contact_update(user=world.alice, contact=contact, phone="06 01 02 03 04")
    contact.refresh_from_db()
    assert contact.phone == "06 01 02 03 04"
    services.contact_delete(user=world.alice, contact=contact)
    assert Contact.objects.count() == 0


def test_site_create_update_delete(world, acme):
    site = services.site_create(
        user=world.alice, client=acme, name="École", **address("21 rue Jean Moulin", "69300")
    )
    assert (site.client, site.company, site.postcode) == (acme, world.company_a, "69300")
    services.site_update(user=world.alice, site=site, access_notes="Code 4512")
    site.refresh_from_db()
    assert site.access_notes == "Code 4512"
    with pytest.raises(FieldErrors):
        services.site_update(user=world.alice, site=site, postcode="ABCDE")
    services.site_delete(user=world.alice, site=site)
    assert Site.objects.count() == 0


def test_interaction_record_update_delete(world, acme):
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    interaction = services.interaction_record(
        user=world.alice, client=acme, kind="visit", subject=" Visite ", date=when, private=True
    )
    assert (interaction.subject, interaction.date, interaction.author) == (
        "Visite",
        when,
        world.alice,
    )
    services.interaction_update(user=world.alice, interaction=interaction, subject="Visite n°2")
    interaction.refresh_from_db()
    assert interaction.subject == "Visite n°2"
    services.interaction_delete(user=world.alice, interaction=interaction)
    assert Interaction.objects.count() == 0


def test_interaction_create_is_for_writers(world, acme):
    created = services.interaction_create(
        user=world.alice, client=acme, kind="call", subject="Appel"
    )
    assert (created.author, created.kind) == (world.alice, "call")
    with pytest.raises(PermissionDenied):
        services.interaction_create(user=world.bob, client=acme, kind="note", subject="x")
    with pytest.raises(PermissionDenied):
        services.interaction_create(user=world.charlie, client=acme, kind="note", subject="x")
    with pytest.raises(DomainError):
        services.interaction_create(user=world.alice, client=acme, kind="fax", subject="x")
    assert Interaction.objects.count() == 1


def test_interaction_record_logs_what_was_done_elsewhere(world, acme):
    """The mail app logs a sent email even if its sender has become read-only since."""
    by_system = services.interaction_record(user=None, client=acme, kind="email", subject="Devis")
    by_bob = services.interaction_record(
        user=world.bob, client=acme, kind="email", subject="Relance"
    )
    assert (by_system.author, by_bob.author) == (None, world.bob)
    assert Interaction.objects.filter(client=acme, kind="email").count() == 2
