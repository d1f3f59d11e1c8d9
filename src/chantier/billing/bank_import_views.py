"""Bank statement import pages: upload the CSV, then confirm the proposed matches (issue
6). Thin: read the file, call the services, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from chantier.billing import bank_import as statements
from chantier.billing import bank_import_services as services
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.models import Company
from chantier.core.web import company_of_request

UPLOAD_TEMPLATE = "billing/bank_import.html"
CONFIRM_TEMPLATE = "billing/bank_import_confirm.html"


class StatementForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bank statement (CSV)"))


@writer_required
@require_http_methods(["GET", "POST"])
def bank_import(request: HttpRequest) -> HttpResponse:
    """Upload a statement; the answer is the confirmation screen (nothing recorded yet)."""
    company = company_of_request(request)
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > statements.MAX_BYTES:  # refused before it is read
                raise statements.StatementRefused(
                    _("The file is too large (%(most)s MB at most).")
                    % {"most": statements.MAX_BYTES // 1024**2}
                )
            statement = statements.parse_statement(upload.read())
            parsed = services.parsed_of(statement)
            screen = services.screen_for(company, parsed)
        except statements.StatementRefused as refusal:
            form.add_error("file", refusal.message)
        else:
            return _confirm_page(request, company, screen)
    status = 422 if form.is_bound else 200
    return render(request, UPLOAD_TEMPLATE, {"form": form}, status=status)


def _confirm_page(
    request: HttpRequest,
    company: Company,
    screen: services.Screen,
    *,
    error: str = "",
    excess_as_credit: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "screen": screen,
        "token": services.token_of(company, screen.parsed),
        "error": error,
        "excess_as_credit": excess_as_credit,
    }
    return render(request, CONFIRM_TEMPLATE, context, status=status)


@writer_required
@require_POST
def bank_import_confirm(request: HttpRequest) -> HttpResponse:
    """Record the ticked lines, each on the invoice or client chosen, all or nothing."""
    user = acting_user(request)
    company = company_of_request(request)
    try:
        parsed = services.parsed_of_token(company, request.POST.get("token", ""))
    except services.TokenRefused as refusal:
        context = {"form": StatementForm(), "error": refusal.message}
        return render(request, UPLOAD_TEMPLATE, context, status=400)
    targets = {
        line.line: request.POST.get(f"target-{line.line}", "").strip() for line in parsed.lines
    }
    posted_lines = set(request.POST.getlist("line"))
    ticked = {line.line for line in parsed.lines if str(line.line) in posted_lines}
    excess_as_credit = request.POST.get("excess_as_credit") == "1"
    recorded = services.recorded_keys(company, [line.key for line in parsed.lines])
    pending = [line for line in parsed.lines if line.key not in recorded]
    chosen = [line for line in pending if line.line in ticked]
    error = ""
    picks: dict[int, tuple[str, int]] = {}
    for line in chosen:
        pick = services.parse_target(targets[line.line])
        if pick is None:
            error = services.LineRefused(
                line, _("choose an invoice or a client, or untick the line.")
            ).message
            break
        picks[line.line] = pick
    if not error:
        invoices, clients = services.targets_for_user(
            user,
            [pk for kind, pk in picks.values() if kind == services.INVOICE],
            [pk for kind, pk in picks.values() if kind == services.CLIENT],
        )
        choices = [
            services.Choice(
                line=line,
                invoice=invoices.get(picks[line.line][1])
                if picks[line.line][0] == services.INVOICE
                else None,
                client=clients.get(picks[line.line][1])
                if picks[line.line][0] == services.CLIENT
                else None,
            )
            for line in chosen
        ]
        try:
            services.bank_lines_record(
                user=user, choices=choices, excess_as_credit=excess_as_credit
            )
        except DomainError as refusal:
            error = refusal.message
        except IntegrityError:  # the same line recorded by a concurrent import
            error = _("A line was recorded meanwhile by another import: upload the file again.")
    if error:
        try:
            screen = services.screen_for(company, parsed, targets=targets, ticked=ticked)
        except statements.StatementRefused as refusal:  # payments deleted meanwhile
            context = {"form": StatementForm(), "error": refusal.message}
            return render(request, UPLOAD_TEMPLATE, context, status=422)
        return _confirm_page(
            request,
            company,
            screen,
            error=error,
            excess_as_credit=excess_as_credit,
            status=422,
        )
    ignored = len(pending) - len(chosen)
    messages.success(
        request,
        _("%(recorded)s, %(ignored)s.")
        % {
            "recorded": ngettext(
                "%(count)s payment recorded", "%(count)s payments recorded", len(chosen)
            )
            % {"count": len(chosen)},
            "ignored": ngettext("%(count)s line ignored", "%(count)s lines ignored", ignored)
            % {"count": ignored},
        },
    )
    return redirect("billing:bank_import")
