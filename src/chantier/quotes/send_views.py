"""Pages: send a quote by email (compose, then `sending.quote_send`), print its PDF."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.models import User
from chantier.core.web import add_service_error, company_of_request, posted
from chantier.documents import selectors as document_selectors
from chantier.documents import services as document_services
from chantier.documents.models import RenderJob
from chantier.mail import selectors as mail_selectors
from chantier.mail.forms import ComposeForm
from chantier.quotes import documents, sending
from chantier.quotes.models import Quote


def get_quote_for_user(user: User, pk: object) -> Quote:
    return get_for_company(Quote.objects.select_related("client", "site", "company"), user, pk)


def quote_url(quote: Quote) -> str:
    return reverse("quotes:detail", args=[quote.pk])


@writer_required
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    """The email to the client, prefilled from the "quote" template, then sent.

    A quote up to documents' inline size is sent now (PDF rendered in the request);
    a longer one is sent by the worker and this page shows that it is on its way.
    """
    user = acting_user(request)
    quote = get_quote_for_user(user, pk)
    draft = sending.prepare_email(user, quote, base_url=request.build_absolute_uri("/"))
    form = ComposeForm(posted(request), draft=draft)
    resend = quote.status == Quote.Status.SENT and not quote.superseded
    refusal = _refusal(quote, resend=resend)
    if request.method == "POST":
        already = _message_of_submit(user, quote, request.POST.get("submit_token"))
        if already is not None:  # the same page posted twice: sent once
            messages.info(request, _("This quote was already sent with this email."))
            return redirect("mail:message_detail", pk=already)
    if request.method == "POST" and not refusal and form.is_valid():
        edited = form.edited_draft()
        lock_version = _posted_version(request.POST.get("lock_version"))
        try:
            if resend:
                message = sending.quote_resend(
                    user=user, quote=quote, draft=edited, lock_version=lock_version
                )
            elif sending.sends_inline(quote):
                message = sending.quote_send(
                    user=user, quote=quote, draft=edited, lock_version=lock_version
                )
            else:
                sending.quote_send_enqueue(
                    user=user, quote=quote, draft=edited, lock_version=lock_version
                )
                message = None
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            if message is None:
                messages.success(
                    request,
                    _(
                        "The quote is long: its PDF is being prepared and the email will be "
                        "queued in a minute or two."
                    ),
                )
                return redirect("quotes:send", pk=quote.pk)
            messages.success(
                request,
                _("Quote %(number)s is sent: the email to %(to)s is queued.")
                % {"number": quote.display_number, "to": message.recipients_display},
            )
            return redirect(quote_url(quote))
    status = 400 if form.is_bound else 200
    context = {**_context(quote, form, refusal), "resend": resend}
    return render(request, "quotes/send/send.html", context, status=status)


def _posted_version(value: str | None) -> int | None:
    """The version the page was loaded at; unreadable counts as stale (refused)."""
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return 0


def _refusal(quote: Quote, *, resend: bool) -> str:
    if sending.send_pending(quote):
        return _("This quote is being sent: its PDF is being prepared in the background.")
    try:
        if resend:
            sending.check_resendable(quote)
        else:
            sending.check_sendable(quote)
    except DomainError as exc:
        return exc.message
    return ""


def _message_of_submit(user: User, quote: Quote, posted_token: Any) -> int | None:
    try:
        token = uuid.UUID(str(posted_token))
    except ValueError:
        return None
    found = mail_selectors.messages_about(user, sending.RELATED_TYPE, quote.pk).filter(
        submit_token=token
    )
    return found.values_list("pk", flat=True).first()


def _context(quote: Quote, form: ComposeForm, refusal: str) -> dict[str, Any]:
    return {
        "quote": quote,
        "form": form,
        "refusal": refusal,
        "failure": sending.last_send_failure(quote),
        "number_mark": sending.NUMBER_MARK,
        "pdf_name": documents.filename(quote) if quote.number else "devis-[numéro].pdf",
        "in_worker": quote.status == Quote.Status.DRAFT and not sending.sends_inline(quote),
        "quote_url": quote_url(quote),
    }


@require_http_methods(["GET", "POST"])
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or reuse) the render of the quote as it is now, then follow it on the job page.

    Any member may print (printing reads). A render of the same content (same quote
    version and lock version, same language) that is waiting, running or done is
    reused instead of laying the quote out again.
    """
    user = acting_user(request)
    quote = get_quote_for_user(user, pk)
    params = {"quote": quote.pk, "lock_version": quote.lock_version}
    existing = _reusable_job(request, params)
    if existing is not None:
        return redirect("documents:job_detail", pk=existing.pk)
    try:
        job = document_services.render_job_start(user=user, kind=documents.KEY, params=params)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(quote_url(quote))
    return redirect("documents:job_detail", pk=job.pk)


def _reusable_job(request: HttpRequest, params: dict[str, int]) -> RenderJob | None:
    from django.utils import translation

    candidates = document_selectors.render_jobs(company_of_request(request)).filter(
        kind=documents.KEY,
        params__quote=params["quote"],
        params__lock_version=params["lock_version"],
        language=translation.get_language() or "fr",
        status__in=[RenderJob.Status.QUEUED, RenderJob.Status.RUNNING, RenderJob.Status.DONE],
    )
    for job in candidates[:3]:
        if job.status != RenderJob.Status.DONE or job.is_downloadable:
            return job
    return None
