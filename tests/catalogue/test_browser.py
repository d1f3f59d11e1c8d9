"""The component field in a real browser (Debian's chromium via Playwright): typing asks
the server for matching items (htmx fills the <datalist>), the keyboard alone adds one."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from playwright.sync_api import expect

from tests.e2e.conftest import browser, page  # noqa: F401  (the browser fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def _log_in(page, live_server, user):  # noqa: F811
    http = HttpClient()
    http.force_login(user)
    cookie = http.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def test_a_component_is_searched_and_added_with_the_keyboard(
    page,  # noqa: F811
    live_server,
    world,
    make_item,
):
    wall = make_item("CLOISON", name="Cloison 72/48", structure="assembly")
    make_item("PLA-BA13", name="Plaque BA13", purchase_cost="2.85")
    make_item("PLA-BA13H", name="Plaque BA13 hydrofuge", purchase_cost="4.20")
    for i in range(30):
        make_item(f"VIS-{i:02d}", name=f"Vis {i}")
    _log_in(page, live_server, world.alice)
    page.goto(f"{live_server.url}/catalogue/{wall.pk}/")

    field = page.get_by_label(re.compile(r"^\s*Composant\s*:?\s*\*?\s*$"))
    field.press_sequentially("plaque ba")
    options = page.locator("#component-choices option")
    expect(options).to_have_count(2)
    assert options.evaluate_all("os => os.map(o => o.value)") == ["PLA-BA13", "PLA-BA13H"]

    field.fill("PLA-BA13")
    field.press("Tab")
    page.keyboard.type("2,1")
    page.keyboard.press("Enter")

    components = page.locator("#components")
    expect(components).to_contain_text("Composant ajouté.")
    expect(components.get_by_role("link", name="PLA-BA13", exact=True)).to_be_visible()
    expect(components).to_contain_text("5,9850\u00a0€")  # 2.1 × 2.85
    assert page.problems == []  # type: ignore[attr-defined]
