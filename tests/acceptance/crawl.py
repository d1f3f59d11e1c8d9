"""Discover every page a user can reach by following links and forms from the start pages.

The tenancy and role tests replay what one company's user reached as another user, so
new pages are covered as soon as they are linked from somewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/logout/", "/i18n/", "/login/")
MAX_PAGES = 600
MAX_PER_ROUTE = 3


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str]] = []  # (method, action)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "form":
            method = (values.get("method") or "get").lower()
            self.forms.append((method, values.get("action") or ""))
        elif tag in ("button", "input") and values.get("formaction"):
            # A second submit button posting its form elsewhere (approve / reject).
            method = (values.get("formmethod") or "post").lower()
            self.forms.append((method, values["formaction"] or ""))
        for attr in ("hx-get", "hx-post"):
            if values.get(attr):
                target = values[attr] or ""
                if attr == "hx-get":
                    self.links.append(target)
                else:
                    self.forms.append(("post", target))


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


@dataclass
class CrawlResult:
    gets: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    posts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _normalise(base: str, href: str) -> str | None:
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIP_PREFIXES):
        return None
    return path


def crawl(client: Client, start: list[str]) -> CrawlResult:
    result = CrawlResult()
    queue = list(start)
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        route = route_of(url.split("?")[0])
        if route is None:
            continue
        if len(result.gets[route]) >= MAX_PER_ROUTE and url not in result.gets[route]:
            continue
        response = client.get(url)
        if response.status_code != 200:
            continue
        result.gets[route].append(url)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _LinkParser()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = _normalise(url, href)
            if target and target not in seen:
                queue.append(target)
        for method, action in parser.forms:
            target = _normalise(url, action or url)
            if target is None:
                continue
            if method == "post":
                post_route = route_of(target.split("?")[0])
                if post_route is not None and target not in result.posts[post_route]:
                    result.posts[post_route].append(target)
            elif target not in seen:
                queue.append(target)
    return result


def all_routes() -> list[tuple[str, URLPattern]]:
    """Every (route, pattern) of the URLconf, prefixes joined."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append((prefix + str(entry.pattern), entry))

    walk(get_resolver().url_patterns, "")
    return found


def has_object_id(route: str) -> bool:
    return bool(re.search(r"<int:[^>]+>", route))
