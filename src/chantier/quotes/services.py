"""Writes on quotes as documents: create, change, versions, acceptance, refusal, expiry.

Content (chapters, lines) is in `line_services`, whole trees in `building`, sending
and the signed acceptance link in `sending`. Status flow (issue 3):
draft → sent → accepted / refused / expired; draft or sent → cancelled. Editing a
sent (or expired, refused) quote creates version N+1, a draft of the same family and
number; the older version is kept read-only (`superseded`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chantier.catalogue.spreadsheets import SpreadsheetError
from chantier.core.access import require_writer
from chantier.core.exceptions import DomainError, FieldErrors
from chantier.core.models import Company, User
from chantier.core.money import round2, to_decimal
from chantier.core.services import audit_log
from chantier.parties.models import Client, Site
from chantier.quotes import building, pricing
from chantier.quotes.line_services import bump, lock
from chantier.quotes.models import Quote, TermsText
from chantier.quotes.tender_model import ImportReport
from chantier.quotes.tender_schedule import parse_tender_schedule

HEADER_FIELDS = (
    "title",
    "kind",
    "date",
    "validity_date",
    "header_text",
    "footer_text",
    "payment_terms",
    "down_payment_rate",
    "client",
    "site",
    "terms",
)
REVISABLE = frozenset({Quote.Status.SENT, Quote.Status.EXPIRED, Quote.Status.REFUSED})


def new_quote(company: Company, *, client: Client, user: User | None) -> Quote:
    """An unsaved quote with the company's defaults (validity days, texts, coefficients)."""
    today = timezone.localdate()
    return Quote(
        company=company,
        client=client,
        date=today,
        validity_date=today + dt.timedelta(days=company.quote_validity_days),
        header_text=company.header_text,
        footer_text=company.footer_text,
        terms_text=company.terms_text,
        payment_terms=company.get_payment_terms_display(),
        labour_coefficient=company.labour_coefficient,
        supply_coefficient=company.supply_coefficient,
        difficulty_coefficient=company.difficulty_coefficient,
        overhead_coefficient=company.overhead_coefficient,
        created_by=user,
    )


def apply_header(quote: Quote, data: Mapping[str, Any]) -> None:
    """Copy the document's header fields, checking each (every fault reported at once)."""
    errors: dict[str, list[str]] = {}
    company = quote.company
    for name in ("title", "header_text", "footer_text", "payment_terms"):
        if name in data:
            setattr(quote, name, str(data[name] or "").strip())
    if "kind" in data:
        if data["kind"] not in Quote.Kind.values:
            errors["kind"] = [_("Unknown kind.")]
        else:
            quote.kind = data["kind"]
    if "client" in data:
        client = data["client"]
        if not isinstance(client, Client) or client.company_id != company.pk:
            errors["client"] = [_("Choose a client.")]
        else:
            quote.client = client
    if "site" in data:
        site = data["site"]
        if site is not None and (not isinstance(site, Site) or site.company_id != company.pk):
            errors["site"] = [_("Choose a site.")]
        else:
            quote.site = site
    if "terms" in data:
        terms = data["terms"]
        if terms is not None and (
            not isinstance(terms, TermsText) or terms.company_id != company.pk
        ):
            errors["terms"] = [_("Choose a saved text.")]
        elif terms is not None and terms != quote.terms:
            quote.terms, quote.terms_text = terms, terms.body
        elif terms is None:
            quote.terms = None
    if "terms_text" in data:
        quote.terms_text = str(data["terms_text"] or "").strip()
    for name in ("date", "validity_date"):
        if name in data:
            value = data[name]
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    errors[name] = [_("Enter a date.")]
                    continue
            if not isinstance(value, dt.date):
                errors[name] = [_("Enter a date.")]
                continue
            setattr(quote, name, value)
    if "down_payment_rate" in data:
        try:
            rate = round2(to_decimal(data["down_payment_rate"] or 0))
        except ValueError:
            errors["down_payment_rate"] = [_("Enter a number.")]
        else:
            if not Decimal(0) <= rate <= Decimal(100):
                errors["down_payment_rate"] = [_("A down payment is between 0 and 100 %.")]
            quote.down_payment_rate = rate
    if not quote.title:
        errors["title"] = [_("Give the quote a title.")]
    elif len(quote.title) > 250:
        errors["title"] = [_("A title has at most 250 characters.")]
    if quote.site is not None and quote.client_id and quote.site.client_id != quote.client_id:
        errors["site"] = [_("This site belongs to another client.")]
    if quote.date and quote.validity_date and quote.validity_date < quote.date:
        errors["validity_date"] = [_("The validity date cannot be before the quote date.")]
    if errors:
        raise FieldErrors(errors)


@transaction.atomic
def quote_create(
    *,
    user: User,
    client: Client,
    data: Mapping[str, Any] | None = None,
    chapters: Sequence[Mapping[str, Any]] = (),
    lines: Sequence[Mapping[str, Any]] = (),
) -> Quote:
    """A draft quote with the company's defaults; `chapters`/`lines` build its content."""
    company = require_writer(user).company
    quote = new_quote(company, client=client, user=user)
    apply_header(quote, {"client": client, **(data or {})})
    quote.save()
    quote.family = quote
    quote.save(update_fields=["family"])
    if chapters or lines:
        building.build_tree(quote, chapters=chapters, lines=lines)
    audit_log(company=company, user=user, action="quote_create", obj=quote)
    return quote


@transaction.atomic
def quote_import(
    *, user: User, client: Client, content: bytes, data: Mapping[str, Any] | None = None
) -> tuple[Quote, ImportReport, int]:
    """A draft quote from a DPGF/BPU .xlsx: the tree, the report, the unquantified count.

    An unreadable file or one without a header row is refused (TenderScheduleError,
    field "file") and nothing is created.
    """
    require_writer(user)
    try:
        schedule = parse_tender_schedule(content)
    except SpreadsheetError as error:
        raise DomainError(_(error.message), field="file") from None
    chapters, lines, unquantified = building.schedule_tree(schedule)
    title = (data or {}).get("title") or _("Imported tender schedule")
    quote = quote_create(
        user=user,
        client=client,
        data={**(data or {}), "title": title},
        chapters=chapters,
        lines=lines,
    )
    audit_log(
        company=quote.company,
        user=user,
        action="quote_import",
        obj=quote,
        data={"lines": quote.line_count, "skipped": len(schedule.report.skipped)},
    )
    return quote, schedule.report, unquantified


@transaction.atomic
def quote_update(
    *, user: User, quote: Quote, data: Mapping[str, Any], lock_version: int | None = None
) -> Quote:
    """Change the header; on a sent quote this creates and changes version N+1 (returned)."""
    locked = lock(user=user, quote=quote, lock_version=lock_version, draft=False)
    if not locked.editable:
        locked = _revise(user=user, quote=locked)
    apply_header(locked, data)
    locked.save()
    bump(locked)
    audit_log(
        company=locked.company,
        user=user,
        action="quote_update",
        obj=locked,
        data={"fields": sorted(data)},
    )
    return locked


@transaction.atomic
def quote_revise(*, user: User, quote: Quote, lock_version: int | None = None) -> Quote:
    """Version N+1 of a sent, expired or refused quote: a draft copy to edit."""
    locked = lock(user=user, quote=quote, lock_version=lock_version, draft=False)
    return _revise(user=user, quote=locked)


def _revise(*, user: User, quote: Quote) -> Quote:
    if quote.superseded:
        raise DomainError(_("A newer version of this quote exists: edit that one."))
    if quote.status not in REVISABLE:
        raise DomainError(
            _("A %(status)s quote cannot be changed.")
            % {"status": quote.get_status_display().lower()}
        )
    latest = Quote.objects.filter(family_id=quote.family_id).order_by("-version").first()
    version = (latest.version if latest else quote.version) + 1
    copy = _copy(quote, status=Quote.Status.DRAFT, version=version, family_id=quote.family_id)
    copy.number = quote.number
    copy.save(update_fields=["number"])
    Quote.objects.filter(pk=quote.pk).update(superseded=True)
    quote.superseded = True
    audit_log(
        company=quote.company,
        user=user,
        action="quote_revise",
        obj=copy,
        data={"from": quote.pk, "version": version},
    )
    return copy


@transaction.atomic
def quote_duplicate(*, user: User, quote: Quote) -> Quote:
    """An alternative (variante): a new draft quote with the same content, no number."""
    company = require_writer(user).company
    source = Quote.objects.get(pk=quote.pk, company=company)
    copy = _copy(source, status=Quote.Status.DRAFT, version=1, family_id=None)
    copy.alternative_of = source
    copy.family = copy
    copy.title = _("%(title)s (alternative)") % {"title": source.title}
    copy.save(update_fields=["alternative_of", "family", "title"])
    audit_log(
        company=company, user=user, action="quote_duplicate", obj=copy, data={"from": source.pk}
    )
    return copy


def _copy(source: Quote, *, status: str, version: int, family_id: int | None) -> Quote:
    copy = Quote.objects.get(pk=source.pk)
    copy.pk = None
    copy.number = ""
    copy.status = status
    copy.version = version
    copy.family_id = family_id
    copy.superseded = False
    copy.lock_version = 1
    copy.sent_at = copy.decided_at = None
    copy.accepted_by_name, copy.accepted_ip, copy.accepted_online = "", None, False
    copy.refusal_reason = ""
    copy.alternative_of = None
    today = timezone.localdate()
    if copy.validity_date < today:
        copy.date = today
        copy.validity_date = today + dt.timedelta(days=source.company.quote_validity_days)
    copy.save()
    building.copy_content(source, copy)
    pricing.recompute(copy)
    return copy


def _decidable(quote: Quote) -> None:
    if quote.superseded:
        raise DomainError(_("A newer version of this quote exists: decide on that one."))
    if quote.status != Quote.Status.SENT:
        raise DomainError(
            _("Only a sent quote can be accepted or refused; this one is %(status)s.")
            % {"status": quote.get_status_display().lower()}
        )


@transaction.atomic
def quote_accept(*, user: User, quote: Quote, name: str = "") -> Quote:
    """The user records the client's acceptance; the contract is created from the quote."""
    locked = lock(user=user, quote=quote, lock_version=None, draft=False)
    _decidable(locked)
    accepted = accept_locked(locked, name=name or str(locked.client), ip=None, online=False)
    _contract_from(user=user, quote=accepted)
    audit_log(company=locked.company, user=user, action="quote_accept", obj=locked)
    return accepted


def accept_locked(quote: Quote, *, name: str, ip: str | None, online: bool) -> Quote:
    """Record the acceptance on a locked, sent quote (name, date, IP: issue 3)."""
    quote.status = Quote.Status.ACCEPTED
    quote.decided_at = timezone.now()
    quote.accepted_by_name = name.strip()[:200]
    quote.accepted_ip = ip
    quote.accepted_online = online
    quote.save(
        update_fields=[
            "status",
            "decided_at",
            "accepted_by_name",
            "accepted_ip",
            "accepted_online",
            "updated_at",
        ]
    )
    bump(quote)
    return quote


def _contract_from(*, user: User, quote: Quote) -> Any:
    from chantier.contracts.services import contract_create_from_quote

    return contract_create_from_quote(user=user, quote=quote)


@transaction.atomic
def quote_refuse(*, user: User, quote: Quote, reason: str = "") -> Quote:
    locked = lock(user=user, quote=quote, lock_version=None, draft=False)
    _decidable(locked)
    locked.status = Quote.Status.REFUSED
    locked.decided_at = timezone.now()
    locked.refusal_reason = reason.strip()
    locked.save(update_fields=["status", "decided_at", "refusal_reason", "updated_at"])
    bump(locked)
    audit_log(company=locked.company, user=user, action="quote_refuse", obj=locked)
    return locked


@transaction.atomic
def quote_cancel(*, user: User, quote: Quote) -> Quote:
    locked = lock(user=user, quote=quote, lock_version=None, draft=False)
    if locked.status not in (Quote.Status.DRAFT, Quote.Status.SENT, Quote.Status.EXPIRED):
        raise DomainError(
            _("A %(status)s quote cannot be cancelled.")
            % {"status": locked.get_status_display().lower()}
        )
    locked.status = Quote.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    bump(locked)
    audit_log(company=locked.company, user=user, action="quote_cancel", obj=locked)
    return locked


@transaction.atomic
def quote_delete(*, user: User, quote: Quote) -> None:
    """Only a draft never sent (no number) can be deleted; a sent one is cancelled instead."""
    locked = lock(user=user, quote=quote, lock_version=None, draft=False)
    if locked.status != Quote.Status.DRAFT or locked.number:
        raise DomainError(_("A quote that was sent is kept: cancel it instead."))
    audit_log(
        company=locked.company,
        user=user,
        action="quote_delete",
        obj=locked,
        data={"title": locked.title},
    )
    locked.delete()


def quotes_expire(*, today: dt.date | None = None) -> int:
    """Daily: sent quotes past their validity date become expired (every company)."""
    today = today or timezone.localdate()
    return Quote.objects.filter(
        status=Quote.Status.SENT, superseded=False, validity_date__lt=today
    ).update(status=Quote.Status.EXPIRED, updated_at=timezone.now())


@transaction.atomic
def terms_text_save(
    *, user: User, title: str, body: str, terms: TermsText | None = None
) -> TermsText:
    company = require_writer(user).company
    title, body = title.strip(), body.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the text a title.")]
    if not body:
        errors["body"] = [_("The text is empty.")]
    taken = TermsText.objects.filter(company=company, title=title)
    if terms is not None:
        taken = taken.exclude(pk=terms.pk)
    if title and taken.exists():
        errors["title"] = [_("A text with this title already exists.")]
    if errors:
        raise FieldErrors(errors)
    row = terms or TermsText(company=company)
    row.title, row.body = title, body
    row.save()
    audit_log(company=company, user=user, action="terms_text_save", obj=row)
    return row


@transaction.atomic
def terms_text_delete(*, user: User, terms: TermsText) -> None:
    company = require_writer(user).company
    audit_log(
        company=company,
        user=user,
        action="terms_text_delete",
        obj=terms,
        data={"title": terms.title},
    )
    TermsText.objects.filter(pk=terms.pk, company=company).delete()
