"""Document-level quote pages: list, header form, decisions, versions, saved texts, access."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from chantier.core.formatting import euros
from chantier.parties.models import Client, Site
from chantier.quotes import services
from chantier.quotes.models import Quote, QuoteLine, TermsText
from chantier.quotes.selectors import quote_versions
from chantier.quotes.tender_model import ERRORS, MESSAGES
from chantier.quotes.views import FILE_ERRORS, REPORT_MESSAGES, quote_url
from tests.conftest import World

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()


@pytest.fixture
def client_a(world: World) -> Client:
    return Client.objects.create(company=world.company_a, name="SCI Les Tilleuls", city="Lyon")


@pytest.fixture
def site_a(world: World, client_a: Client) -> Site:
    return Site.objects.create(
        company=world.company_a, client=client_a, name="Résidence Les Tilleuls", city="Villeurbanne"
    )


@pytest.fixture
def client_b(world: World) -> Client:
    return Client.objects.create(company=world.company_b, name="Bravo Client", city="Paris")


def line(description: str, quantity: str, price: str, vat: str = "20.00") -> dict[str, Any]:
    return {
        "description": description,
        "unit": "u",
        "quantity": quantity,
        "unit_price": price,
        "vat_rate": vat,
    }


def make_quote(world: World, client: Client, title: str = "Rénovation salle de bains") -> Quote:
    return services.quote_create(
        user=world.alice,
        client=client,
        data={"title": title},
        chapters=[
            {
                "title": "Démolition",
                "lines": [line("Dépose baignoire", "1", "350.00")],
                "chapters": [{"title": "Évacuation", "lines": [line("Benne", "2", "180.50")]}],
            },
            {"title": "Plomberie", "lines": [line("Douche italienne", "1", "1850.00", "10.00")]},
        ],
    )


def mark_sent(quote: Quote, number: str = "DEV2026-0001") -> Quote:
    Quote.objects.filter(pk=quote.pk).update(status="sent", number=number, sent_at=timezone.now())
    quote.refresh_from_db()
    return quote


@pytest.fixture
def quote(world: World, client_a: Client) -> Quote:
    return make_quote(world, client_a)


def form_data(for_client: Client, **changes: Any) -> dict[str, Any]:
    data = {
        "client": for_client.pk,
        "site": "",
        "kind": "client",
        "title": "Extension d'une maison",
        "date": "2026-03-02",
        "validity_date": "2026-04-01",
        "header_text": "Suite à notre visite du 27 février.",
        "footer_text": "",
        "terms": "",
        "payment_terms": "30 jours fin de mois",
        "down_payment_rate": "30",
    }
    data.update(changes)
    return data


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Quote.objects.order_by("pk").values_list(
            "pk", "status", "title", "superseded", "version", "lock_version", "refusal_reason"
        )
    )


# --- list ---------------------------------------------------------------------------------


def test_list_shows_current_versions_searches_and_filters(world, alice_client, client_a, site_a):
    other = Client.objects.create(company=world.company_a, name="Mairie d'Écully", city="Écully")
    first = mark_sent(make_quote(world, client_a, "Salle de bains"), "DEV2026-0007")
    v2 = services.quote_update(user=world.alice, quote=first, data={"site": site_a})
    prospect = services.quote_create(
        user=world.alice, client=other, data={"title": "Préau de l'école", "kind": "prospect"}
    )
    Client.objects.create(company=world.company_b, name="Salle Bravo")  # another company

    page = alice_client.get("/quotes/")
    assert page.status_code == 200
    assert [q.pk for q, _url in page.context["rows"]] == [prospect.pk, v2.pk]
    html = page.content.decode()
    assert "DEV2026-0007" in html and '<span class="badge" title="' in html and "v2" in html
    assert "Villeurbanne" in html
    assert f'href="{quote_url(v2.pk)}"' in html

    def found(**params: str) -> list[int]:
        return [q.pk for q, _url in alice_client.get("/quotes/", params).context["rows"]]

    assert found(q="dev2026-0007") == [v2.pk]  # number
    assert found(q="SALLE bains") == [v2.pk]  # title, every word
    assert found(q="ecully") == [prospect.pk]  # client name, accents ignored
    assert found(q="villeurbanne") == [v2.pk]  # site city
    assert found(q="nothing like it") == []
    assert found(status="draft") == [prospect.pk, v2.pk]
    assert found(status="sent") == []
    assert found(kind="prospect") == [prospect.pk]
    assert found(kind="client", q="salle") == [v2.pk]
    assert found(status="bogus") == [prospect.pk, v2.pk]  # an unknown filter is ignored


def test_list_pages_with_a_constant_number_of_queries(
    world, alice_client, client_a, site_a, django_assert_max_num_queries
):
    Quote.objects.bulk_create(
        Quote(
            company=world.company_a,
            client=client_a,
            site=site_a if n % 2 else None,
            title=f"Devis {n:02d}",
            date=TODAY - dt.timedelta(days=n),
            validity_date=TODAY + dt.timedelta(days=30),
            net=D("100.00") * n,
            gross=D("120.00") * n,
            number=f"DEV2026-{n:04d}" if n % 3 else "",
            status="sent" if n % 3 else "draft",
            labour_coefficient=1,
            supply_coefficient=1,
            difficulty_coefficient=1,
            overhead_coefficient=1,
        )
        for n in range(35)
    )
    # session, user, membership; count and page
    with django_assert_max_num_queries(5):
        first = alice_client.get("/quotes/")
    with django_assert_max_num_queries(5):
        second = alice_client.get("/quotes/", {"page": 2, "q": "devis"})
    assert len(first.context["rows"]) == 25
    assert [q.title for q, _url in second.context["rows"]] == [
        f"Devis {n:02d}" for n in range(25, 35)
    ]
    html = first.content.decode()
    assert euros(D("2400.00")) in html and euros(D("2880.00")) in html  # net, gross of n=24
    assert 'href="?q=devis&amp;page=1"' in second.content.decode()


# --- create ---------------------------------------------------------------------------------


def test_create_form_is_prefilled_with_the_company_defaults(world, alice_client, client_a):
    world.company_a.quote_validity_days = 45
    world.company_a.save()
    response = alice_client.get(f"/quotes/new/?client={client_a.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["client"] == client_a
    assert form.initial["date"] == TODAY
    assert form.initial["validity_date"] == TODAY + dt.timedelta(days=45)
    assert 'data-validity-days="45"' in response.content.decode()
    # a foreign or bad client id is ignored, never an error
    for bad in ("abc", "999999", "99999999999999999999999", ""):
        assert (
            alice_client.get(f"/quotes/new/?client={bad}").context["form"].initial["client"] is None
        )


def test_alice_creates_a_quote_with_french_decimals_and_terms(
    world, alice_client, client_a, site_a
):
    terms = services.terms_text_save(
        user=world.alice, title="CGV particuliers", body="Article 1 : les prix sont fermes."
    )
    data = form_data(client_a, site=site_a.pk, terms=terms.pk, down_payment_rate="12,5")

    response = alice_client.post("/quotes/new/", data)

    quote = Quote.objects.get()
    assert response.status_code == 302 and response.url == quote_url(quote.pk)
    assert (quote.company, quote.client, quote.site, quote.status) == (
        world.company_a,
        client_a,
        site_a,
        "draft",
    )
    assert (quote.date, quote.validity_date) == (dt.date(2026, 3, 2), dt.date(2026, 4, 1))
    assert quote.down_payment_rate == D("12.50")
    assert (quote.terms, quote.terms_text) == (terms, "Article 1 : les prix sont fermes.")
    assert quote.payment_terms == "30 jours fin de mois"
    assert quote.family_id == quote.pk and quote.version == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"validity_date": "2026-03-01"}, "validity_date"),
        ({"date": "02/13/2026"}, "date"),
        ({"down_payment_rate": "120"}, "down_payment_rate"),
        ({"down_payment_rate": "12.5.1"}, "down_payment_rate"),
        ({"client": ""}, "client"),
        ({"kind": "friend"}, "kind"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_created(
    world, alice_client, client_a, changes, field
):
    response = alice_client.post("/quotes/new/", form_data(client_a, **changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Quote.objects.count() == 0


def test_foreign_client_site_or_terms_in_the_post_are_refused(
    world, alice_client, client_a, client_b
):
    site_b = Site.objects.create(company=world.company_b, client=client_b, name="Chez Bravo")
    terms_b = TermsText.objects.create(company=world.company_b, title="CGV B", body="B")
    other = Client.objects.create(company=world.company_a, name="Autre client")
    site_other = Site.objects.create(company=world.company_a, client=other, name="Ailleurs")
    for changes, field in (
        ({"client": client_b.pk}, "client"),
        ({"site": site_b.pk}, "site"),
        ({"terms": terms_b.pk}, "terms"),
        ({"site": site_other.pk}, "site"),  # a site of another client: the service refuses
    ):
        response = alice_client.post("/quotes/new/", form_data(client_a, **changes))
        assert response.status_code == 400, changes
        assert field in response.context["form"].errors, changes
    assert Quote.objects.count() == 0


# --- edit the header ------------------------------------------------------------------------


def test_edit_a_draft_header(world, alice_client, quote, client_a):
    page = alice_client.get(f"/quotes/{quote.pk}/edit/")
    assert page.status_code == 200 and page.context["creates_version"] is False
    assert f'name="lock_version" value="{quote.lock_version}"' in page.content.decode()
    data = form_data(client_a, title="Salle de bains v2", lock_version=quote.lock_version)

    response = alice_client.post(f"/quotes/{quote.pk}/edit/", data)

    assert response.status_code == 302 and response.url == quote_url(quote.pk)
    quote.refresh_from_db()
    assert (quote.title, quote.version, quote.net) == ("Salle de bains v2", 1, D("2561.00"))


def test_a_stale_header_save_is_refused_and_nothing_changes(world, alice_client, quote, client_a):
    stale = quote.lock_version
    services.quote_update(user=world.alice, quote=quote, data={"title": "Changed by Bob's boss"})
    before = snapshot()

    response = alice_client.post(
        f"/quotes/{quote.pk}/edit/", form_data(client_a, title="Mine", lock_version=stale)
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert snapshot() == before


def test_editing_a_sent_quote_creates_version_two(world, alice_client, quote, client_a):
    mark_sent(quote)
    page = alice_client.get(f"/quotes/{quote.pk}/edit/")
    assert page.context["creates_version"] is True

    response = alice_client.post(
        f"/quotes/{quote.pk}/edit/",
        form_data(client_a, title="Avec douche", lock_version=quote.lock_version),
    )

    v2 = Quote.objects.get(family=quote, version=2)
    assert response.status_code == 302 and response.url == quote_url(v2.pk)
    assert (v2.title, v2.status, v2.number, v2.net) == (
        "Avec douche",
        "draft",
        "DEV2026-0001",
        D("2561.00"),
    )
    quote.refresh_from_db()
    assert quote.superseded and quote.title == "Rénovation salle de bains"
    assert [q.version for q in quote_versions(v2)] == [1, 2]


@pytest.mark.parametrize("status", ["accepted", "cancelled"])
def test_a_decided_quote_has_no_header_form(world, alice_client, quote, client_a, status):
    Quote.objects.filter(pk=quote.pk).update(status=status)
    before = snapshot()
    assert alice_client.get(f"/quotes/{quote.pk}/edit/").status_code == 302
    response = alice_client.post(f"/quotes/{quote.pk}/edit/", form_data(client_a))
    assert response.status_code == 302 and response.url == quote_url(quote.pk)
    assert snapshot() == before


# --- decisions and versions -----------------------------------------------------------------


def test_accept_with_confirmation(world, alice_client, quote):
    mark_sent(quote)
    page = alice_client.get(f"/quotes/{quote.pk}/accept/")
    assert page.status_code == 200 and page.context["form"].initial["name"] == "SCI Les Tilleuls"
    assert Quote.objects.get(pk=quote.pk).status == "sent"  # GET only asks

    response = alice_client.post(f"/quotes/{quote.pk}/accept/", {"name": "M. Martin"})

    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.status, quote.accepted_by_name, quote.accepted_online) == (
        "accepted",
        "M. Martin",
        False,
    )
    assert quote.decided_at is not None
    contract = quote.contract
    assert response.url in (
        f"/contracts/{contract.pk}/",
        quote_url(quote.pk),  # while the contracts pages are not mounted
    )


def test_accepting_a_draft_is_refused(world, alice_client, quote):
    before = snapshot()
    response = alice_client.post(f"/quotes/{quote.pk}/accept/", {"name": ""})
    assert response.status_code == 302 and response.url == quote_url(quote.pk)
    assert snapshot() == before


def test_refuse_with_a_reason(world, alice_client, quote):
    mark_sent(quote)
    assert alice_client.get(f"/quotes/{quote.pk}/refuse/").status_code == 200
    response = alice_client.post(f"/quotes/{quote.pk}/refuse/", {"reason": "Trop cher"})
    assert response.status_code == 302
    quote.refresh_from_db()
    assert (quote.status, quote.refusal_reason) == ("refused", "Trop cher")


def test_revise_a_refused_quote(world, alice_client, quote):
    mark_sent(quote)
    services.quote_refuse(user=world.alice, quote=quote, reason="Délai")
    quote.refresh_from_db()
    response = alice_client.post(
        f"/quotes/{quote.pk}/revise/", {"lock_version": quote.lock_version}
    )
    v2 = Quote.objects.get(family=quote, version=2)
    assert response.status_code == 302 and response.url == quote_url(v2.pk)
    assert (v2.status, v2.number, v2.net, v2.refusal_reason) == (
        "draft",
        "DEV2026-0001",
        D("2561.00"),
        "",
    )
    quote.refresh_from_db()
    assert quote.superseded and quote.status == "refused"
    # the old version cannot be revised again: the newer one is the one to change
    before = snapshot()
    again = alice_client.post(f"/quotes/{quote.pk}/revise/")
    assert again.status_code == 302 and snapshot() == before


def test_revise_needs_post_and_a_sent_quote(world, alice_client, quote):
    assert alice_client.get(f"/quotes/{quote.pk}/revise/").status_code == 405
    before = snapshot()
    assert alice_client.post(f"/quotes/{quote.pk}/revise/").status_code == 302  # draft
    assert snapshot() == before


def test_duplicate_as_an_alternative(world, alice_client, quote):
    response = alice_client.post(f"/quotes/{quote.pk}/duplicate/")
    copy = Quote.objects.exclude(pk=quote.pk).get()
    assert response.status_code == 302 and response.url == quote_url(copy.pk)
    assert (copy.alternative_of, copy.version, copy.number, copy.net) == (
        quote,
        1,
        "",
        D("2561.00"),
    )
    assert QuoteLine.objects.filter(quote=copy).count() == 3


def test_cancel_with_confirmation(world, alice_client, quote):
    mark_sent(quote)
    assert alice_client.get(f"/quotes/{quote.pk}/cancel/").status_code == 200
    assert Quote.objects.get(pk=quote.pk).status == "sent"
    assert alice_client.post(f"/quotes/{quote.pk}/cancel/").status_code == 302
    assert Quote.objects.get(pk=quote.pk).status == "cancelled"
    before = snapshot()
    assert alice_client.post(f"/quotes/{quote.pk}/cancel/").status_code == 302  # again: refused
    assert snapshot() == before


def test_delete_a_draft_never_sent(world, alice_client, quote):
    page = alice_client.get(f"/quotes/{quote.pk}/delete/")
    assert page.status_code == 200 and page.context["refusal"] is None
    response = alice_client.post(f"/quotes/{quote.pk}/delete/")
    assert response.status_code == 302 and response.url == "/quotes/"
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()


def test_a_sent_quote_is_not_deleted(world, alice_client, quote):
    mark_sent(quote)
    assert alice_client.get(f"/quotes/{quote.pk}/delete/").context["refusal"]
    before = snapshot()
    assert alice_client.post(f"/quotes/{quote.pk}/delete/").status_code == 409
    assert snapshot() == before


# --- the actions include --------------------------------------------------------------------


def actions(quote: Quote, can_write: bool = True) -> set[str]:
    html = render_to_string("quotes/_actions.html", {"quote": quote, "can_write": can_write})
    urls = re.findall(r'(?:href|action)="/quotes/\d+/([a-z.]+)/?"', html)
    return set(urls)


def test_the_actions_follow_the_status(world, quote):
    everyone = {"export.xlsx", "pdf"}
    assert actions(quote) == everyone | {"edit", "send", "duplicate", "cancel", "delete"}
    assert actions(quote, can_write=False) == everyone
    mark_sent(quote)
    assert actions(quote) == everyone | {
        "edit",
        "send",
        "accept",
        "refuse",
        "revise",
        "duplicate",
        "cancel",
    }
    for status, expected in (
        ("refused", {"edit", "revise", "duplicate"}),
        ("expired", {"edit", "revise", "duplicate", "cancel"}),
        ("accepted", {"duplicate"}),
        ("cancelled", {"duplicate"}),
    ):
        quote.status = status
        assert actions(quote) == everyone | expected, status
    quote.status, quote.superseded = "sent", True
    assert actions(quote) == everyone | {"duplicate"}
    quote.status, quote.superseded, quote.number = "draft", False, "DEV2026-0001"  # a v2 draft
    assert "delete" not in actions(quote)


# --- saved terms texts ----------------------------------------------------------------------


def test_terms_texts_create_edit_delete(world, alice_client, client_a):
    response = alice_client.post(
        "/quotes/terms/new/", {"title": "CGV pro", "body": "Paiement à 30 jours."}
    )
    assert response.status_code == 302 and response.url == "/quotes/terms/"
    terms = TermsText.objects.get()
    assert (terms.company, terms.body) == (world.company_a, "Paiement à 30 jours.")
    duplicate = alice_client.post("/quotes/terms/new/", {"title": "CGV pro", "body": "Autre"})
    assert duplicate.status_code == 400 and "title" in duplicate.context["form"].errors
    empty = alice_client.post("/quotes/terms/new/", {"title": "Vide", "body": ""})
    assert empty.status_code == 400 and "body" in empty.context["form"].errors
    assert TermsText.objects.count() == 1

    quote = services.quote_create(
        user=world.alice, client=client_a, data={"title": "Devis", "terms": terms}
    )
    edited = alice_client.post(
        f"/quotes/terms/{terms.pk}/edit/", {"title": "CGV pro 2026", "body": "Paiement à 45 jours."}
    )
    assert edited.status_code == 302
    terms.refresh_from_db()
    assert (terms.title, terms.body) == ("CGV pro 2026", "Paiement à 45 jours.")
    listing = alice_client.get("/quotes/terms/").content.decode()
    assert "CGV pro 2026" in listing and f"/quotes/terms/{terms.pk}/edit/" in listing

    assert alice_client.get(f"/quotes/terms/{terms.pk}/delete/").status_code == 200
    assert alice_client.post(f"/quotes/terms/{terms.pk}/delete/").status_code == 302
    assert not TermsText.objects.exists()
    quote.refresh_from_db()
    assert (quote.terms, quote.terms_text) == (None, "Paiement à 30 jours.")  # the copy stays


def test_choosing_no_saved_text_puts_the_standard_terms_back(world, alice_client, client_a):
    world.company_a.terms_text = "Conditions générales de l'entreprise."
    world.company_a.save()
    terms = services.terms_text_save(user=world.alice, title="CGV", body="Texte choisi.")
    quote = services.quote_create(
        user=world.alice, client=client_a, data={"title": "Devis", "terms": terms}
    )
    data = form_data(client_a, terms="", lock_version=quote.lock_version)
    assert alice_client.post(f"/quotes/{quote.pk}/edit/", data).status_code == 302
    quote.refresh_from_db()
    assert (quote.terms, quote.terms_text) == (None, "Conditions générales de l'entreprise.")


# --- access ---------------------------------------------------------------------------------

READ_PAGES = ["/quotes/", "/quotes/terms/", "/quotes/{pk}/export.xlsx"]
WRITE_PAGES = [
    "/quotes/new/",
    "/quotes/import/",
    "/quotes/terms/new/",
    "/quotes/terms/{terms}/edit/",
    "/quotes/terms/{terms}/delete/",
    "/quotes/{pk}/edit/",
    "/quotes/{pk}/accept/",
    "/quotes/{pk}/refuse/",
    "/quotes/{pk}/cancel/",
    "/quotes/{pk}/delete/",
]
POST_ONLY = ["/quotes/{pk}/revise/", "/quotes/{pk}/duplicate/"]


@pytest.fixture
def objects(world, quote) -> dict[str, int]:
    mark_sent(quote)
    terms = services.terms_text_save(user=world.alice, title="CGV", body="Texte.")
    return {"pk": quote.pk, "terms": terms.pk}


def test_bob_reads_but_cannot_write(world, bob_client, client_a, objects):
    for path in READ_PAGES:
        assert bob_client.get(path.format(**objects)).status_code == 200, path
    for path in ("/quotes/", "/quotes/terms/"):
        # the row's link (the quote's page) is for everyone
        link = f'href="{quote_url(objects["pk"])}"'
        page = bob_client.get(path).content.decode().replace(link, "")
        for marker in ("/new/", "/edit/", "/delete/", "/import/"):
            assert marker not in page, (path, marker)
    before = (snapshot(), list(TermsText.objects.values_list("pk", "title", "body")))
    for path in WRITE_PAGES + POST_ONLY:
        url = path.format(**objects)
        if path not in POST_ONLY:
            assert bob_client.get(url).status_code == 403, url
        response = bob_client.post(url, {**form_data(client_a), "name": "x", "body": "y"})
        assert response.status_code == 403, url
    assert (snapshot(), list(TermsText.objects.values_list("pk", "title", "body"))) == before


def test_charlie_gets_404_on_alpha_quotes(world, charlie_client, objects):
    before = snapshot()
    for path in WRITE_PAGES[3:] + POST_ONLY + READ_PAGES[2:]:
        url = path.format(**objects)
        assert charlie_client.get(url).status_code in (404, 405), url
        expected = (404, 405) if url.endswith(".xlsx") else (404,)
        assert charlie_client.post(url, {"title": "x", "body": "y"}).status_code in expected, url
    assert snapshot() == before
    assert charlie_client.get("/quotes/").context["rows"] == []


def test_the_nav_links_to_quotes_and_the_client_page_offers_a_new_quote(alice_client, client_a):
    home = alice_client.get("/quotes/").content.decode()
    assert '<a href="/quotes/" aria-current="page">' in home
    page = alice_client.get(f"/clients/{client_a.pk}/").content.decode()
    assert f'href="/quotes/new/?client={client_a.pk}"' in page


def test_the_report_msgids_are_those_of_the_parser():
    assert dict(MESSAGES) == REPORT_MESSAGES
    assert dict(ERRORS) == FILE_ERRORS
