"""Quotes through the integration API (shared/API.md): create, import, read, list, decide.

Exact stored amounts, the same figures as the services' tests (two_chapters); every
refusal names its field and leaves the database as it was.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chantier.contracts.models import Contract
from chantier.parties.models import Client, Site
from chantier.quotes import services
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine, TermsText
from tests.conftest import ApiClient, World
from tests.quotes import schedules

D = Decimal


@pytest.fixture
def client_a(world: World) -> Client:
    return Client.objects.create(company=world.company_a, name="SCI Les Tilleuls", city="Lyon")


@pytest.fixture
def client_b(world: World) -> Client:
    return Client.objects.create(company=world.company_b, name="Hôtel du Parc", city="Bron")


def line(
    description: str, quantity: str, price: str, vat: str = "20.00", **extra: Any
) -> dict[str, Any]:
    return {
        "description": description,
        "unit": "u",
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
        **extra,
    }


def two_chapters(client_id: int) -> dict[str, Any]:
    """tests/quotes/test_services.py two_chapters, as an API body."""
    return {
        "client_id": client_id,
        "title": "Rénovation salle de bains",
        "chapters": [
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00")],
                "chapters": [{"title": "Évacuation", "lines": [line("Benne", "2", "180.50")]}],
            },
            {
                "title": "Plomberie",
                "lines": [
                    line("Douche italienne", "1", "1850.00", "10.00"),
                    line("Option sèche-serviettes", "1", "420.00", "10.00", optional=True),
                    line("Remise", "1", "-100.00", "10.00", kind="discount"),
                    {"kind": "text", "description": "Fourniture au choix du client"},
                ],
            },
        ],
    }


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Quote, Chapter, QuoteLine, LineComponent, TermsText)
    )


def errors_of(response: Any) -> dict[str | None, str]:
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    return {error["field"]: error["message"] for error in body["errors"]}


def _sent(quote_id: int) -> None:
    """As the send service will (another issue part): numbered and sent."""
    Quote.objects.filter(pk=quote_id).update(status="sent", number="DEV2026-0001")


# --- create ---------------------------------------------------------------------------------


def test_create_stores_and_answers_the_exact_amounts(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    response = alice_api.post("/quotes", two_chapters(client_a.pk))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["number"], body["version"], body["kind"]) == (
        "draft",
        "",
        1,
        "client",
    )
    assert body["client_id"] == client_a.pk and body["site_id"] is None
    assert body["net"] == "2461.00"
    assert body["vat"] == [
        {"rate": "20.00", "base": "711.00", "amount": "142.20"},
        {"rate": "10.00", "base": "1750.00", "amount": "175.00"},
    ]
    assert (body["vat_total"], body["gross"], body["optional_net"]) == (
        "317.20",
        "2778.20",
        "420.00",
    )
    assert body["line_count"] == 6
    quote = Quote.objects.get(pk=body["id"])
    assert (quote.net, quote.gross, quote.company_id) == (
        D("2461.00"),
        D("2778.20"),
        world.company_a.pk,
    )
    assert {c.number: c.net for c in Chapter.objects.filter(quote=quote)} == {
        "1": D("711.00"),
        "1.1": D("361.00"),
        "2": D("1750.00"),
    }


def test_chapters_come_back_nested_as_posted(alice_api: ApiClient, client_a: Client) -> None:
    created = alice_api.post("/quotes", two_chapters(client_a.pk)).json()
    body = alice_api.get(f"/quotes/{created['id']}").json()

    assert body == created
    demolition, plumbing = body["chapters"]
    assert (demolition["number"], demolition["title"], demolition["subtotal"]) == (
        "1",
        "Démolition",
        "711.00",
    )
    [evacuation] = demolition["chapters"]
    assert (evacuation["number"], evacuation["title"], evacuation["subtotal"]) == (
        "1.1",
        "Évacuation",
        "361.00",
    )
    [benne] = evacuation["lines"]
    assert {k: benne[k] for k in ("description", "quantity", "unit_price", "net", "vat_rate")} == {
        "description": "Benne",
        "quantity": "2.000",
        "unit_price": "180.50",
        "net": "361.00",
        "vat_rate": "20.00",
    }
    assert benne["id"] == QuoteLine.objects.get(description="Benne").pk
    assert [(x["description"], x["kind"], x["optional"], x["net"]) for x in plumbing["lines"]] == [
        ("Douche italienne", "item", False, "1850.00"),
        ("Option sèche-serviettes", "item", True, "420.00"),
        ("Remise", "discount", False, "-100.00"),
        ("Fourniture au choix du client", "text", False, "0.00"),
    ]
    assert plumbing["chapters"] == [] and body["lines"] == []
    assert set(benne) == {
        "id",
        "reference",
        "description",
        "unit",
        "quantity",
        "unit_price",
        "net",
        "vat_rate",
        "kind",
        "optional",
        "price_mode",
        "item_id",
        "direct_cost",
        "labour_hours",
        "labour_net",
        "supply_net",
        "components",
    }


def test_header_fields_site_and_saved_terms(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    site = Site.objects.create(
        company=world.company_a, client=client_a, name="Résidence B", city="Lyon"
    )
    terms = services.terms_text_save(user=world.alice, title="CGV", body="Paiement à 30 jours.")
    response = alice_api.post(
        "/quotes",
        {
            "client_id": client_a.pk,
            "site_id": site.pk,
            "terms_id": terms.pk,
            "title": "Ravalement",
            "kind": "prospect",
            "date": "2026-03-02",
            "validity_date": "2026-04-01",
            "header_text": "Suite à notre visite",
            "payment_terms": "30 jours fin de mois",
            "down_payment_rate": "30",
            "lines": [line("Échafaudage", "120", "14.5", "10")],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "site_id",
            "kind",
            "date",
            "validity_date",
            "header_text",
            "terms_text",
            "payment_terms",
            "down_payment_rate",
            "net",
        )
    } == {
        "site_id": site.pk,
        "kind": "prospect",
        "date": "2026-03-02",
        "validity_date": "2026-04-01",
        "header_text": "Suite à notre visite",
        "terms_text": "Paiement à 30 jours.",
        "payment_terms": "30 jours fin de mois",
        "down_payment_rate": "30.00",
        "net": "1740.00",
    }
    assert body["chapters"] == [] and [x["net"] for x in body["lines"]] == ["1740.00"]


def test_vat_is_computed_once_per_rate_on_the_sum_of_bases(
    alice_api: ApiClient, client_a: Client
) -> None:
    """french-rules §5.2 B: 3 × 33.33 at 10 % gives VAT 10.00, not 3 × 3.33."""
    body = alice_api.post(
        "/quotes",
        {
            "client_id": client_a.pk,
            "title": "TVA",
            "lines": [line(f"Poste {i}", "1", "33.33", "10") for i in range(3)],
        },
    ).json()
    assert body["vat"] == [{"rate": "10.00", "base": "99.99", "amount": "10.00"}]
    assert body["gross"] == "109.99"


def test_three_vat_rates(alice_api: ApiClient, client_a: Client) -> None:
    """french-rules §5.2 A: 10 %, 5.5 % and 20 %: VAT 1 520.00, gross 17 020.00."""
    body = alice_api.post(
        "/quotes",
        {
            "client_id": client_a.pk,
            "title": "Trois taux",
            "chapters": [
                {
                    "title": "Travaux",
                    "lines": [
                        line("Remplacement fenêtres", "1", "10000", "10"),
                        line("Isolation combles", "1", "4000", "5.5"),
                        line("Aménagement local commercial attenant", "1", "1500", "20"),
                    ],
                }
            ],
        },
    ).json()
    assert body["vat"] == [
        {"rate": "20.00", "base": "1500.00", "amount": "300.00"},
        {"rate": "10.00", "base": "10000.00", "amount": "1000.00"},
        {"rate": "5.50", "base": "4000.00", "amount": "220.00"},
    ]
    assert (body["net"], body["vat_total"], body["gross"]) == ("15500.00", "1520.00", "17020.00")


def test_unit_price_is_rounded_first_then_the_line(alice_api: ApiClient, client_a: Client) -> None:
    """french-rules §11.2: 12.5 × 551.49 = 6 893.63; a price with more places is rounded
    half-up when saved (DESIGN "Money")."""
    body = alice_api.post(
        "/quotes",
        {
            "client_id": client_a.pk,
            "title": "Cloisons",
            "lines": [line("m² de cloison plaque", "12.5", "551.485", "10")],
        },
    ).json()
    [row] = body["lines"]
    assert (row["quantity"], row["unit_price"], row["net"]) == ("12.500", "551.49", "6893.63")
    assert QuoteLine.objects.get(pk=row["id"]).unit_price == D("551.49")


def test_a_line_priced_from_cost_shows_cost_margin_and_split(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    """Seed 001: labour × labour coefficient, supplies × supply coefficient, × overheads."""
    company = world.company_a
    company.labour_coefficient = D("1.5000")
    company.supply_coefficient = D("1.2000")
    company.save()
    body = alice_api.post(
        "/quotes",
        {
            "client_id": client_a.pk,
            "title": "Cloisons",
            "lines": [
                {
                    "description": "m² de cloison plaque",
                    "unit": "m²",
                    "quantity": "10",
                    "vat_rate": "10",
                    "price_mode": "cost",
                    "unit_labour_hours": "6",
                    "unit_labour_cost": "231.00",
                    "unit_supply_cost": "167.30",
                }
            ],
        },
    ).json()
    [row] = body["lines"]
    # 231.00 × 1.5 + 167.30 × 1.2 = 346.50 + 200.76 = 547.26 per m²
    assert (row["price_mode"], row["unit_price"], row["net"]) == ("cost", "547.26", "5472.60")
    assert (row["direct_cost"], row["labour_hours"]) == ("3983.00", "60.0000")
    assert (row["labour_net"], row["supply_net"]) == ("3465.00", "2007.60")
    assert (body["direct_cost"], body["margin"], body["margin_rate"]) == (
        "3983.00",
        "1489.60",
        "27.22",
    )


# --- refused input --------------------------------------------------------------------------


def _with_line(client_id: int, bad: dict[str, Any]) -> dict[str, Any]:
    """two_chapters with the second line of chapter 2 replaced by `bad` values."""
    body = two_chapters(client_id)
    body["chapters"][1]["lines"][1] = {**body["chapters"][1]["lines"][1], **bad}
    return body


WHERE = "chapters.1.lines.1"


@pytest.mark.parametrize(
    ("bad", "status", "field"),
    [
        ({"quantity": "0"}, 400, f"{WHERE}.quantity"),
        ({"quantity": "-2"}, 400, f"{WHERE}.quantity"),
        ({"unit_price": "-5"}, 400, f"{WHERE}.unit_price"),
        ({"vat_rate": "19.6"}, 400, f"{WHERE}.vat_rate"),
        ({"description": ""}, 400, f"{WHERE}.description"),
        ({"description": "   "}, 400, f"{WHERE}.description"),
        ({"quantity": None}, 400, f"{WHERE}.quantity"),
        ({"unit_price": None}, 400, f"{WHERE}.unit_price"),
        ({"vat_rate": None}, 400, f"{WHERE}.vat_rate"),
        ({"quantity": "99999999999"}, 400, f"{WHERE}.quantity"),
        # Not a decimal string: refused by the schema (422), with the same path.
        ({"quantity": "1e3"}, 422, f"{WHERE}.quantity"),
        ({"quantity": "NaN"}, 422, f"{WHERE}.quantity"),
        ({"quantity": "Infinity"}, 422, f"{WHERE}.quantity"),
        ({"quantity": "1,5"}, 422, f"{WHERE}.quantity"),
        ({"quantity": " 2"}, 422, f"{WHERE}.quantity"),
        ({"quantity": "0x10"}, 422, f"{WHERE}.quantity"),
        ({"unit_price": 420.1}, 422, f"{WHERE}.unit_price"),
        ({"unit_price": 420}, 422, f"{WHERE}.unit_price"),
        ({"vat_rate": "20 %"}, 422, f"{WHERE}.vat_rate"),
        ({"kind": "bonus"}, 422, f"{WHERE}.kind"),
        ({"unit": "x" * 21}, 422, f"{WHERE}.unit"),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else str(value),
)
def test_a_bad_line_refuses_the_whole_quote_with_its_path(
    alice_api: ApiClient, client_a: Client, bad: dict[str, Any], status: int, field: str
) -> None:
    before = counts()
    response = alice_api.post("/quotes", _with_line(client_a.pk, bad))

    assert response.status_code == status, response.content
    assert field in errors_of(response), response.json()
    assert counts() == before


def test_a_missing_description_is_named(alice_api: ApiClient, client_a: Client) -> None:
    body = two_chapters(client_a.pk)
    del body["chapters"][0]["chapters"][0]["lines"][0]["description"]
    before = counts()
    response = alice_api.post("/quotes", body)
    assert response.status_code == 422
    assert "chapters.0.chapters.0.lines.0.description" in errors_of(response)
    assert counts() == before


def test_every_faulty_line_is_named_at_once(alice_api: ApiClient, client_a: Client) -> None:
    body = two_chapters(client_a.pk)
    body["chapters"][0]["lines"][0]["quantity"] = "0"
    body["chapters"][0]["chapters"][0]["lines"][0]["unit_price"] = "-1"
    body["chapters"][1]["title"] = " "
    before = counts()
    response = alice_api.post("/quotes", body)
    assert response.status_code == 400
    assert set(errors_of(response)) == {
        "chapters.0.lines.0.quantity",
        "chapters.0.chapters.0.lines.0.unit_price",
        "chapters.1.title",
    }
    assert response.json()["detail"]
    assert counts() == before


def _nested(levels: int) -> dict[str, Any]:
    chapter: dict[str, Any] = {"title": f"Niveau {levels}", "lines": [line("Poste", "1", "10")]}
    for level in range(levels - 1, 0, -1):
        chapter = {"title": f"Niveau {level}", "chapters": [chapter]}
    return chapter


def test_chapters_nest_eight_levels_not_nine(alice_api: ApiClient, client_a: Client) -> None:
    eight = alice_api.post(
        "/quotes", {"client_id": client_a.pk, "title": "Huit", "chapters": [_nested(8)]}
    )
    assert eight.status_code == 201, eight.content
    deepest = eight.json()["chapters"][0]
    for _level in range(7):
        [deepest] = deepest["chapters"]
    assert deepest["number"] == "1.1.1.1.1.1.1.1" and deepest["subtotal"] == "10.00"

    before = counts()
    nine = alice_api.post(
        "/quotes", {"client_id": client_a.pk, "title": "Neuf", "chapters": [_nested(9)]}
    )
    assert nine.status_code == 400
    assert set(errors_of(nine)) == {"chapters.0" + ".chapters.0" * 7 + ".chapters"}
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"title": ""}, 422, "title"),
        ({"title": "   "}, 422, "title"),
        ({"client_id": 0}, 422, "client_id"),
        ({"client_id": "abc"}, 422, "client_id"),
        ({"kind": "friend"}, 422, "kind"),
        ({"date": "2026-02-30"}, 422, "date"),
        ({"date": "2026-03-10", "validity_date": "2026-03-01"}, 400, "validity_date"),
        ({"down_payment_rate": "120"}, 400, "down_payment_rate"),
        ({"down_payment_rate": "-1"}, 400, "down_payment_rate"),
        ({"site_id": 999_999}, 400, "site_id"),
        ({"terms_id": 999_999}, 400, "terms_id"),
        ({"client_id": 999_999}, 400, "client_id"),
        ({"chapters": {"title": "not a list"}}, 422, "chapters"),
        ({"chapters": ["not an object"]}, 422, "chapters.0"),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else str(value),
)
def test_a_bad_header_is_refused_with_its_field(
    alice_api: ApiClient, client_a: Client, change: dict[str, Any], status: int, field: str
) -> None:
    before = counts()
    response = alice_api.post("/quotes", {**two_chapters(client_a.pk), **change})
    assert response.status_code == status, response.content
    assert field in errors_of(response), response.json()
    assert counts() == before


def test_another_companys_client_or_site_is_refused_like_a_missing_one(
    world: World, alice_api: ApiClient, client_a: Client, client_b: Client
) -> None:
    site_b = Site.objects.create(company=world.company_b, client=client_b, name="Hôtel", city="X")
    before = counts()
    foreign_client = alice_api.post("/quotes", two_chapters(client_b.pk))
    missing_client = alice_api.post("/quotes", two_chapters(client_b.pk + 1000))
    foreign_site = alice_api.post("/quotes", {**two_chapters(client_a.pk), "site_id": site_b.pk})

    assert foreign_client.status_code == missing_client.status_code == 400
    assert errors_of(foreign_client) == errors_of(missing_client)
    assert set(errors_of(foreign_client)) == {"client_id"}
    assert foreign_site.status_code == 400 and set(errors_of(foreign_site)) == {"site_id"}
    assert counts() == before


def test_a_site_of_another_client_is_refused(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    other = Client.objects.create(company=world.company_a, name="Autre client")
    site = Site.objects.create(company=world.company_a, client=other, name="Ailleurs")
    before = counts()
    response = alice_api.post("/quotes", {**two_chapters(client_a.pk), "site_id": site.pk})
    assert response.status_code == 400 and set(errors_of(response)) == {"site_id"}
    assert counts() == before


def test_a_body_that_is_not_json_or_not_an_object(alice_api: ApiClient, client_a: Client) -> None:
    before = counts()
    as_list = alice_api.post("/quotes", [two_chapters(client_a.pk)])
    not_json = alice_api.http.post(
        "/api/v1/quotes", data="{", content_type="application/json", headers=alice_api.headers
    )
    assert as_list.status_code in (400, 422) and not_json.status_code in (400, 422)
    errors_of(as_list), errors_of(not_json)
    assert counts() == before


def test_a_very_deep_body_is_refused_without_a_server_error(
    alice_api: ApiClient, client_a: Client
) -> None:
    deep = '{"title": "x", "chapters": [' * 3000 + "]}" * 3000
    body = f'{{"client_id": {client_a.pk}, "title": "Profond", "chapters": [{deep}]}}'
    before = counts()
    response = alice_api.http.post(
        "/api/v1/quotes", data=body, content_type="application/json", headers=alice_api.headers
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    errors_of(response)
    assert counts() == before


# --- roles and tenancy ----------------------------------------------------------------------


def test_a_reader_cannot_create_import_accept_or_refuse(
    world: World, alice_api: ApiClient, bob_api: ApiClient, client_a: Client
) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    _sent(quote_id)
    before = counts()
    created = bob_api.post("/quotes", two_chapters(client_a.pk))
    imported = bob_api.http.post(
        "/api/v1/quotes/import",
        {"client_id": client_a.pk, "file": _upload(schedules.lettered())},
        headers=bob_api.headers,
    )
    accepted = bob_api.post(f"/quotes/{quote_id}/accept")
    refused = bob_api.post(f"/quotes/{quote_id}/refuse", {"reason": "trop cher"})

    assert [r.status_code for r in (created, imported, accepted, refused)] == [403] * 4
    assert counts() == before
    assert Quote.objects.get(pk=quote_id).status == "sent"
    assert not Contract.objects.exists()
    # Reading is allowed.
    assert bob_api.get(f"/quotes/{quote_id}").status_code == 200
    assert bob_api.get("/quotes").json()["count"] == 1


def test_another_companys_quote_is_404(
    alice_api: ApiClient, charlie_api: ApiClient, client_a: Client
) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    _sent(quote_id)
    before = counts()
    for response in (
        charlie_api.get(f"/quotes/{quote_id}"),
        charlie_api.post(f"/quotes/{quote_id}/accept"),
        charlie_api.post(f"/quotes/{quote_id}/refuse", {}),
        charlie_api.get(f"/quotes/{quote_id + 1000}"),
    ):
        assert response.status_code == 404, response.content
        errors_of(response)
    assert charlie_api.get("/quotes").json() == {"items": [], "count": 0}
    assert counts() == before
    assert Quote.objects.get(pk=quote_id).status == "sent"


# --- decisions ------------------------------------------------------------------------------


def test_accept_creates_the_contract(alice_api: ApiClient, client_a: Client) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    _sent(quote_id)

    response = alice_api.post(f"/quotes/{quote_id}/accept")

    assert response.status_code == 200, response.content
    contract = Contract.objects.get(pk=response.json()["contract_id"])
    assert contract.quote_id == quote_id and contract.base_net == D("2461.00")
    assert response.json() == {"contract_id": contract.pk}
    assert alice_api.get(f"/quotes/{quote_id}").json()["status"] == "accepted"
    again = alice_api.post(f"/quotes/{quote_id}/accept")
    assert again.status_code == 400 and again.json()["detail"]
    assert Contract.objects.count() == 1


def test_a_draft_cannot_be_accepted_or_refused(alice_api: ApiClient, client_a: Client) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    before = counts()
    for response in (
        alice_api.post(f"/quotes/{quote_id}/accept"),
        alice_api.post(f"/quotes/{quote_id}/refuse", {}),
    ):
        assert response.status_code == 400
        assert "sent" in response.json()["detail"] or "envoy" in response.json()["detail"]
    assert counts() == before
    assert Quote.objects.get(pk=quote_id).status == "draft"
    assert not Contract.objects.exists()


def test_refuse_records_the_reason(alice_api: ApiClient, client_a: Client) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    _sent(quote_id)
    response = alice_api.post(f"/quotes/{quote_id}/refuse", {"reason": "Budget dépassé"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "refused"
    quote = Quote.objects.get(pk=quote_id)
    assert (quote.status, quote.refusal_reason) == ("refused", "Budget dépassé")


# --- import ---------------------------------------------------------------------------------


def _upload(content: bytes, name: str = "dpgf.xlsx") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        name,
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _import(api: ApiClient, data: dict[str, Any]) -> Any:
    return api.http.post("/api/v1/quotes/import", data, headers=api.headers)


def test_import_builds_the_quote_and_reports(alice_api: ApiClient, client_a: Client) -> None:
    response = _import(
        alice_api,
        {"client_id": client_a.pk, "file": _upload(schedules.titled_dpgf()), "title": "Lot 02"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Lot 02" and body["status"] == "draft"
    chapters = body["chapters"]
    assert [(c["number"], c["title"]) for c in chapters] == [
        ("1", "1 INSTALLATION DE CHANTIER"),
        ("2", "2 TERRASSEMENTS"),
    ]
    assert [(c["number"], c["title"], c["subtotal"]) for c in chapters[1]["chapters"]] == [
        ("2.1", "2.1 Fouilles", "23310.63")
    ]
    rigole = chapters[1]["chapters"][0]["lines"][0]
    assert (rigole["reference"], rigole["quantity"], rigole["unit_price"], rigole["net"]) == (
        "2.1.1",
        "12.500",
        "4.85",
        "60.63",
    )
    # "PM" (no quantity): an optional line of quantity 1, not counted.
    pumping = chapters[1]["lines"][-1]
    assert (pumping["description"], pumping["optional"], pumping["unit_price"]) == (
        "Pompage éventuel",
        True,
        "0.00",
    )
    # The sheet's own total (27 060.63) has Remblais at 260.00; 12.5 × 20.00 = 250.00.
    assert body["net"] == "27061.13"
    report = body["import_report"]
    assert report["sheets"] == [
        {"sheet": "DPGF Lot 02", "title": "Lot 02 - Gros œuvre", "chapters": 3, "lines": 7}
    ]
    assert [(e["code"], e["row"]) for e in report["skipped"]] == [
        ("subtotal", 9),
        ("subtotal", 17),
        ("subtotal", 19),
        ("subtotal", 20),
        ("subtotal", 21),
    ]
    assert all(e["message"] and e["sheet"] == "DPGF Lot 02" for e in report["skipped"])
    assert {e["code"] for e in report["warnings"]} >= {"quantity_text"}
    assert report["unquantified_lines"] == 1
    assert alice_api.get(f"/quotes/{body['id']}").json() == {
        k: v for k, v in body.items() if k != "import_report"
    }


def test_import_of_several_lots_without_title(alice_api: ApiClient, client_a: Client) -> None:
    response = _import(
        alice_api, {"client_id": client_a.pk, "file": _upload(schedules.several_lots())}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"]  # a default title
    assert len(body["chapters"]) == 3
    assert {e["code"] for e in body["import_report"]["skipped"]} >= {
        "summary_sheet",
        "hidden_sheet",
    }


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a spreadsheet at all",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04 truncated zip",
        schedules.no_header(),
        schedules.header_only(),
        schedules.empty_workbook(),
    ],
    ids=["empty", "text", "pdf", "broken-zip", "no-header", "header-only", "empty-workbook"],
)
def test_a_bad_file_is_refused_and_nothing_is_created(
    alice_api: ApiClient, client_a: Client, content: bytes
) -> None:
    before = counts()
    response = _import(alice_api, {"client_id": client_a.pk, "file": _upload(content)})
    assert response.status_code == 400, response.content
    errors = errors_of(response)
    assert set(errors) == {"file"} and errors["file"]
    assert counts() == before


def test_import_refuses_a_foreign_client_and_a_missing_file(
    alice_api: ApiClient, client_b: Client, client_a: Client
) -> None:
    before = counts()
    foreign = _import(alice_api, {"client_id": client_b.pk, "file": _upload(schedules.lettered())})
    no_file = _import(alice_api, {"client_id": client_a.pk})
    assert foreign.status_code == 400 and set(errors_of(foreign)) == {"client_id"}
    assert no_file.status_code == 422
    assert any(field and "file" in field for field in errors_of(no_file))
    assert counts() == before


# --- list -----------------------------------------------------------------------------------


def test_list_searches_filters_and_paginates(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    for title in ("Ravalement façade", "Salle de bains", "Cuisine"):
        alice_api.post("/quotes", {"client_id": client_a.pk, "title": title})
    cuisine = Quote.objects.get(title="Cuisine")
    _sent(cuisine.pk)

    everything = alice_api.get("/quotes").json()
    assert everything["count"] == 3
    assert set(everything["items"][0]) == {
        "id",
        "number",
        "version",
        "status",
        "kind",
        "title",
        "client_id",
        "client",
        "site_id",
        "date",
        "validity_date",
        "net",
        "gross",
    }
    assert [x["title"] for x in alice_api.get("/quotes?q=FACADE").json()["items"]] == [
        "Ravalement façade"
    ]
    assert [x["title"] for x in alice_api.get("/quotes?q=tilleuls bains").json()["items"]] == [
        "Salle de bains"
    ]
    sent = alice_api.get("/quotes?status=sent").json()
    assert [(x["title"], x["number"]) for x in sent["items"]] == [("Cuisine", "DEV2026-0001")]
    page = alice_api.get("/quotes?page=2&page_size=2").json()
    assert page["count"] == 3 and len(page["items"]) == 1
    unknown = alice_api.get("/quotes?status=lost")
    assert unknown.status_code == 400 and set(errors_of(unknown)) == {"status"}


def test_list_shows_the_current_version_only(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    quote_id = alice_api.post("/quotes", two_chapters(client_a.pk)).json()["id"]
    _sent(quote_id)
    v2 = services.quote_update(
        user=world.alice, quote=Quote.objects.get(pk=quote_id), data={"title": "Version 2"}
    )
    items = alice_api.get("/quotes").json()["items"]
    assert [(x["id"], x["version"], x["title"]) for x in items] == [(v2.pk, 2, "Version 2")]
    assert alice_api.get(f"/quotes/{quote_id}").json()["version"] == 1  # kept, readable


def test_list_query_count_does_not_grow(
    django_assert_max_num_queries: Any, world: World, alice_api: ApiClient, client_a: Client
) -> None:
    for number in range(35):
        services.quote_create(user=world.alice, client=client_a, data={"title": f"D{number}"})
    with django_assert_max_num_queries(6):
        response = alice_api.get("/quotes?page_size=50")
    assert response.json()["count"] == 35


# --- reading a big quote --------------------------------------------------------------------


def _big_body(client_id: int, chapters: int, sections: int, lines: int) -> dict[str, Any]:
    """chapters × sections × lines, 3 levels (the issue's generated 5,000-line quote)."""
    return {
        "client_id": client_id,
        "title": "Grand devis",
        "chapters": [
            {
                "title": f"Chapitre {c}",
                "chapters": [
                    {
                        "title": f"Section {c}.{s}",
                        "chapters": [
                            {
                                "title": f"Poste {c}.{s}.1",
                                "lines": [
                                    line(f"Béton {c}.{s}.{n}", "12.5", "4.85", "10")
                                    for n in range(1, lines + 1)
                                ],
                            }
                        ],
                    }
                    for s in range(1, sections + 1)
                ],
            }
            for c in range(1, chapters + 1)
        ],
    }


def _queries_to_read(api: ApiClient, quote_id: int) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/quotes/{quote_id}")
    assert response.status_code == 200
    return len(queries), response.json()


def test_reading_a_quote_takes_the_same_queries_whatever_its_size(
    world: World, alice_api: ApiClient, client_a: Client
) -> None:
    small = alice_api.post("/quotes", _big_body(client_a.pk, 1, 1, 1)).json()["id"]
    big_body = _big_body(client_a.pk, 4, 5, 10)
    big_body["chapters"][0]["lines"] = [line("Hors section", "1", "10")]
    big = alice_api.post("/quotes", big_body).json()["id"]
    quote = Quote.objects.get(pk=big)
    from chantier.catalogue.models import Item
    from chantier.quotes import line_services

    item = Item.objects.create(company=world.company_a, reference="A", name="A", unit="u")
    line_services.line_add(user=world.alice, quote=quote, data={"quantity": "2"}, item=item)

    small_queries, _ = _queries_to_read(alice_api, small)
    big_queries, body = _queries_to_read(alice_api, big)

    assert body["line_count"] == 202
    assert small_queries == big_queries <= 7  # token (2), membership, quote, its 3 parts


def test_a_5000_line_quote_reads_fast(alice_api: ApiClient, client_a: Client) -> None:
    """The issue's speed goal is 500 ms for the quote page; the API read is held to it too
    (measured in a test database, with the test client's overhead)."""
    response = alice_api.post("/quotes", _big_body(client_a.pk, 50, 10, 10))
    assert response.status_code == 201
    quote_id = response.json()["id"]
    timings = []
    for _attempt in range(3):
        start = time.perf_counter()
        body = alice_api.get(f"/quotes/{quote_id}").json()
        timings.append(time.perf_counter() - start)
    assert body["line_count"] == 5000 and body["net"] == "303150.00"
    assert min(timings) < 1.5, timings  # a guard against N+1; figures in the report


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        ("12.50", 2, "12.50"),
        ("12.5", 2, "12.50"),
        ("12", 2, "12.00"),
        ("0.00", 2, "0.00"),
        ("0E-2", 2, "0.00"),
        ("1E+3", 2, "1000.00"),
        ("12.345", 2, "12.35"),  # half-up, not half-even
        ("12.325", 2, "12.33"),
        ("-12.325", 2, "-12.33"),
        ("0.0000001", 4, "0.0000"),
        ("1.2", 3, "1.200"),
        ("999999999999.99", 2, "999999999999.99"),
    ],
)
def test_decimals_are_written_with_their_places(value: str, places: int, text: str) -> None:
    from chantier.quotes.api import _places

    assert _places(D(value), places) == text
