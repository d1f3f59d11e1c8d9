"""The client's pages, reached through the signed link of the email, without logging in.

A tampered, unknown or outdated link shows a "link not valid" page (404) and changes
nothing. Responses are private, not indexed, and send no Referer (the token is the key).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from chantier.core.exceptions import DomainError
from chantier.core.web import add_service_error, posted
from chantier.quotes import documents, sending
from chantier.quotes.models import Quote


class AcceptForm(forms.Form):
    name = forms.CharField(label=_("Your full name"), max_length=200)
    agree = forms.BooleanField(
        label=_("I accept the quote as it stands: good for agreement (“bon pour accord”)."),
    )

    def __init__(self, *args: Any, reduced_vat: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reduced_vat:
            self.fields["certify"] = forms.BooleanField(
                label=_("I certify the conditions of the reduced VAT rate stated above.")
            )


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _invalid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "quotes/public/invalid.html", status=404))


def _summary(quote: Quote, token: str) -> dict[str, Any]:
    reduced = documents.reduced_rates(quote)
    return {
        "quote": quote,
        "seller": quote.company,
        "token": token,
        "document_label": documents.document_title(quote),
        "vat_lines": documents.vat_lines(quote),
        "down_payment": documents.down_payment(quote),
        "reduced_vat_mention": documents.reduced_vat_mention() if reduced else "",
        "reduced_rates": [documents.reduced_rate_scope(rate) for rate in reduced],
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The quote's summary, its PDF and the acceptance form (name, "bon pour accord")."""
    try:
        quote = sending.quote_for_token(token)
    except sending.InvalidLink:
        return _invalid(request)
    context = _summary(quote, token)
    refusal = sending.acceptance_refusal(quote)
    form = AcceptForm(posted(request), reduced_vat=bool(context["reduced_rates"]))
    status = 200
    if request.method == "POST":
        status = 409 if refusal else 400
        if not refusal and form.is_valid():
            try:
                sending.quote_accept_online(
                    token=token,
                    name=form.cleaned_data["name"],
                    ip=sending.client_ip(request.META),
                    certified=bool(form.cleaned_data.get("certify")),
                )
            except sending.InvalidLink:
                return _invalid(request)
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                return redirect("quotes:public_thanks", token=token)
    context.update(form=form, refusal=refusal)
    return _private(render(request, "quotes/public/accept.html", context, status=status))


@login_not_required
@never_cache
@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        quote = sending.quote_for_token(token)
    except sending.InvalidLink:
        return _invalid(request)
    if quote.status != Quote.Status.ACCEPTED:
        return redirect("quotes:public_accept", token=token)
    return _private(render(request, "quotes/public/thanks.html", _summary(quote, token)))


@login_not_required
@never_cache
@require_GET
def pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The PDF the client was sent (rendered again if that email is no longer stored)."""
    try:
        quote = sending.quote_for_token(token)
    except sending.InvalidLink:
        return _invalid(request)
    content = sending.sent_pdf(quote) or sending.render_pdf(quote)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(quote)}"'
    return _private(response)
