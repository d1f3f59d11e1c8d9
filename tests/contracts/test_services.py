"""contract_create_from_quote: the quote's tree, lines, amounts and components, copied as stored."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.utils import translation

from chantier.contracts import services
from chantier.contracts.models import (
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
)
from chantier.core.exceptions import DomainError, PermissionDenied
from chantier.core.models import AuditEntry
from chantier.quotes.models import QuoteLine
from tests.contracts.conftest import chapter, line, make_quote

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched on their English text (the msgids)."""
    with translation.override("en"):
        yield


D = Decimal
LINE_FIELDS = (
    "kind",
    "reference",
    "description",
    "unit",
    "quantity",
    "unit_price",
    "net",
    "vat_rate",
    "labour_net",
    "supply_net",
    "labour_cost",
    "supply_cost",
    "labour_hours",
)


def _counts() -> tuple[int, ...]:
    return (
        Contract.objects.count(),
        ContractSection.objects.count(),
        ContractLine.objects.count(),
        ContractLineComponent.objects.count(),
        AuditEntry.objects.filter(action="contract_create").count(),
    )


def test_the_contract_takes_the_quote_header(world, built, contract, acme, acme_site):
    contract.refresh_from_db()
    assert contract.company == world.company_a
    assert (contract.reference, contract.title) == ("DEV2026-7", "Rénovation du hall")
    assert (contract.client, contract.site, contract.quote) == (acme, acme_site, built.quote)
    assert contract.status == Contract.Status.ACTIVE
    assert contract.created_by == world.alice
    assert contract.base_net == D("971.36") == built.quote.net
    assert built.quote.contract == contract


def test_sections_are_the_chapter_tree(built, contract):
    sections = list(contract.sections.order_by("sort_key"))
    assert [(s.number, s.title, s.sort_key, s.position) for s in sections] == [
        ("1", "Gros œuvre", "0001", 1),
        ("1.1", "Fondations", "0001.0001", 1),
        ("2", "Finitions", "0002", 2),
    ]
    assert [s.parent.number if s.parent else None for s in sections] == [None, "1", None]
    assert {s.company_id for s in sections} == {contract.company_id}


def test_lines_are_copied_as_stored_without_the_optional_one(built, contract):
    lines = list(contract.lines.select_related("section").order_by("sort_key"))
    assert [(ln.section.number if ln.section else None, ln.reference, ln.kind) for ln in lines] == [
        (None, "R-1", "item"),
        ("1", "GO-1", "item"),
        ("1", "", "text"),
        ("1.1", "FD-1", "item"),
        ("1.1", "FD-REM", "discount"),
        ("2", "FI-1", "item"),
    ]
    assert [ln.sort_key for ln in lines] == [
        "-000001",
        "0001-000001",
        "0001-000002",  # renumbered: the optional line in between is gone
        "0001.0001-000001",
        "0001.0001-000002",
        "0002-000001",
    ]
    by_reference = {ln.reference or "text": ln for ln in lines}
    for reference, contract_line in by_reference.items():
        if reference == "text":
            continue
        quote_line = built.lines[reference]
        assert contract_line.quote_line_id == quote_line.pk
        for name in LINE_FIELDS:
            assert getattr(contract_line, name) == getattr(quote_line, name), (reference, name)
    # The stored net is kept even though 10 × 12.35 = 123.50.
    go1 = by_reference["GO-1"]
    assert (go1.net, go1.labour_hours, go1.labour_net) == (D("123.46"), D("1.2500"), D("70.46"))
    assert by_reference["FI-1"].vat_rate == D("10.00")
    assert by_reference["FD-REM"].net == D("-20.00")
    assert not ContractLine.objects.filter(reference="GO-OPT").exists()


def test_a_text_line_is_kept_without_amount(built, contract):
    text = contract.lines.get(kind=ContractLine.Kind.TEXT)
    assert text.description == "Les travaux ont lieu le samedi."
    assert (text.quantity, text.unit_price, text.net) == (D("0.000"), D("0.00"), D("0.00"))
    assert (text.labour_net, text.supply_net, text.labour_cost, text.supply_cost) == (0, 0, 0, 0)
    assert text.quote_line == built.lines["text"]


def test_components_are_copied_under_their_line(built, contract):
    fd1 = contract.lines.get(reference="FD-1")
    components = list(fd1.components.order_by("position"))
    assert [
        (c.position, c.reference, c.description, c.unit, c.kind, c.quantity_per_unit, c.unit_cost)
        for c in components
    ] == [
        (1, "BET-C25", "Composant BET-C25", "m³", "supply", D("1.050"), D("95.5000")),
        (2, "MO-MACON", "Composant MO-MACON", "h", "labour", D("4.000"), D("38.0000")),
    ]
    assert [c.quantity for c in components] == [D("3.675"), D("14.000")]  # × 3.5 m³
    assert ContractLineComponent.objects.count() == 2  # the optional line's one is left out


def test_base_net_is_the_sum_of_the_line_nets(contract):
    assert sum(contract.lines.values_list("net", flat=True)) == contract.base_net


def test_an_audit_entry_is_written(world, built, contract):
    entry = AuditEntry.objects.get(action="contract_create")
    assert (entry.company, entry.user, entry.object_type, entry.object_id) == (
        world.company_a,
        world.alice,
        "Contract",
        str(contract.pk),
    )
    assert entry.data == {
        "quote": built.quote.pk,
        "reference": "DEV2026-7",
        "base_net": "971.36",
        "sections": 3,
        "lines": 6,
        "components": 2,
    }


def test_a_quote_gets_one_contract_only(world, built, contract):
    before = _counts()
    with pytest.raises(DomainError, match="already has a contract") as refused:
        services.contract_create_from_quote(user=world.alice, quote=built.quote)
    assert refused.value.field == "quote"
    assert _counts() == before


def test_a_read_only_member_cannot_create_a_contract(world, built):
    with pytest.raises(PermissionDenied):
        services.contract_create_from_quote(user=world.bob, quote=built.quote)
    assert _counts() == (0, 0, 0, 0, 0)


def test_another_companys_quote_is_unknown(world, built):
    with pytest.raises(DomainError, match="Unknown quote") as refused:
        services.contract_create_from_quote(user=world.charlie, quote=built.quote)
    assert refused.value.field == "quote"
    assert _counts() == (0, 0, 0, 0, 0)


def test_stale_quote_totals_are_refused(world, built):
    built.quote.net = D("971.35")
    built.quote.save(update_fields=["net"])
    with pytest.raises(DomainError, match="priced again"):
        services.contract_create_from_quote(user=world.alice, quote=built.quote)
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_reference_already_used_is_refused(world, built, acme):
    Contract.objects.create(
        company=world.company_a, client=acme, reference="DEV2026-7", title="Older contract"
    )
    before = _counts()
    with pytest.raises(DomainError, match="DEV2026-7") as refused:
        services.contract_create_from_quote(user=world.alice, quote=built.quote)
    assert refused.value.field == "reference"
    assert _counts() == before


def test_the_same_reference_in_another_company_is_fine(world, built, contract):
    from chantier.parties.models import Client

    other = Client.objects.create(company=world.company_b, name="Bravo client")
    quote = make_quote(world.company_b, other, number="DEV2026-7")
    created = services.contract_create_from_quote(user=world.charlie, quote=quote)
    assert (created.reference, created.company) == ("DEV2026-7", world.company_b)


def test_a_quote_without_number_gives_a_contract_without_reference(world, acme):
    quotes = [make_quote(world.company_a, acme, title=f"Devis {n}") for n in (1, 2)]
    contracts = [services.contract_create_from_quote(user=world.alice, quote=q) for q in quotes]
    assert [(c.reference, c.title, c.base_net) for c in contracts] == [
        ("", "Devis 1", D("0.00")),
        ("", "Devis 2", D("0.00")),
    ]


def test_unnumbered_chapters_get_their_place_in_the_tree(world, acme):
    quote = make_quote(world.company_a, acme, net=D("5.00"))
    top = chapter(quote, "1", "Lot A")
    sub = chapter(quote, "1.1", "Sous-lot", parent=top)
    for row in (top, sub):
        row.number = ""
        row.save(update_fields=["number"])
    line(quote, sub, 1, "X", description="x", quantity=D("1"), unit_price=D("5"), net=D("5"))
    contract = services.contract_create_from_quote(user=world.alice, quote=quote)
    assert list(contract.sections.values_list("number", flat=True)) == ["1", "1.1"]


def test_5000_lines_in_a_fixed_number_of_queries(world, acme, django_assert_max_num_queries):
    """50 chapters × 10 sub-chapters × 10 lines, each with 2 components (bench: see report)."""
    quote = make_quote(world.company_a, acme, number="DEV2026-900")
    tops = [chapter(quote, str(n), f"Lot {n}") for n in range(1, 51)]
    subs = [
        chapter(quote, f"{top.number}.{m}", f"Sous-lot {top.number}.{m}", parent=top)
        for top in tops
        for m in range(1, 11)
    ]
    lines = QuoteLine.objects.bulk_create(
        QuoteLine(
            company=quote.company,
            quote=quote,
            chapter=sub,
            position=p,
            sort_key=f"{sub.sort_key}-{p:06d}",
            reference=f"L{sub.number}.{p}",
            description=f"Ligne {sub.number}.{p}",
            unit="m²",
            quantity=D("2.500"),
            unit_price=D("10.01"),
            net=D("25.03"),
        )
        for sub in subs
        for p in range(1, 11)
    )
    from chantier.quotes.models import LineComponent

    LineComponent.objects.bulk_create(
        LineComponent(
            company=quote.company,
            line=quote_line,
            position=n,
            description=f"Composant {n}",
            quantity_per_unit=D("1"),
        )
        for quote_line in lines
        for n in (1, 2)
    )
    quote.net = D("25.03") * 5000
    quote.save(update_fields=["net"])
    started = time.perf_counter()
    # membership, 2 checks, 2 reads + components, savepoint, contract, 2 section levels,
    # 5 line batches, 10 component batches, audit: independent of the tree's size per level.
    with django_assert_max_num_queries(30):
        contract = services.contract_create_from_quote(user=world.alice, quote=quote)
    elapsed = time.perf_counter() - started
    assert contract.base_net == D("125150.00")
    assert (contract.sections.count(), contract.lines.count()) == (550, 5000)
    assert ContractLineComponent.objects.filter(line__contract=contract).count() == 10000
    print(f"contract_create_from_quote, 5,000 lines + 10,000 components: {elapsed:.2f} s")
