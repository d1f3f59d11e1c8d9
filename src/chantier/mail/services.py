"""Writes of the mail app: prepare a draft, queue it, deliver it, retry it.

A message goes queued → sending → sent, or back to queued with a later
`next_attempt_at` after a failed attempt, and to failed once
settings.MAIL_MAX_ATTEMPTS attempts have failed (at once when the receiving
server refuses for good, an SMTP 5xx answer). Delivery runs in the task
worker; it claims the message with a conditional UPDATE (queued → sending),
so two workers, or a duplicate task, never send the same message twice, and
records the outcome only while that claim still holds.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import smtplib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template import Context, engines
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chantier.core.access import company_of, require_writer
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines
from chantier.core.models import Company, User
from chantier.core.services import audit_log
from chantier.mail import registry
from chantier.mail.exceptions import AlreadyQueued
from chantier.mail.models import OutboxAttachment, OutboxMessage
from chantier.mail.registry import Attachment, MessageExtras, MessageTemplate
from chantier.mail.tasks import deliver_message
from chantier.parties.models import Client, Interaction
from chantier.parties.services import interaction_record

# Minutes to wait after the 1st, 2nd, 3rd, 4th and later failed attempts.
BACKOFF_MINUTES = (1, 5, 15, 60)
MAX_RECIPIENTS = 50
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
SUBJECT_MAX_LENGTH = 250
# A message left in "sending" this long had its worker die mid-way; a writer may retry it.
STUCK_AFTER = timedelta(minutes=30)

Status = OutboxMessage.Status


@dataclass
class Draft:
    """A message ready to be reviewed and edited on the compose page, then queued."""

    to: list[str]
    cc: list[str]
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    template_key: str = ""
    client: Client | None = None
    related_type: str = ""
    related_id: int | None = None
    related_label: str = ""
    # Set by the compose form, one per draft shown: posting it twice queues it once.
    submit_token: uuid.UUID | None = None


def default_cc(user: User, company: Company) -> list[str]:
    """The sender and the company get a copy of every message (issue: "in copy")."""
    return _dedupe([user.email, company.email])


def backoff(attempts: int) -> timedelta:
    """Delay before the next attempt after `attempts` failed ones."""
    return timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])


def message_prepare(
    *,
    user: User,
    template_key: str,
    client: Client | None = None,
    context: Mapping[str, Any] | None = None,
    attachments: Sequence[Attachment] = (),
    params: Mapping[str, str] | None = None,
) -> Draft:
    """Render a message template into an editable draft (nothing is stored).

    `params` (the compose page's query string) is handed to the template's
    `prepare` hook, which adds context, attachments and the related object.
    """
    company = company_of(user)
    template = registry.get(template_key)
    if template is None:
        raise DomainError(_("Unknown message template."), field="template")
    if client is not None and client.company_id != company.pk:
        raise DomainError(_("Unknown client."), field="client")
    extras = template.prepare(user, client, params or {}) if template.prepare else MessageExtras()
    subject, body = _render(
        template, {**_letter_context(user, client), **extras.context, **(context or {})}
    )
    return Draft(
        to=[client.email] if client is not None and client.email else [],
        cc=default_cc(user, company),
        subject=subject,
        body=body,
        attachments=[*extras.attachments, *attachments],
        template_key=template.key,
        client=client,
        related_type=extras.related_type,
        related_id=extras.related_id,
        related_label=extras.related_label,
    )


@transaction.atomic
def message_queue(*, user: User, draft: Draft) -> OutboxMessage:
    """Validate and store a message with its attachments; delivery is enqueued on commit.

    Refused, with the field named and nothing stored: no valid recipient, a
    malformed address in To or Cc, an empty subject, oversized attachments.
    A draft whose `submit_token` was queued before raises AlreadyQueued (a
    double-clicked Send button does not send the letter twice).
    """
    company = require_writer(user).company
    to, cc, subject = _checked_envelope(draft, company)
    message = _message_create(
        company,
        client=draft.client,
        created_by=user,
        from_email=_from_address(company),
        reply_to=_dedupe([user.email or company.email]),
        to=to,
        cc=cc,
        subject=subject,
        body=draft.body.replace("\r\n", "\n"),
        template_key=draft.template_key,
        related_type=draft.related_type,
        related_id=draft.related_id,
        related_label=draft.related_label[:200],
        submit_token=draft.submit_token,
    )
    for filename, content_type, content in draft.attachments:
        _attachment_store(message, filename, content_type, content)
    audit_log(
        company=company,
        user=user,
        action="message_queue",
        obj=message,
        data={"to": to, "template": draft.template_key},
    )
    _enqueue_on_commit(message.pk)
    return message


def message_deliver(message_id: int, *, connection: BaseEmailBackend | None = None) -> str:
    """Send one queued message; returns its new status.

    Idempotent: only a queued message whose next attempt is due is claimed
    (queued → sending in one conditional UPDATE); anything else is left
    alone, so a duplicate or stale task is harmless. The network call happens
    outside any transaction; the outcome is recorded in a second one, only if
    the claim still holds (see _record_success).

    `connection` replaces the default mailer (settings.MAILERS), e.g. the demo
    writes .eml files even where EMAIL_URL points at a real server.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, claimed_at=now)
    )
    if not claimed:
        current = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True)
        return current.first() or "missing"
    message = (
        OutboxMessage.objects.select_related("company", "client", "created_by")
        .prefetch_related("attachments")
        .get(pk=message_id)
    )
    try:
        sent = (connection or mailers.default).send_messages([_email_of(message)])
        if not sent:
            raise RuntimeError("the mailer accepted no message")
    except Exception as exc:  # any failure (network, SMTP refusal, storage) is recorded
        return _record_failure(message, exc, claimed_at=now)
    return _record_success(message, claimed_at=now)


@transaction.atomic
def message_retry(*, user: User, message: OutboxMessage) -> OutboxMessage:
    """Queue a failed message again (writers only); it gets one more attempt now.

    A message stuck in "sending" (its worker died) may be retried too, once
    STUCK_AFTER has passed; it may then reach the recipient twice.
    """
    company = require_writer(user).company
    locked = (
        OutboxMessage.objects.select_for_update().filter(pk=message.pk, company=company).first()
    )
    if locked is None:
        raise DomainError(_("Unknown email."))
    if not can_retry(locked):
        raise DomainError(_("Only a failed email can be sent again."), field="status")
    locked.status = Status.QUEUED
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "next_attempt_at"])
    audit_log(company=company, user=user, action="message_retry", obj=locked)
    _enqueue_on_commit(locked.pk)
    return locked


def can_retry(message: OutboxMessage) -> bool:
    if message.status == Status.FAILED:
        return True
    return (
        message.status == Status.SENDING
        and message.claimed_at is not None
        and message.claimed_at < timezone.now() - STUCK_AFTER
    )


# -- helpers ---------------------------------------------------------------


def message_id_header(message: OutboxMessage, domain: str) -> str:
    """Stable across attempts (a receiver can drop a duplicate), unique across installs."""
    salt = hashlib.sha256(f"{settings.SECRET_KEY}:{message.pk}".encode()).hexdigest()[:16]
    return f"<chantier.{message.pk}.{salt}@{domain}>"


def _enqueue_on_commit(message_id: int, run_after: Any = None) -> None:
    def enqueue() -> None:
        task = deliver_message.using(run_after=run_after) if run_after else deliver_message
        task.enqueue(message_id)

    transaction.on_commit(enqueue)


def _still_claimed(message: OutboxMessage, claimed_at: datetime) -> QuerySet[OutboxMessage]:
    """The message, if it is still in the state this delivery claimed it in.

    A message stuck in "sending" may have been retried and claimed again by
    another worker meanwhile (message_retry): the late outcome of the first
    attempt must then not overwrite the second one's.
    """
    return OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING, claimed_at=claimed_at)


def _current_status(message_id: int) -> str:
    current = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True)
    return current.first() or "missing"


@transaction.atomic
def _record_success(message: OutboxMessage, *, claimed_at: datetime) -> str:
    now = timezone.now()
    recorded = _still_claimed(message, claimed_at).update(
        status=Status.SENT,
        sent_at=now,
        attempts=message.attempts + 1,
        last_error="",
        next_attempt_at=None,
    )
    if not recorded:
        return _current_status(message.pk)
    if message.client is not None:
        interaction_record(
            user=message.created_by,
            client=message.client,
            kind=Interaction.Kind.EMAIL,
            subject=message.subject,
            detail=_interaction_detail(message),
            date=now,
            contract_id=registry.contract_of(message.related_type, message.related_id),
        )
    audit_log(company=message.company, user=None, action="message_sent", obj=message)
    return Status.SENT


@transaction.atomic
def _record_failure(message: OutboxMessage, exc: Exception, *, claimed_at: datetime) -> str:
    attempts = message.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    give_up = attempts >= settings.MAIL_MAX_ATTEMPTS or is_permanent(exc)
    status = Status.FAILED if give_up else Status.QUEUED
    next_attempt_at = None if give_up else timezone.now() + backoff(attempts)
    recorded = _still_claimed(message, claimed_at).update(
        status=status, attempts=attempts, last_error=error, next_attempt_at=next_attempt_at
    )
    if not recorded:
        return _current_status(message.pk)
    if give_up:
        audit_log(
            company=message.company,
            user=None,
            action="message_failed",
            obj=message,
            data={"attempts": attempts, "error": error[:200]},
        )
    else:
        _enqueue_on_commit(message.pk, run_after=next_attempt_at)
    return status


def is_permanent(exc: Exception) -> bool:
    """The receiving server refused the message for good (SMTP 5xx): retrying cannot help.

    An unknown mailbox, a refused sender or content; not an authentication failure,
    which is the mail settings' fault and is retried until they are fixed.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _email_of(message: OutboxMessage) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=message.to,
        cc=message.cc,
        reply_to=message.reply_to,
        headers={"Message-ID": message_id_header(message, domain)},
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type)
    return email


def _interaction_detail(message: OutboxMessage) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("To: %(addresses)s") % {"addresses": ", ".join(message.to)}]
        if message.cc:
            lines.append(_("Cc: %(addresses)s") % {"addresses": ", ".join(message.cc)})
        names = [a.filename for a in message.attachments.all()]
        if names:
            lines.append(_("Attachments: %(names)s") % {"names": ", ".join(names)})
    return "\n".join(lines) + "\n\n" + message.body


def _attachment_store(
    message: OutboxMessage, filename: str, content_type: str, content: bytes
) -> OutboxAttachment:
    name = _safe_filename(filename)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = OutboxAttachment(
        company_id=message.company_id,
        message=message,
        filename=name,
        content_type=content_type[:100],
        size=len(content),
    )
    extension = re.sub(r"[^a-z0-9.]", "", name.rpartition(".")[2].lower())[:10]
    stored = uuid.uuid4().hex + (f".{extension}" if "." in name and extension else "")
    attachment.file.save(stored, ContentFile(content), save=False)
    attachment.save()
    return attachment


def _safe_filename(filename: str) -> str:
    name = re.split(r"[\\/]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    return name[:200] or "piece-jointe"


def _clean_addresses(addresses: Iterable[str], *, field: str, required: bool = False) -> list[str]:
    cleaned = _dedupe(a.strip() for a in addresses)
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(
                _("“%(address)s” is not a valid email address.") % {"address": address},
                field=field,
            ) from None
    if required and not cleaned:
        raise DomainError(_("Give at least one recipient address."), field=field)
    if len(cleaned) > MAX_RECIPIENTS:
        raise DomainError(
            _("At most %(n)d addresses.") % {"n": MAX_RECIPIENTS},
            field=field,
        )
    return cleaned


def _dedupe(addresses: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def _checked_envelope(draft: Draft, company: Company) -> tuple[list[str], list[str], str]:
    """The draft's To, Cc and subject, cleaned; DomainError naming the field otherwise."""
    to = _clean_addresses(draft.to, field="to", required=True)
    cc = _clean_addresses(draft.cc, field="cc")
    subject = " ".join(draft.subject.split())  # no line break may reach a header
    if not subject:
        raise DomainError(_("The subject is empty."), field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise DomainError(
            _("The subject is longer than %(n)d characters.") % {"n": SUBJECT_MAX_LENGTH},
            field="subject",
        )
    if draft.client is not None and draft.client.company_id != company.pk:
        raise DomainError(_("Unknown client."), field="client")
    if sum(len(content) for _n, _t, content in draft.attachments) > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The attachments are larger than 20 MB."), field="attachments")
    return to, cc, subject


def _message_create(company: Company, **fields: Any) -> OutboxMessage:
    """Store a queued message; AlreadyQueued if its submit token was queued before.

    The unique constraint (company, submit_token) decides when two posts of the
    same draft race each other; the lookup first spares the usual case an error.
    """
    token = fields.get("submit_token")
    existing = _queued_with(company, token) if token else None
    if existing is not None:
        raise AlreadyQueued(existing)
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                company=company, status=Status.QUEUED, next_attempt_at=timezone.now(), **fields
            )
    except IntegrityError:
        existing = _queued_with(company, token) if token else None
        if existing is None:
            raise
        raise AlreadyQueued(existing) from None


def _queued_with(company: Company, token: uuid.UUID) -> OutboxMessage | None:
    return OutboxMessage.objects.filter(company=company, submit_token=token).first()


def _letter_context(user: User, client: Client | None) -> dict[str, Any]:
    """What every message template may use: the company, its address, the client, the sender."""
    company = company_of(user)
    return {
        "company": company,
        "company_address": address_lines(company),
        "client": client,
        "user": user,
        "sender_name": user.get_full_name() or user.get_username(),
    }


def _render(template: MessageTemplate, values: Mapping[str, Any]) -> tuple[str, str]:
    """Subject on one line and body ending with one line break, as plain text, in French."""
    engine = engines["django"].engine  # type: ignore[attr-defined]  # DjangoTemplates backend
    with translation.override(settings.LANGUAGE_CODE):
        subject = engine.get_template(template.subject_template).render(
            Context(values, autoescape=False)
        )
        body = engine.get_template(template.body_template).render(Context(values, autoescape=False))
    return " ".join(subject.split()), body.strip() + "\n"


def _from_address(company: Company) -> str:
    """The application's address, shown under the company's name (replies go to Reply-To)."""
    name = " ".join(company.name.split())  # no line break in a header
    return str(Address(display_name=name, addr_spec=settings.DEFAULT_FROM_EMAIL))
