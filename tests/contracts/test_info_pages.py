"""Contract general information, billing settings and deletion through the pages (issue 4):
blank contract, edit with optimistic lock, settings with their validation and the retention
confirmation, deletion keeping interactions and quote, read-only role, other company."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from chantier.contracts import selectors
from chantier.contracts.models import (
    ChangeOrder,
    Contract,
    ContractLine,
    ContractSection,
    RevisionIndex,
    ServiceOrder,
)
from chantier.parties import services as parties_services
from chantier.parties.models import Interaction
from chantier.quotes.models import Quote

pytestmark = pytest.mark.django_db

D = Decimal


def _info_post(client_obj, **overrides):
    data = {
        "client": client_obj.pk,
        "site": "",
        "title": "Entretien chaudière",
        "reference": "MAINT-2026-01",
        "contract_type": "Maintenance",
        "status": "active",
        "start_date": "2026-01-05",
        "end_date": "2026-12-31",
        "next_due_date": "2026-06-01",
        "next_due_label": "Visite annuelle",
        "address_line1": "",
        "address_line2": "",
        "postcode": "",
        "city": "",
        "country": "FR",
    }
    data.update(overrides)
    return data


def _settings_post(contract, **overrides):
    data = {
        "pricing": "unit_price",
        "retention_rate": "3,50",
        "retention_base": "net",
        "retention_on": "final_only",
        "guarantee_reference": "",
        "guarantee_end_date": "",
        "warranty_months": "24",
        "handover_date": "2026-09-30",
        "down_payment_deduction": "manual",
        "deduction_warning_threshold": "60",
        "revision_fixed_part": "0,125",
        "revision_rounding": "4half",
        "payment_terms": "days",
        "payment_days": "30",
        "procurement": "public",
        "service_orders_from_quotes": "on",
        "lock_version": contract.lock_version,
        "indices-TOTAL_FORMS": "3",
        "indices-INITIAL_FORMS": "0",
        "indices-MIN_NUM_FORMS": "0",
        "indices-MAX_NUM_FORMS": "20",
        "indices-0-name": "BT01",
        "indices-0-weight": "0,875",
        "indices-0-base_value": "130,5",
        "indices-1-name": "",
        "indices-1-weight": "",
        "indices-1-base_value": "",
        "indices-2-name": "",
        "indices-2-weight": "",
        "indices-2-base_value": "",
    }
    data.update(overrides)
    return data


# --- blank contract -------------------------------------------------------------------------


def test_a_blank_contract_takes_the_client_address(alice_client, acme):
    url = reverse("contracts:info_create")
    assert alice_client.get(url + f"?client={acme.pk}").status_code == 200
    response = alice_client.post(url, _info_post(acme))
    contract = Contract.objects.get(reference="MAINT-2026-01")
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk])
    assert (contract.address_line1, contract.postcode, contract.city) == (
        "8 rue des Tilleuls",
        "69003",
        "Lyon",
    )
    assert contract.quote is None
    assert contract.contract_type == "Maintenance"
    assert contract.next_due_date == dt.date(2026, 6, 1)
    assert contract.base_net == D("0.00")
    page = alice_client.get(response["Location"]).content.decode()
    assert _("Same as the client's address") in page
    assert "Visite annuelle" in page


def test_a_blank_contract_takes_the_site_address_when_complete(alice_client, world, acme):
    site = parties_services.site_create(
        user=world.alice,
        client=acme,
        name="Résidence Les Pins",
        address_line1="3 allée des Pins",
        postcode="69500",
        city="Bron",
    )
    response = alice_client.post(reverse("contracts:info_create"), _info_post(acme, site=site.pk))
    assert response.status_code == 302
    contract = Contract.objects.get(reference="MAINT-2026-01")
    assert (contract.address_line1, contract.postcode, contract.city) == (
        "3 allée des Pins",
        "69500",
        "Bron",
    )
    page = alice_client.get(response["Location"]).content.decode()
    assert _("Same as the client's address") not in page
    assert "3 allée des Pins" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"address_line1": "12 rue Neuve", "city": ""}, "city"),
        ({"address_line1": "12 rue Neuve", "city": "Lyon", "postcode": "6900"}, "postcode"),
        ({"title": ""}, "title"),
        ({"end_date": "2025-01-01"}, "end_date"),
        ({"reference": "DEV2026-7"}, "reference"),  # the contract made from the quote
    ],
)
def test_bad_general_information_is_refused_naming_the_field(
    alice_client, acme, contract, overrides, field
):
    response = alice_client.post(reverse("contracts:info_create"), _info_post(acme, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Contract.objects.count() == 1


def test_a_client_without_address_needs_one_typed(alice_client, world):
    bare = parties_services.client_create(user=world.alice, name="Sans Adresse")
    response = alice_client.post(reverse("contracts:info_create"), _info_post(bare))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"address_line1", "postcode", "city"} <= set(errors)
    assert not Contract.objects.exists()


# --- edit -----------------------------------------------------------------------------------


def test_the_general_information_is_edited(alice_client, acme, contract):
    url = reverse("contracts:info_edit", args=[contract.pk])
    assert alice_client.get(url).status_code == 200
    data = _info_post(
        acme,
        reference="DEV2026-7",
        status="pending",
        address_line1="1 place Bellecour",
        postcode="69002",
        city="Lyon",
        lock_version=contract.lock_version,
    )
    response = alice_client.post(url, data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "pending"
    assert contract.address_line1 == "1 place Bellecour"
    assert contract.lock_version == 2
    assert contract.base_net == D("971.36")  # the lines are untouched


def test_a_stale_edit_is_refused_and_nothing_changes(alice_client, acme, contract):
    Contract.objects.filter(pk=contract.pk).update(lock_version=5)
    data = _info_post(acme, title="Autre titre", lock_version=4)
    response = alice_client.post(reverse("contracts:info_edit", args=[contract.pk]), data)
    assert response.status_code == 400
    assert (
        escape(
            _(
                "Someone else changed this contract since you opened it. Reload the page: "
                "your change was not saved."
            )
        )
        in response.content.decode()
    )
    contract.refresh_from_db()
    assert contract.title == "Rénovation du hall"
    assert contract.lock_version == 5


# --- billing settings -----------------------------------------------------------------------


def test_the_billing_settings_are_saved(alice_client, contract):
    url = reverse("contracts:info_settings", args=[contract.pk])
    assert alice_client.get(url).status_code == 200
    response = alice_client.post(url, _settings_post(contract))
    assert response.status_code == 302, response.context["form"].errors
    contract.refresh_from_db()
    assert contract.pricing == "unit_price"
    assert contract.retention_rate == D("3.50")
    assert (contract.retention_base, contract.retention_on) == ("net", "final_only")
    assert contract.warranty_months == 24
    assert contract.handover_date == dt.date(2026, 9, 30)
    assert contract.down_payment_deduction == "manual"
    assert contract.deduction_warning_threshold == D("60.00")
    assert (contract.revision_fixed_part, contract.revision_rounding) == (D("0.1250"), "4half")
    assert (contract.payment_terms, contract.payment_days) == ("days", 30)
    assert contract.procurement == "public"
    assert contract.service_orders_from_quotes is True
    assert [(i.name, i.weight, i.base_value) for i in RevisionIndex.objects.all()] == [
        ("BT01", D("0.8750"), D("130.5000"))
    ]
    page = alice_client.get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert contract.get_pricing_display() in page.content.decode()
    # The settings page shows the saved index again.
    assert "BT01" in alice_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"retention_rate": "5,01"}, "retention_rate"),
        ({"retention_rate": "-1"}, "retention_rate"),
        ({"retention_guarantee": "on"}, "guarantee_reference"),
        ({"retention_guarantee": "on", "guarantee_reference": "CAU-1"}, "guarantee_end_date"),
        ({"payment_days": ""}, "payment_days"),
        ({"revision_fixed_part": "1,5"}, "revision_fixed_part"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(alice_client, contract, overrides, field):
    response = alice_client.post(
        reverse("contracts:info_settings", args=[contract.pk]),
        _settings_post(contract, **overrides),
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    contract.refresh_from_db()
    assert (contract.retention_rate, contract.pricing, contract.lock_version) == (
        D("5.00"),
        "lump_sum",
        1,
    )
    assert not RevisionIndex.objects.exists()


def test_a_retention_above_5_percent_is_refused_with_a_clear_message(alice_client, contract):
    response = alice_client.post(
        reverse("contracts:info_settings", args=[contract.pk]),
        _settings_post(contract, retention_rate="6"),
    )
    assert response.status_code == 400
    [message] = response.context["form"].errors["retention_rate"]
    assert message == _("The retention rate must be between 0 %% and %(max)s %%.") % {
        "max": D("5.00")
    }


def test_weights_not_adding_up_to_1_are_refused(alice_client, contract):
    response = alice_client.post(
        reverse("contracts:info_settings", args=[contract.pk]),
        _settings_post(contract, **{"indices-0-weight": "0,8"}),
    )
    assert response.status_code == 400
    expected = _(
        "The fixed part and the weights of the indices must add up to 1; they add up to %(total)s."
    ) % {"total": D("0.9250")}
    assert expected in response.context["form"].non_field_errors()
    assert not RevisionIndex.objects.exists()
    contract.refresh_from_db()
    assert contract.pricing == "lump_sum"


def test_a_stale_settings_save_is_refused(alice_client, contract):
    data = _settings_post(contract)
    Contract.objects.filter(pk=contract.pk).update(lock_version=9)
    response = alice_client.post(reverse("contracts:info_settings", args=[contract.pk]), data)
    assert response.status_code == 400
    contract.refresh_from_db()
    assert (contract.pricing, contract.lock_version) == ("lump_sum", 9)


def test_changing_the_retention_after_an_invoice_asks_for_confirmation(
    alice_client, contract, monkeypatch
):
    monkeypatch.setattr(selectors, "contract_has_invoices", lambda contract: True)
    url = reverse("contracts:info_settings", args=[contract.pk])
    response = alice_client.post(url, _settings_post(contract))
    assert response.status_code == 409
    assert response.context["confirm"] is True
    page = response.content.decode()
    assert 'name="confirm_retention"' in page
    contract.refresh_from_db()
    assert (contract.retention_rate, contract.pricing) == (D("5.00"), "lump_sum")

    response = alice_client.post(url, _settings_post(contract, confirm_retention="on"))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.retention_rate, contract.pricing) == (D("3.50"), "unit_price")


def test_other_settings_after_an_invoice_need_no_confirmation(alice_client, contract, monkeypatch):
    monkeypatch.setattr(selectors, "contract_has_invoices", lambda contract: True)
    data = _settings_post(
        contract, retention_rate="5", retention_base="gross", retention_on="every_invoice"
    )
    response = alice_client.post(reverse("contracts:info_settings", args=[contract.pk]), data)
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.pricing == "unit_price"


# --- deletion -------------------------------------------------------------------------------


def test_deleting_keeps_the_interactions_and_the_quote(alice_client, world, acme, contract):
    interaction = parties_services.interaction_record(
        user=world.alice, client=acme, kind="note", subject="Réunion de chantier",
        contract_id=contract.pk,
    )  # fmt: skip
    change_order = ChangeOrder.objects.create(
        company=world.company_a, contract=contract, number=1, title="Avenant 1",
        status=ChangeOrder.Status.APPROVED, net=D("50.00"),
    )  # fmt: skip
    ContractLine.objects.create(
        company=world.company_a, contract=contract, change_order=change_order,
        amends=contract.lines.get(reference="GO-1"), sort_key="9999-000001",
        description="Plus-value", quantity=D("1"), unit_price=D("50.00"), net=D("50.00"),
    )  # fmt: skip
    ServiceOrder.objects.create(
        company=world.company_a, contract=contract, number=1, kind="start", title="OS 1",
        change_order=change_order,
    )  # fmt: skip
    quote_pk = contract.quote_id
    url = reverse("contracts:info_delete", args=[contract.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert page.context["refusal"] is None
    response = alice_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:contract_list")
    assert not Contract.objects.filter(pk=contract.pk).exists()
    assert not ContractSection.objects.exists()
    assert not ContractLine.objects.exists()
    assert not ChangeOrder.objects.exists()
    assert not ServiceOrder.objects.exists()
    interaction.refresh_from_db()
    assert interaction.contract_id is None
    assert interaction.client_id == acme.pk
    assert Quote.objects.filter(pk=quote_pk).exists()
    assert Interaction.objects.count() == 1


def test_a_contract_with_invoices_cannot_be_deleted(alice_client, contract, monkeypatch):
    monkeypatch.setattr(selectors, "contract_has_invoices", lambda contract: True)
    url = reverse("contracts:info_delete", args=[contract.pk])
    refusal = _("The contract %(contract)s has invoices: it cannot be deleted.") % {
        "contract": "DEV2026-7"
    }
    page = alice_client.get(url)
    assert page.context["refusal"] == refusal
    response = alice_client.post(url)
    assert response.status_code == 409
    assert refusal in response.content.decode()
    assert Contract.objects.filter(pk=contract.pk).exists()
    assert ContractLine.objects.filter(contract=contract).count() == 6


# --- roles and tenancy ----------------------------------------------------------------------


def test_a_read_only_member_reads_but_cannot_change(bob_client, acme, contract):
    settings_url = reverse("contracts:info_settings", args=[contract.pk])
    assert bob_client.get(settings_url).status_code == 200
    assert bob_client.post(settings_url, _settings_post(contract)).status_code == 403
    assert bob_client.get(reverse("contracts:info_create")).status_code == 403
    assert bob_client.post(reverse("contracts:info_create"), _info_post(acme)).status_code == 403
    edit = reverse("contracts:info_edit", args=[contract.pk])
    assert bob_client.post(edit, _info_post(acme, title="X")).status_code == 403
    assert bob_client.post(reverse("contracts:info_delete", args=[contract.pk])).status_code == 403
    contract.refresh_from_db()
    assert (contract.title, contract.pricing) == ("Rénovation du hall", "lump_sum")
    assert Contract.objects.count() == 1


@pytest.mark.parametrize("name", ["info_edit", "info_settings", "info_delete"])
def test_another_company_gets_404(charlie_client, contract, name):
    url = reverse(f"contracts:{name}", args=[contract.pk])
    assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(url).status_code == 404
    assert Contract.objects.filter(pk=contract.pk, title="Rénovation du hall").exists()


def test_another_company_client_cannot_be_chosen(charlie_client, acme):
    response = charlie_client.post(reverse("contracts:info_create"), _info_post(acme))
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    assert not Contract.objects.exists()


# --- list search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("?q=maintenance", True),  # the type
        ("?q=bron", True),  # the intervention city
        ("?q=69500", True),  # its postcode
        ("?q=allee pins", True),  # its address line, without accents
        ("?q=ENTRETIEN", True),  # the title
        ("?q=maint-2026", True),  # the reference
        ("?q=acme", True),  # the client
        ("?q=villeurbanne", False),
        ("?q=bron&status=finished", False),
        ("?q=bron&status=active", True),
    ],
)
def test_the_list_searches_type_and_intervention_address(alice_client, world, acme, query, found):
    from chantier.contracts import services

    services.contract_create(
        user=world.alice,
        data={
            "client": acme,
            "title": "Entretien chaudière",
            "reference": "MAINT-2026-01",
            "contract_type": "Maintenance",
            "address_line1": "3 allée des Pins",
            "postcode": "69500",
            "city": "Bron",
        },
    )
    page = alice_client.get(reverse("contracts:contract_list") + query).content.decode()
    assert ("MAINT-2026-01" in page) is found


def test_the_list_offers_a_new_contract_to_writers_only(alice_client, bob_client):
    url = reverse("contracts:info_create")
    assert url in alice_client.get(reverse("contracts:contract_list")).content.decode()
    assert url not in bob_client.get(reverse("contracts:contract_list")).content.decode()


def test_the_client_page_offers_a_new_contract_for_that_client(alice_client, bob_client, acme):
    link = reverse("contracts:info_create") + f"?client={acme.pk}"
    page = alice_client.get(reverse("parties:client_detail", args=[acme.pk])).content.decode()
    assert f'href="{link}"' in page
    form = alice_client.get(link).content.decode()
    assert f'<option value="{acme.pk}" selected>' in form
    reader_page = bob_client.get(reverse("parties:client_detail", args=[acme.pk]))
    assert f'href="{link}"' not in reader_page.content.decode()  # read-only roles
