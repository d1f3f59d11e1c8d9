"""Sending a quote by email with its PDF, and the client's online acceptance.

`quote_send` is the issuing transaction (DESIGN "Numbers"): it numbers the quote at
the family's first send, marks it sent, renders the PDF (which shows that number),
and queues the email with the PDF attached; a failure anywhere rolls everything back,
the number included, so the sequence has no gap.

Long quotes: the PDF of a quote above documents' inline size (about 400 rows, one
second) is rendered in the worker, by the task `send_quote` that runs this same
transaction (`quote_send_enqueue` checks what it can first). The send stays all or
nothing; the price is a write transaction held while the PDF renders (about 10 s for
5,000 lines), which makes another quote send of the company wait meanwhile.

The acceptance link carries a signed token (quote, version, company) and works
until the validity date plus ACCEPT_LINK_GRACE_DAYS; acceptance itself needs a sent,
current quote whose validity date has not passed.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.core.access import get_for_company
from chantier.core.exceptions import DomainError
from chantier.core.formatting import euros
from chantier.core.models import AuditEntry, User
from chantier.core.services import audit_log, format_number, sequence_next
from chantier.documents import rendering
from chantier.documents.services import inline_max_rows
from chantier.mail import registry as mail_registry
from chantier.mail.models import OutboxAttachment, OutboxMessage
from chantier.mail.services import Draft, message_prepare, message_queue
from chantier.parties.models import Client
from chantier.quotes import documents
from chantier.quotes.line_services import bump, lock
from chantier.quotes.models import Quote
from chantier.quotes.services import accept_locked

MAIL_TEMPLATE = "quote"
RELATED_TYPE = "quotes.quote"
SERIES = "quote"
TOKEN_SALT = "chantier.quotes.accept"
# Written in the prepared email where the number goes: a quote is numbered when sent.
NUMBER_MARK = "[numéro]"
ACCEPT_LINK_GRACE_DAYS = 30  # settings.QUOTES_ACCEPT_LINK_GRACE_DAYS overrides it
SEND_PENDING_FOR = timedelta(minutes=30)


class InvalidLink(DomainError):
    """A tampered, unknown or outdated acceptance link: shown as a 404 page."""


# Sending ----------------------------------------------------------------------------------


def check_sendable(quote: Quote) -> None:
    """A draft, current version with lines and a validity date still to come."""
    if quote.superseded:
        raise DomainError(_("A newer version of this quote exists: send that one."))
    if quote.status != Quote.Status.DRAFT:
        raise DomainError(
            _(
                "This quote is %(status)s: only a draft is sent. To send a change, create a "
                "new version."
            )
            % {"status": quote.get_status_display().lower()}
        )
    if quote.line_count == 0:
        raise DomainError(_("Add at least one line before sending the quote."))
    if quote.validity_date < timezone.localdate():
        raise DomainError(
            _("The validity date is past: change it before sending the quote."),
            field="validity_date",
        )


def check_resendable(quote: Quote) -> None:
    """A sent, current version still valid: its email may be sent again as it is."""
    if quote.superseded:
        raise DomainError(_("A newer version of this quote exists: send that one."))
    if quote.status != Quote.Status.SENT:
        raise DomainError(
            _("Only a sent quote is sent again; this one is %(status)s.")
            % {"status": quote.get_status_display().lower()}
        )
    if quote.validity_date < timezone.localdate():
        raise DomainError(
            _("The validity date is past: create a new version to send the quote again."),
            field="validity_date",
        )


def sends_inline(quote: Quote) -> bool:
    """Small quotes render in the request (about a second), larger ones in the worker."""
    rows = documents.estimate_rows(quote.company, {"quote": quote.pk})
    return rows <= inline_max_rows()


@transaction.atomic
def quote_send(
    *, user: User, quote: Quote, draft: Draft, lock_version: int | None = None
) -> OutboxMessage:
    """Send a draft quote: number, status sent, PDF attached to the queued email.

    The number is given at the family's first send (`quote_number_format`, sequence
    "quote" of the year, french-rules §6.2: at validation, no gap); a later version
    keeps its family's number. `[numéro]` in the subject and body becomes the number.
    Refused, nothing written: another user's change since `lock_version`, a quote
    that is not a current draft, no line, a past validity date, a bad recipient.
    """
    locked = lock(user=user, quote=quote, lock_version=lock_version, draft=False)
    check_sendable(locked)
    company = locked.company
    now = timezone.now()
    if not locked.number:
        year = timezone.localdate(now).year
        seq = sequence_next(company=company, series=SERIES, year=year)
        locked.number = format_number(company.quote_number_format, year=year, seq=seq)
    locked.status = Quote.Status.SENT
    locked.sent_at = now
    locked.save(update_fields=["number", "status", "sent_at", "updated_at"])
    bump(locked)
    content = render_pdf(locked)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            subject=draft.subject.replace(NUMBER_MARK, locked.number),
            body=draft.body.replace(NUMBER_MARK, locked.number),
            attachments=[(documents.filename(locked), "application/pdf", content)],
            client=locked.client,
            related_type=RELATED_TYPE,
            related_id=locked.pk,
            related_label=locked.display_number,
        ),
    )
    audit_log(
        company=company,
        user=user,
        action="quote_send",
        obj=locked,
        data={"number": locked.number, "version": locked.version, "message": message.pk},
    )
    quote.number, quote.status, quote.sent_at = locked.number, locked.status, locked.sent_at
    quote.lock_version = locked.lock_version
    return message


@transaction.atomic
def quote_resend(
    *, user: User, quote: Quote, draft: Draft, lock_version: int | None = None
) -> OutboxMessage:
    """Email a sent quote again (the client lost it): same number, version and PDF.

    Nothing changes on the quote; the PDF is the one first sent (rendered again only if
    that email is no longer stored).
    """
    locked = lock(user=user, quote=quote, lock_version=lock_version, draft=False)
    check_resendable(locked)
    content = sent_pdf(locked) or render_pdf(locked)
    message = message_queue(
        user=user,
        draft=dataclasses.replace(
            draft,
            attachments=[(documents.filename(locked), "application/pdf", content)],
            client=locked.client,
            related_type=RELATED_TYPE,
            related_id=locked.pk,
            related_label=locked.display_number,
        ),
    )
    audit_log(
        company=locked.company,
        user=user,
        action="quote_resend",
        obj=locked,
        data={"number": locked.number, "version": locked.version, "message": message.pk},
    )
    return message


@transaction.atomic
def quote_send_enqueue(
    *, user: User, quote: Quote, draft: Draft, lock_version: int | None = None
) -> None:
    """Have the worker send a long quote (`quote_send` in the task `send_quote`).

    Checks now what can be checked (role, version, state, recipients) so that most
    refusals are shown on the page; the task's own refusal is recorded in the audit
    log (`quote_send_failed`) and shown on the send page.
    """
    locked = lock(user=user, quote=quote, lock_version=lock_version, draft=False)
    check_sendable(locked)
    if send_pending(locked):
        raise DomainError(_("This quote is already being sent."))
    _check_recipients(draft)
    data = draft_data(draft)
    audit_log(
        company=locked.company,
        user=user,
        action="quote_send_queued",
        obj=locked,
        data={"to": data["to"]},
    )
    quote_id, user_id, version = locked.pk, user.pk, locked.lock_version

    def enqueue() -> None:
        from chantier.quotes.tasks import send_quote

        send_quote.enqueue(quote_id, user_id, data, version)

    transaction.on_commit(enqueue)


def send_in_worker(
    *, quote_id: int, user_id: int, data: dict[str, Any], lock_version: int
) -> int | None:
    """The task's body: `quote_send`, or its refusal recorded; the message id or None."""
    user = User.objects.get(pk=user_id)
    quote = Quote.objects.select_related("company").get(pk=quote_id)
    draft = draft_from_data(data, client=quote.client)
    try:
        message = quote_send(user=user, quote=quote, draft=draft, lock_version=lock_version)
    except DomainError as error:
        _send_failed(quote, user, str(error.message))
        return None
    except Exception:
        with translation.override(settings.LANGUAGE_CODE):
            text = _("The PDF or the email could not be prepared; nothing was sent.")
        _send_failed(quote, user, text)
        raise  # the task result keeps the traceback for the administrator
    return message.pk


def _send_failed(quote: Quote, user: User, text: str) -> None:
    audit_log(
        company=quote.company,
        user=user,
        action="quote_send_failed",
        obj=quote,
        data={"error": text[:500]},
    )


def send_pending(quote: Quote) -> bool:
    """A worker send was asked for less than SEND_PENDING_FOR ago and has not ended
    (sent or failed) yet. Past that, the worker is taken for stopped and the quote may
    be sent again (the late task would then find it sent and record a refusal)."""
    last = (
        AuditEntry.objects.filter(
            company_id=quote.company_id,
            object_type="Quote",
            object_id=str(quote.pk),
            action__in=("quote_send_queued", "quote_send", "quote_send_failed"),
        )
        .order_by("-at", "-pk")
        .values_list("action", "at")
        .first()
    )
    return (
        last is not None
        and last[0] == "quote_send_queued"
        and timezone.now() - last[1] < SEND_PENDING_FOR
    )


def last_send_failure(quote: Quote) -> str:
    """Why the last worker send of this draft failed, if that is its last send event."""
    if quote.status != Quote.Status.DRAFT:
        return ""
    entry = (
        AuditEntry.objects.filter(
            company_id=quote.company_id,
            object_type="Quote",
            object_id=str(quote.pk),
            action__in=("quote_send_queued", "quote_send", "quote_send_failed"),
        )
        .order_by("-at", "-pk")
        .first()
    )
    if entry is None or entry.action != "quote_send_failed":
        return ""
    return str(entry.data.get("error", ""))


def draft_data(draft: Draft) -> dict[str, Any]:
    """What the task needs of an edited draft, as JSON."""
    return {
        "to": list(draft.to),
        "cc": list(draft.cc),
        "subject": draft.subject,
        "body": draft.body,
        "submit_token": str(draft.submit_token) if draft.submit_token else None,
    }


def draft_from_data(data: dict[str, Any], *, client: Client) -> Draft:
    token = data.get("submit_token")
    return Draft(
        to=list(data.get("to") or []),
        cc=list(data.get("cc") or []),
        subject=str(data.get("subject") or ""),
        body=str(data.get("body") or ""),
        template_key=MAIL_TEMPLATE,
        client=client,
        submit_token=uuid.UUID(token) if token else None,
    )


def _check_recipients(draft: Draft) -> None:
    if not [a for a in draft.to if a.strip()]:
        raise DomainError(_("Give at least one recipient address."), field="to")
    for field, addresses in (("to", draft.to), ("cc", draft.cc)):
        for address in addresses:
            try:
                validate_email(address.strip())
            except ValidationError:
                raise DomainError(
                    _("“%(address)s” is not a valid email address.") % {"address": address},
                    field=field,
                ) from None
    if not " ".join(draft.subject.split()):
        raise DomainError(_("The subject is empty."), field="subject")


def render_pdf(quote: Quote, *, lang: str | None = None) -> bytes:
    """The quote's PDF as the client gets it (the site's language, French by default)."""
    lang = lang or settings.LANGUAGE_CODE
    params = {"quote": quote.pk}
    with translation.override(lang):
        context = documents.build_context(quote.company, params)
        title = documents.document_title(context["quote"])
    return rendering.render_pdf(
        template_name=documents.QUOTE.template_name,
        context=context,
        company=quote.company,
        title=title,
        lang=lang,
    )


def sent_pdf(quote: Quote) -> bytes | None:
    """The PDF attached to the last email that sent this version, if it is still stored."""
    attachment = (
        OutboxAttachment.objects.filter(
            company_id=quote.company_id,
            message__related_type=RELATED_TYPE,
            message__related_id=quote.pk,
            content_type="application/pdf",
        )
        .order_by("-message__created_at", "-pk")
        .first()
    )
    if attachment is None:
        return None
    try:
        with attachment.file.open("rb") as handle:
            return bytes(handle.read())
    except (OSError, ValueError):
        return None


# The email ---------------------------------------------------------------------------------


def mail_extras(user: User, client: Client | None, params: Any) -> mail_registry.MessageExtras:
    """The mail template's hook (`?quote=<id>`): the quote, its totals and its link."""
    quote_id = params.get("quote") if params else None
    if not quote_id:
        return mail_registry.MessageExtras(context={"number_mark": NUMBER_MARK})
    quote = get_for_company(Quote.objects.select_related("client", "company"), user, quote_id)
    return mail_registry.MessageExtras(
        context=mail_context(quote, base_url=str(params.get("base_url") or "")),
        related_type=RELATED_TYPE,
        related_id=quote.pk,
        related_label=str(quote.display_number),
    )


def mail_context(quote: Quote, *, base_url: str = "") -> dict[str, Any]:
    return {
        "quote": quote,
        "number": quote.number or NUMBER_MARK,
        "number_mark": NUMBER_MARK,
        "document_label": "Proposition commerciale"
        if quote.kind == Quote.Kind.PROSPECT
        else "Devis",
        "net": euros(quote.net),
        "gross": euros(quote.gross),
        "validity_date": quote.validity_date,
        "accept_url": acceptance_url(quote, base_url=base_url),
    }


def prepare_email(user: User, quote: Quote, *, base_url: str = "") -> Draft:
    """The email to review on the send page: to the client, in French, with the link."""
    return message_prepare(
        user=user,
        template_key=MAIL_TEMPLATE,
        client=quote.client,
        params={"quote": str(quote.pk), "base_url": base_url},
    )


def register_mail_template() -> None:
    mail_registry.register(
        mail_registry.MessageTemplate(MAIL_TEMPLATE, gettext_lazy("Quote"), prepare=mail_extras)
    )


# The acceptance link -----------------------------------------------------------------------


def grace_days() -> int:
    return int(getattr(settings, "QUOTES_ACCEPT_LINK_GRACE_DAYS", ACCEPT_LINK_GRACE_DAYS))


def acceptance_token(quote: Quote) -> str:
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    return signer.sign_object({"c": quote.company_id, "q": quote.pk, "v": quote.version})


def acceptance_url(quote: Quote, *, base_url: str = "") -> str:
    """The client's link. Built outside a request, the base is settings.PUBLIC_URL."""
    path = reverse("quotes:public_accept", kwargs={"token": acceptance_token(quote)})
    base = base_url or str(getattr(settings, "PUBLIC_URL", "") or "")
    if not base:
        base = f"http://localhost:{getattr(settings, 'PORT', 8000)}"
    return base.rstrip("/") + path


def quote_for_token(token: str) -> Quote:
    """The quote a link is for; InvalidLink when tampered, unknown or outdated.

    The signature is checked, then that its quote still exists with the same company
    and version, and that today is no later than the validity date plus the grace.
    A draft (never sent) is unknown to the public.
    """
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        data = signer.unsign_object(token)
        company_id, quote_id, version = int(data["c"]), int(data["q"]), int(data["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvalidLink(_("This link is not valid.")) from None
    quote = (
        Quote.objects.select_related("company", "client")
        .filter(pk=quote_id, company_id=company_id, version=version)
        .first()
    )
    if quote is None or (quote.status == Quote.Status.DRAFT and not quote.superseded):
        raise InvalidLink(_("This link is not valid."))
    if timezone.localdate() > quote.validity_date + timedelta(days=grace_days()):
        raise InvalidLink(_("This link has expired."))
    return quote


def acceptance_refusal(quote: Quote) -> str:
    """Why this quote cannot be accepted online now ("" when it can)."""
    if quote.superseded:
        return _(
            "This version of the quote was replaced by a newer one: use the link of the "
            "latest email you received."
        )
    if quote.status == Quote.Status.ACCEPTED:
        when = timezone.localtime(quote.decided_at) if quote.decided_at else None
        return _("This quote was already accepted on %(date)s by %(name)s.") % {
            "date": when.strftime("%d/%m/%Y") if when else "",
            "name": quote.accepted_by_name or quote.client.name,
        }
    if quote.status == Quote.Status.REFUSED:
        return _("This quote was declined.")
    if quote.status == Quote.Status.CANCELLED:
        return _("This quote was withdrawn by the company.")
    if quote.status == Quote.Status.EXPIRED or (
        quote.status == Quote.Status.SENT and quote.validity_date < timezone.localdate()
    ):
        return _("This quote expired on %(date)s: ask the company for a new one.") % {
            "date": quote.validity_date.strftime("%d/%m/%Y")
        }
    if quote.status != Quote.Status.SENT:
        return _("This quote cannot be accepted.")
    return ""


@transaction.atomic
def quote_accept_online(*, token: str, name: str, ip: str | None, certified: bool = False) -> Quote:
    """The client accepts through the signed link: name, date and IP are recorded.

    With a line at a reduced VAT rate the client must also tick the certification
    (french-rules §5.1: the mention signed by the client; online, the recorded name,
    date and IP are the signature). The quote row is locked, so two clicks (or two
    people) accept it once; the second gets a clear refusal. The contract is created
    as for an acceptance entered by a user, with no acting user; the audit entry has
    none either.
    """
    found = quote_for_token(token)
    locked = Quote.objects.select_for_update().select_related("company", "client").get(pk=found.pk)
    full_name = " ".join(name.split())
    if not full_name:
        raise DomainError(_("Give your full name."), field="name")
    if len(full_name) > 200:
        raise DomainError(_("A name has at most 200 characters."), field="name")
    refusal = acceptance_refusal(locked)
    if refusal:
        raise DomainError(refusal)
    reduced = documents.reduced_rates(locked)
    if reduced and not certified:
        raise DomainError(
            _("Certify the conditions of the reduced VAT rate to accept this quote."),
            field="certify",
        )
    address = clean_ip(ip)
    accepted = accept_locked(locked, name=full_name, ip=address, online=True)
    _contract_from(quote=accepted)
    audit_log(
        company=locked.company,
        user=None,
        action="quote_accept_online",
        obj=locked,
        data={
            "name": full_name,
            "ip": address,
            "reduced_vat_certified": bool(reduced),
        },
    )
    return accepted


def _contract_from(*, quote: Quote) -> Any:
    from chantier.contracts.services import contract_create_from_quote

    # No acting user: the client accepted through the link (the contracts service takes
    # the company from the quote then).
    return contract_create_from_quote(user=None, quote=quote)


def clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return None


def client_ip(meta: dict[str, Any]) -> str | None:
    """REMOTE_ADDR; behind a reverse proxy that sets X-Forwarded-For, the address that
    proxy saw (its last entry) when settings.QUOTES_TRUST_X_FORWARDED_FOR is True."""
    if getattr(settings, "QUOTES_TRUST_X_FORWARDED_FOR", False):
        forwarded = [p.strip() for p in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        forwarded = [p for p in forwarded if p]
        if forwarded and clean_ip(forwarded[-1]):
            return clean_ip(forwarded[-1])
    return clean_ip(str(meta.get("REMOTE_ADDR") or ""))
