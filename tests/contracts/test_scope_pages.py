"""The scope tab: sections and lines shown with subtotals and the total, added, edited and
deleted through the pages (with confirmation), refusals shown, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from chantier.contracts import scope_selectors, scope_services
from chantier.contracts.models import ChangeOrder, Contract, ContractLine, ContractSection

pytestmark = pytest.mark.django_db

D = Decimal


def _html(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return response.content.decode()


def _section(contract: Contract, number: str) -> ContractSection:
    return ContractSection.objects.get(contract=contract, number=number)


def _line(contract: Contract, reference: str) -> ContractLine:
    return ContractLine.objects.get(contract=contract, reference=reference)


def _url(name: str, *args: object) -> str:
    return reverse(f"contracts:{name}", args=args)


def _line_post(**changes: object) -> dict[str, object]:
    return {
        "lock_version": 1,
        "kind": "item",
        "reference": "FI-2",
        "description": "Vernis",
        "unit": "m²",
        "quantity": "2,5",
        "unit_price": "10,00",
        "vat_rate": "10.00",
        "pricing": "",
        **changes,
    }


def test_the_tab_shows_sections_lines_subtotals_and_the_total(alice_client, contract):
    html = _html(alice_client.get(_url("scope_detail", contract.pk)))
    assert f'href="{_url("scope_detail", contract.pk)}" aria-current="page"' in html
    for expected in ("Gros œuvre", "838,46\u00a0€", "Fondations", "715,00\u00a0€", "102,90\u00a0€"):
        assert expected in html, expected
    positions = [html.index(t) for t in ("Déplacement", "Ragréage", "Semelles", "Peinture")]
    assert positions == sorted(positions)
    assert "971,36\u00a0€" in html
    assert _url("scope_line_update", contract.pk, _line(contract, "GO-1").pk) in html
    assert _url("scope_section_delete", contract.pk, _section(contract, "1").pk) in html
    assert f"{_url('scope_line_create', contract.pk)}?section={_section(contract, '2').pk}" in html


def test_the_general_tab_links_to_the_scope_and_people_tabs(alice_client, contract):
    html = _html(alice_client.get(_url("contract_detail", contract.pk)))
    assert _url("scope_detail", contract.pk) in html and _url("people", contract.pk) in html


def test_adding_a_line_to_a_section(alice_client, contract):
    section = _section(contract, "2")
    url = f"{_url('scope_line_create', contract.pk)}?section={section.pk}"
    assert 'name="lock_version" value="1"' in _html(alice_client.get(url))
    response = alice_client.post(url, _line_post())
    line = _line(contract, "FI-2")
    assert response.status_code == 302
    assert response["Location"] == f"{_url('scope_detail', contract.pk)}#line-{line.pk}"
    assert (line.section_id, line.net, line.vat_rate) == (section.pk, D("25.00"), D("10.00"))
    contract.refresh_from_db()
    assert (contract.base_net, contract.lock_version) == (D("996.36"), 2)
    html = _html(alice_client.get(_url("scope_detail", contract.pk)))
    assert "127,90\u00a0€" in html and "996,36\u00a0€" in html


def test_save_and_add_another_comes_back_to_an_empty_form(alice_client, contract):
    url = _url("scope_line_create", contract.pk)
    response = alice_client.post(url, _line_post(add_another="1"))
    assert response.status_code == 302 and response["Location"] == url
    assert 'name="lock_version" value="2"' in _html(alice_client.get(url))


def test_the_net_posted_by_a_browser_is_ignored(alice_client, contract):
    alice_client.post(_url("scope_line_create", contract.pk), _line_post(net="9999"))
    assert _line(contract, "FI-2").net == D("25.00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"unit_price": "-1"}, "unit_price"),
        ({"vat_rate": "7.00"}, "vat_rate"),
        ({"description": ""}, "description"),
    ],
)
def test_bad_input_shows_the_field_error_and_saves_nothing(alice_client, contract, changes, field):
    response = alice_client.post(_url("scope_line_create", contract.pk), _line_post(**changes))
    html = _html(response, 400)
    assert f'id="id_{field}"' in html and "has-error" in html
    assert response.context["form"].errors[field]
    assert not ContractLine.objects.filter(contract=contract, description="Vernis").exists()
    contract.refresh_from_db()
    assert (contract.base_net, contract.lock_version) == (D("971.36"), 1)


def test_editing_a_line(alice_client, contract):
    line = _line(contract, "FI-1")
    url = _url("scope_line_update", contract.pk, line.pk)
    html = _html(alice_client.get(url))
    assert "Peinture" in html and 'value="10.00" selected' in html
    data = _line_post(reference="FI-1", description="Peinture", quantity="20", unit_price="8,40")
    response = alice_client.post(url, data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.net == D("168.00")
    contract.refresh_from_db()
    assert contract.base_net == D("1036.46")  # 971.36 - 102.90 + 168.00


def test_a_stale_save_is_refused_with_a_clear_message(alice_client, world, contract):
    scope_services.line_update(
        user=world.alice, line=_line(contract, "R-1"), lock_version=1, quantity="3"
    )
    line = _line(contract, "FI-1")
    response = alice_client.post(
        _url("scope_line_update", contract.pk, line.pk), _line_post(quantity="99")
    )
    html = _html(response, 400)
    assert (
        escape(
            _(
                "Someone else changed this contract since you opened it. Reload the page: "
                "your change was not saved."
            )
        )
        in html
    )
    line.refresh_from_db()
    assert line.quantity == D("12.250")
    contract.refresh_from_db()
    assert contract.lock_version == 2 and contract.base_net == D("986.36")


def test_sections_are_added_and_edited(alice_client, contract):
    url = _url("scope_section_create", contract.pk)
    response = alice_client.post(
        url,
        {"lock_version": 1, "title": "Électricité", "parent": "", "start_date": "2026-03-02",
         "end_date": "2026-03-20", "comments": "Tableau neuf"},
    )  # fmt: skip
    section = ContractSection.objects.get(contract=contract, title="Électricité")
    assert response.status_code == 302 and section.number == "3"
    assert str(section.start_date) == "2026-03-02"
    parent = _section(contract, "1")
    html = _html(alice_client.get(f"{url}?parent={parent.pk}"))
    assert f'value="{parent.pk}" selected' in html
    alice_client.post(url + f"?parent={parent.pk}",
                      {"lock_version": 2, "title": "Reprises", "parent": parent.pk})  # fmt: skip
    assert _section(contract, "1.2").title == "Reprises"
    edit = _url("scope_section_update", contract.pk, section.pk)
    response = alice_client.post(
        edit, {"lock_version": 3, "title": "Électricité", "start_date": "2026-03-10",
               "end_date": "2026-03-01"}
    )  # fmt: skip
    assert response.context["form"].errors["end_date"]
    response = alice_client.post(edit, {"lock_version": 3, "title": "Courants forts"})
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.title == "Courants forts" and section.start_date is None


def test_deleting_a_section_asks_then_deletes_its_lines(alice_client, contract):
    section = _section(contract, "1")
    url = _url("scope_section_delete", contract.pk, section.pk)
    html = _html(alice_client.get(url))
    assert 'name="lock_version" value="1"' in html
    assert escape(_("Yes, delete")) in html
    assert ContractSection.objects.filter(pk=section.pk).exists()  # GET deletes nothing
    response = alice_client.post(url, {"lock_version": 1})
    assert response.status_code == 302
    assert not ContractSection.objects.filter(contract=contract, number__startswith="1").exists()
    contract.refresh_from_db()
    assert contract.base_net == D("132.90")


def test_deleting_a_line_asks_first(alice_client, contract):
    line = _line(contract, "FD-REM")
    url = _url("scope_line_delete", contract.pk, line.pk)
    _html(alice_client.get(url))
    assert alice_client.post(url, {"lock_version": 1}).status_code == 302
    assert not ContractLine.objects.filter(pk=line.pk).exists()


def test_a_stale_delete_is_refused(alice_client, world, contract):
    scope_services.line_update(
        user=world.alice, line=_line(contract, "R-1"), lock_version=1, quantity="3"
    )
    line = _line(contract, "FD-REM")
    response = alice_client.post(
        _url("scope_line_delete", contract.pk, line.pk), {"lock_version": 1}
    )
    assert response.status_code == 409
    assert ContractLine.objects.filter(pk=line.pk).exists()


def test_a_billed_line_cannot_be_deleted(alice_client, contract, monkeypatch):
    monkeypatch.setattr(scope_selectors, "line_is_billed", lambda line: True)
    line = _line(contract, "FD-1")
    url = _url("scope_line_delete", contract.pk, line.pk)
    refusal = escape(_("This line is already billed: it cannot be deleted."))
    html = _html(alice_client.get(url))
    assert refusal in html and 'name="lock_version"' not in html
    assert refusal in _html(alice_client.post(url, {"lock_version": 1}), 409)
    assert ContractLine.objects.filter(pk=line.pk).exists()
    section_url = _url("scope_section_delete", contract.pk, _section(contract, "1").pk)
    assert _html(alice_client.post(section_url, {"lock_version": 1}), 409)
    assert ContractSection.objects.filter(contract=contract).count() == 3


def test_a_line_from_a_change_order_has_a_badge_and_is_refused(alice_client, world, contract):
    order = ChangeOrder.objects.create(
        company=world.company_a, contract=contract, number=4, title="Avenant", status="approved"
    )
    line = ContractLine.objects.create(
        company=world.company_a, contract=contract, section=_section(contract, "2"), position=5,
        sort_key="0002-000005", reference="AV-4", description="Plus-value", quantity=D("1"),
        unit_price=D("40"), net=D("40"), change_order=order,
    )  # fmt: skip
    html = _html(alice_client.get(_url("scope_detail", contract.pk)))
    assert escape(_("Change order no. %(number)s") % {"number": 4}) in html
    assert _url("scope_line_update", contract.pk, line.pk) not in html
    refusal = escape(scope_services.order_line_refusal(line))
    assert refusal in _html(alice_client.get(_url("scope_line_update", contract.pk, line.pk)))
    response = alice_client.post(
        _url("scope_line_update", contract.pk, line.pk), _line_post(quantity="5")
    )
    assert refusal in _html(response, 409)
    assert refusal in _html(
        alice_client.post(_url("scope_line_delete", contract.pk, line.pk), {"lock_version": 1}),
        409,
    )
    line.refresh_from_db()
    assert line.quantity == D("1.000")


def test_a_read_only_member_reads_but_cannot_change(bob_client, contract):
    html = _html(bob_client.get(_url("scope_detail", contract.pk)))
    assert "Semelles filantes" in html
    assert _url("scope_section_create", contract.pk) not in html
    line = _line(contract, "FI-1")
    assert bob_client.post(_url("scope_line_create", contract.pk), _line_post()).status_code == 403
    response = bob_client.post(_url("scope_line_delete", contract.pk, line.pk), {"lock_version": 1})
    assert response.status_code == 403
    assert ContractLine.objects.filter(pk=line.pk).exists()


def test_another_company_gets_404(charlie_client, contract):
    line, section = _line(contract, "FI-1"), _section(contract, "2")
    for url in (
        _url("scope_detail", contract.pk),
        _url("scope_line_update", contract.pk, line.pk),
        _url("scope_line_delete", contract.pk, line.pk),
        _url("scope_section_update", contract.pk, section.pk),
        _url("scope_section_create", contract.pk),
    ):
        assert charlie_client.get(url).status_code == 404, url
    assert (
        charlie_client.post(
            _url("scope_line_delete", contract.pk, line.pk), {"lock_version": 1}
        ).status_code
        == 404
    )
    assert ContractLine.objects.filter(pk=line.pk).exists()


def test_a_line_of_another_contract_is_404(alice_client, world, contract, acme):
    other = Contract.objects.create(
        company=world.company_a, client=acme, title="Autre", reference="C-2"
    )
    line = _line(contract, "FI-1")
    assert alice_client.get(_url("scope_line_update", other.pk, line.pk)).status_code == 404


def _add_rows(contract: Contract, count: int) -> None:
    sections = ContractSection.objects.bulk_create(
        ContractSection(company_id=contract.company_id, contract=contract, position=10 + n,
                        number=str(10 + n), title=f"Lot {n}", sort_key=f"{10 + n:04d}")
        for n in range(count)
    )  # fmt: skip
    ContractLine.objects.bulk_create(
        ContractLine(company_id=contract.company_id, contract=contract, section=s, position=1,
                     sort_key=f"{s.sort_key}-000001", description=f"Ligne {s.title}",
                     quantity=D("1"), unit_price=D("1"), net=D("1"))
        for s in sections
    )  # fmt: skip


def test_the_scope_page_runs_a_fixed_number_of_queries(
    alice_client, contract, django_assert_max_num_queries
):
    url = _url("scope_detail", contract.pk)
    alice_client.get(url)
    with django_assert_max_num_queries(7) as small:
        _html(alice_client.get(url))
    _add_rows(contract, 40)
    with django_assert_max_num_queries(7) as big:
        assert "Ligne Lot 39" in _html(alice_client.get(url))
    assert len(big.captured_queries) == len(small.captured_queries)
