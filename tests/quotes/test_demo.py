"""The quotes demo: a row of every model, the content the issue lists, exact totals, once."""

from __future__ import annotations

from decimal import Decimal

from chantier.catalogue import demo as catalogue_demo
from chantier.core.demo import DEMO_APPS
from chantier.mail.models import OutboxMessage
from chantier.parties import demo as parties_demo
from chantier.quotes import demo, pricing
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine, TermsText
from tests.conftest import World

D = Decimal
MODELS = (TermsText, Quote, Chapter, QuoteLine, LineComponent)


def _rows(company: object) -> dict[str, int]:
    return {model.__name__: model.objects.filter(company=company).count() for model in MODELS}


def _load(world: World) -> None:
    parties_demo.load(world.company_a, world.alice)
    catalogue_demo.load(world.company_a, world.alice)
    demo.load(world.company_a, world.alice)


def test_quotes_demo_runs_after_the_catalogue() -> None:
    assert DEMO_APPS.index("catalogue") < DEMO_APPS.index("quotes")
    assert DEMO_APPS.index("parties") < DEMO_APPS.index("quotes")


def test_a_row_of_every_model_and_loading_twice_adds_nothing(world: World) -> None:
    _load(world)
    rows = _rows(world.company_a)
    assert rows == {
        "TermsText": 1,
        "Quote": 2,
        "Chapter": 4,
        "QuoteLine": 14,
        "LineComponent": 4,
    }
    demo.load(world.company_a, world.alice)
    assert _rows(world.company_a) == rows
    assert _rows(world.company_b) == dict.fromkeys(rows, 0)


def test_the_renovation_quote(world: World) -> None:
    """Coefficients 1 (company A): the WC assembly is sold at its direct cost, 441.05."""
    _load(world)
    quote = Quote.objects.get(company=world.company_a, title=demo.TITLE)

    assert (quote.client.name, quote.site.name if quote.site else None) == (demo.CLIENT, demo.SITE)
    assert quote.terms is not None and quote.terms_text == demo.TERMS_BODY
    assert quote.down_payment_rate == D("30.00")
    assert [(c.number, c.title, c.net) for c in Chapter.objects.filter(quote=quote)] == [
        ("1", "Dépose et préparation", D("941.00")),
        ("1.1", "Protections", D("54.00")),
        ("2", "Plomberie et sanitaires", D("2680.05")),
        ("3", "Revêtements et finitions", D("1492.80")),
    ]
    lines = list(QuoteLine.objects.filter(quote=quote))
    assert {line.kind for line in lines} == {"item", "discount", "text"}
    assert [line.description for line in lines if line.optional] == [
        "Option : sèche-serviettes électrique 500 W, fourni et posé"
    ]
    assembly = next(line for line in lines if line.item_id is not None)
    assert (assembly.reference, assembly.price_mode, assembly.unit_price) == (
        "03-WC-SUSPENDU",
        "cost",
        D("441.05"),
    )
    assert [c.reference for c in assembly.components.all()] == [
        "03-KIT-WC",
        "PLB-PER16",
        "PLB-RACC16",
        "MO-PLOMBIER",
    ]
    assert (quote.net, quote.vat_total, quote.gross, quote.optional_net) == (
        D("5113.85"),
        D("550.29"),
        D("5664.14"),
        D("420.00"),
    )
    assert quote.vat_breakdown == [
        {"rate": "20.00", "base": "389.00", "amount": "77.80"},
        {"rate": "10.00", "base": "4724.85", "amount": "472.49"},
    ]
    assert quote.labour_hours == D("53.3500")
    assert D(0) < quote.direct_cost < quote.net
    stored = (quote.net, quote.gross, list(Chapter.objects.filter(quote=quote)))
    pricing.recompute(quote)
    quote.refresh_from_db()
    assert (quote.net, quote.gross, list(Chapter.objects.filter(quote=quote))) == stored


def test_the_prospect_proposal(world: World) -> None:
    _load(world)
    quote = Quote.objects.get(company=world.company_a, title=demo.PROSPECT_TITLE)
    assert (quote.kind, quote.net, quote.gross) == ("prospect", D("2376.00"), D("2851.20"))
    assert not Chapter.objects.filter(quote=quote).exists()
    # Sent: numbered, its email (with the PDF) queued to the client.
    assert quote.status == "sent" and quote.number and quote.sent_at is not None
    message = OutboxMessage.objects.get(company=world.company_a, related_id=quote.pk)
    assert "contact@boulangerie-martin.example" in message.recipients_display
    assert message.attachments.filter(content_type="application/pdf").exists()


def test_without_clients_there_is_nothing_to_quote(world: World) -> None:
    demo.load(world.company_a, world.alice)
    assert _rows(world.company_a) == dict.fromkeys(_rows(world.company_a), 0)


def test_without_the_catalogue_the_assembly_is_left_out(world: World) -> None:
    parties_demo.load(world.company_a, world.alice)
    demo.load(world.company_a, world.alice)
    quote = Quote.objects.get(company=world.company_a, title=demo.TITLE)
    assert not LineComponent.objects.filter(company=world.company_a).exists()
    assert quote.net == D("5113.85") - D("441.05")
