"""The first ten minutes of a new user, in a real browser (Debian's chromium via Playwright).

Story: open the site, get sent to the login page, log in with the keyboard only, land on the
home page, go to Clients, create a client, find it in the list and through the search box.
Then the same list on a portrait tablet (the site foreman's device) and the switch to English.

Selectors are the ones a person uses: roles and accessible names (labels), in French, the
default language. Screenshots of each step are left in the test's tmp_path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import Locator, Page, expect

from chantier.parties.models import Client
from tests.conftest import PASSWORD, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


# Accessible names. Django's label_tag adds the French suffix " :" and a required field's
# label carries a " *" (CSS generated content is part of the accessible name in chromium).
def _label(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{text}\s*:?\s*\*?\s*$", re.IGNORECASE)


USERNAME = _label("nom d.utilisateur")
PASSWORD_LABEL = _label("mot de passe")
NAME = _label("nom")
CITY = _label("ville")
POSTCODE = _label("code postal")
ADDRESS = _label("adresse")  # the first address line (the second one is "Adresse (suite)")


def _shot(page: Page, tmp_path: Path, name: str) -> Path:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def _no_problems(page: Page) -> None:
    """No JS error, no 5xx, no missing CSS/JS during the whole test."""
    assert page.problems == []  # type: ignore[attr-defined]


def _nav(page: Page) -> Locator:
    """The main navigation, in the page header (pages may have sub-navigations of their own)."""
    return page.get_by_role("banner").get_by_role("navigation")


def _log_in_with_cookie(page: Page, live_server: Any, user: Any) -> None:
    """Skip the login form (tested once in the story): reuse a Django session in the browser."""
    http = HttpClient()
    http.force_login(user)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def _client_rows(page: Page) -> Locator:
    """The data rows of the client list (the header row has no cell)."""
    return page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("cell"))


def test_first_ten_minutes(page: Page, live_server: Any, world: World, tmp_path: Path) -> None:
    Client.objects.create(
        company=world.company_a, name="Zénith Charpente", postcode="69003", city="Lyon"
    )

    # 1. Anonymous: "/" sends to the login page, in French.
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/(\?next=%2F|\?next=/)?$"))
    expect(page).to_have_title(re.compile("Connexion"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _shot(page, tmp_path, "01-login")

    # 2. Keyboard only: the username field has the focus, Tab to the password, Enter submits.
    username = page.get_by_label(USERNAME)
    expect(username).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    expect(page.get_by_label(PASSWORD_LABEL)).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    # 3. Home page of company A.
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Bâtiment")
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()
    _shot(page, tmp_path, "02-home")

    # 4. The Clients link of the main navigation.
    _nav(page).get_by_role("link", name="Clients", exact=True).click()
    expect(page).to_have_url(live_server.url + "/clients/")
    expect(_client_rows(page).filter(has_text="Zénith Charpente")).to_have_count(1)
    _shot(page, tmp_path, "03-client-list")

    # 5. "Nouveau client": a link styled as a button.
    page.get_by_role("main").get_by_role("link", name="Nouveau client", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau client")
    name = page.get_by_label(NAME)
    expect(name).to_be_visible()
    name.fill("Dupont Rénovation")
    # The billing address is required (it goes on every quote and invoice).
    page.get_by_label(ADDRESS).fill("14 rue Francis de Pressensé")
    page.get_by_label(CITY).fill("Villeurbanne")
    page.get_by_label(POSTCODE).fill("69100")
    _shot(page, tmp_path, "04-client-form")
    page.get_by_role("main").get_by_role("button", name="Enregistrer", exact=True).click()

    # 6. Saved: the client's page with a confirmation; then the list shows it.
    expect(page.get_by_role("status")).to_contain_text("Dupont Rénovation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dupont Rénovation")
    created = Client.objects.get(company=world.company_a, name="Dupont Rénovation")
    assert (created.city, created.postcode) == ("Villeurbanne", "69100")
    _shot(page, tmp_path, "05-client-saved")
    if not page.url.endswith("/clients/"):
        _nav(page).get_by_role("link", name="Clients", exact=True).click()
        expect(page).to_have_url(live_server.url + "/clients/")
    new_row = _client_rows(page).filter(has_text="Dupont Rénovation")
    expect(new_row).to_have_count(1)
    expect(new_row).to_contain_text("Villeurbanne")
    expect(_client_rows(page)).to_have_count(2)

    # 7. The search box: type the name, submit; the client stays, the other one goes.
    search = page.get_by_role("searchbox")
    search.fill("Dupont")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/clients/\?(.*&)?q=Dupont"))
    expect(_client_rows(page).filter(has_text="Dupont Rénovation")).to_have_count(1)
    expect(page.get_by_role("table")).not_to_contain_text("Zénith Charpente")
    expect(page.get_by_role("searchbox")).to_have_value("Dupont")

    shot = _shot(page, tmp_path, "06-search-result")
    assert shot.stat().st_size > 0
    _no_problems(page)


def test_tablet_client_list(
    tablet_page: Page, live_server: Any, world: World, tmp_path: Path
) -> None:
    page = tablet_page
    for i, (name, city, postcode) in enumerate(
        [
            (
                "Société Anonyme des Travaux Publics et Particuliers du Grand Sud-Ouest",
                "Toulouse",
                "31000",
            ),
            ("Martin", "Saint-Rémy-de-Provence", "13210"),
            ("SCI Les Jardins de la Côte d'Azur", "Cagnes-sur-Mer", "06800"),
        ]
    ):
        Client.objects.create(
            company=world.company_a,
            name=name,
            city=city,
            postcode=postcode,
            email=f"contact{i}@exemple-tres-long-nom-de-domaine.fr",
            phone="+33 6 12 34 56 78",
        )
    _log_in_with_cookie(page, live_server, world.alice)
    page.goto(live_server.url + "/")

    # The navigation is there and usable: every entry visible, inside the screen, tappable.
    nav = _nav(page)
    expect(nav).to_be_visible()
    width = page.viewport_size["width"]
    links = nav.get_by_role("link")
    assert links.count() >= 2
    for link in links.all():
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, link.text_content()
        assert box["height"] >= 44, f"tap target too small: {link.text_content()!r} {box}"
    nav.get_by_role("link", name="Clients", exact=True).click()
    expect(page).to_have_url(live_server.url + "/clients/")

    # The list: the table is visible and the page does not scroll sideways.
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    expect(_client_rows(page)).to_have_count(3)
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    _shot(page, tmp_path, "tablet-client-list")
    assert overflow[0] <= overflow[1] + 1, (
        f"page scrolls sideways: scrollWidth, innerWidth = {overflow}"
    )
    _no_problems(page)


def test_switch_to_english(page: Page, live_server: Any, world: World, tmp_path: Path) -> None:
    _log_in_with_cookie(page, live_server, world.alice)
    page.goto(live_server.url + "/clients/")
    expect(page.get_by_role("button", name="Déconnexion")).to_be_visible()

    page.get_by_role("banner").get_by_role("button", name="English").click()

    # Same page, now in English; the switch offers French back.
    expect(page).to_have_url(live_server.url + "/clients/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="Français")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    _shot(page, tmp_path, "english")

    # The choice sticks on the next page.
    page.get_by_role("link", name="Chantier", exact=True).click()
    expect(page).to_have_title(re.compile("Home"))
    _no_problems(page)
