"""Every page of one company's object is a 404 for another company; read-only roles write
nothing. Routes are discovered by crawling from every page without parameters, so a new
page is covered as soon as it is linked (see crawl.py)."""

from __future__ import annotations

from django.apps import apps

from .conftest import logged_in
from .crawl import all_routes, crawl, has_object_id
from .fingerprint import db_fingerprint

# Routes that any member may POST to, with the reason; everything else needs a writer role.
READER_MAY_POST = {
    "settings/tokens/new/": "a member manages its own API tokens",
    "settings/tokens/<int:pk>/revoke/": "a member manages its own API tokens",
    "documents/price-list/": "any member may print a document (it changes no business data)",
    "invoices/<int:pk>/pdf/": "any member may print an invoice (it changes no business data)",
    "invoices/<int:pk>/statement-pdf/": "any member may print a statement document",
    "invoices/contract/<int:pk>/final-account/pdf/": "any member may print the final account",
}
# Objects of one user, not of the company: other members get 404 too.
PER_USER_ROUTES = {"settings/tokens/<int:pk>/revoke/"}
# Routes that are not business pages.
NOT_PAGES = {"login/", "logout/", "i18n/setlang/", "api/v1/"}


def start_pages() -> list[str]:
    return [
        "/" + route
        for route, pattern in all_routes()
        if "<" not in route and not route.startswith("api/") and route not in NOT_PAGES
    ]


def demo_strings(company) -> set[str]:
    """Distinctive texts of the demo company's rows (names, references, subjects)."""
    found = set()
    for model in apps.get_models():
        names = {f.name for f in model._meta.get_fields()}
        if "company" not in names:
            continue
        for attr in ("name", "reference", "subject", "title", "last_name"):
            if attr in names:
                for value in model.objects.filter(company=company).values_list(attr, flat=True):
                    if value and len(str(value)) >= 8:
                        found.add(str(value))
    return found


def test_crawl_reaches_every_object_route(demo_world):
    reached = crawl(logged_in(demo_world.owner), start_pages())
    object_routes = {route for route, _ in all_routes() if has_object_id(route)}
    missing = object_routes - set(reached.gets) - set(reached.posts)
    assert not missing, (
        f"Routes never reached from the demo data (link them from a page, or give the demo "
        f"data a row that shows them): {sorted(missing)}"
    )


def test_another_company_gets_404_on_every_object_page(demo_world):
    reached = crawl(logged_in(demo_world.owner), start_pages())
    outsider = logged_in(demo_world.outsider)
    before = db_fingerprint()
    leaks = []
    for route, urls in reached.gets.items():
        if has_object_id(route):
            for url in urls:
                status = outsider.get(url).status_code
                if status != 404:
                    leaks.append(f"GET {url} -> {status}")
    for route, urls in reached.posts.items():
        if has_object_id(route):
            for url in urls:
                status = outsider.post(url, {}).status_code
                if status != 404:
                    leaks.append(f"POST {url} -> {status}")
    assert not leaks, "Foreign objects reachable:\n" + "\n".join(leaks)
    assert db_fingerprint() == before


def test_another_company_sees_none_of_the_demo_data_in_lists(demo_world):
    owner_reached = crawl(logged_in(demo_world.owner), start_pages())
    secrets = demo_strings(demo_world.demo_company)
    assert secrets, "the demo data should contain named rows"
    outsider = logged_in(demo_world.outsider)
    urls = [u for route, us in owner_reached.gets.items() if not has_object_id(route) for u in us]
    leaks = []
    for url in urls:
        response = outsider.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            page = response.content.decode()
            leaks += [f"{url}: {s!r}" for s in secrets if s in page]
    assert not leaks, "Demo data visible to another company:\n" + "\n".join(leaks[:20])


def test_read_only_member_cannot_write_anything(demo_world):
    reached = crawl(logged_in(demo_world.owner), start_pages())
    reader = logged_in(demo_world.reader)
    before = db_fingerprint()
    allowed = []
    for route, urls in reached.posts.items():
        if route in READER_MAY_POST:
            continue
        for url in urls:
            status = reader.post(url, {}).status_code
            if status != 403:
                allowed.append(f"POST {url} -> {status}")
    assert not allowed, "Read-only member could post:\n" + "\n".join(allowed)
    assert db_fingerprint() == before


def test_read_only_member_can_read_every_page(demo_world):
    reached = crawl(logged_in(demo_world.owner), start_pages())
    reader = logged_in(demo_world.reader)
    refused = []
    for route, urls in reached.gets.items():
        if route in PER_USER_ROUTES:
            continue
        for url in urls[:1]:
            status = reader.get(url).status_code
            # Forms that only writers may fill answer 403; nothing may be missing or broken.
            if status == 404 or status >= 500:
                refused.append(f"GET {url} -> {status}")
    assert not refused, "\n".join(refused)
