"""/api/v1/docs really renders in a browser (not only answers 200).

These machines have no Internet access, like many customers' intranets: the page must not
need a CDN to show the operations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
]


def test_api_docs_render_offline(page: Page, live_server: Any, tmp_path: Path) -> None:
    external: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (external.append(route.request.url), route.abort())[1]
        ),
    )
    page.goto(live_server.url + "/api/v1/docs")
    page.screenshot(path=str(tmp_path / "api-docs.png"), full_page=True)
    assert external == [], f"/api/v1/docs loads assets from outside the server: {external}"
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Chantier API")
