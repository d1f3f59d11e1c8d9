"""The progress statement grid (seed 001 "saisie de l'avancement"): one row per line of
the billing base, progress typed in any of four modes, live totals while typing (htmx
posts the grid to `statement_preview`, which runs the engine without saving)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chantier.billing import engine, fetch, selectors, services
from chantier.billing.forms import DEDUCTION_ROWS, MODES, french_decimal
from chantier.billing.models import STATEMENT_KINDS, Invoice, InvoiceLine, Kind
from chantier.billing.views import TAB, detail_url
from chantier.contracts.models import Contract
from chantier.contracts.selectors import get_contract_for_user
from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError, StaleEdit

ZERO = Decimal("0.00")


@dataclass
class GridRow:
    line: engine.BaseLine
    previous: engine.LinePrevious | None
    mode: str
    value: str
    stored: InvoiceLine | None


@dataclass
class Parsed:
    period_date: dt.date | None
    entries: list[dict[str, Any]]
    global_percent: Decimal | None
    index_values: dict[str, Decimal]
    manual_deduction: Decimal | None
    deductions: list[dict[str, Any]]
    penalty_days: int | None
    errors: dict[str, str]


def _parse(data: QueryDict, base: tuple[engine.BaseLine, ...], indices: list[str]) -> Parsed:
    errors: dict[str, str] = {}

    def number(name: str, what: str = "") -> Decimal | None:
        try:
            return french_decimal(data.get(name, ""))
        except ValueError:
            message = _("“%(value)s” is not a number.") % {"value": data.get(name, "")[:30]}
            errors[name] = f"{what} : {message}" if what else message
            return None

    entries = []
    valid_modes = {mode for mode, _label in MODES}
    for line in base:
        value = number(f"v_{line.line_id}", line.description.splitlines()[0][:60])
        if value is None:
            continue
        mode = data.get(f"m_{line.line_id}", "cumulative_percent")
        if mode not in valid_modes:
            mode = "cumulative_percent"
        entries.append({"line_id": line.line_id, "mode": mode, "value": value})
    period_date = None
    try:
        period_date = dt.date.fromisoformat(data.get("date", ""))
    except ValueError:
        errors["date"] = _("Enter the statement's date.")
    index_values = {}
    for name in indices:
        value = number(f"index_{name}")
        if value is not None:
            index_values[name] = value
    deductions = []
    for i in range(DEDUCTION_ROWS):
        label = data.get(f"deduction_label_{i}", "").strip()[:200]
        amount = number(f"deduction_amount_{i}")
        if amount is not None and not label:
            errors[f"deduction_label_{i}"] = _("Name the deduction.")
        elif label and amount is None and f"deduction_amount_{i}" not in errors:
            errors[f"deduction_amount_{i}"] = _("Enter the deduction's amount.")
        elif label and amount is not None:
            kind = data.get(f"deduction_kind_{i}", "other")
            kind = kind if kind in ("penalty", "prorata_account", "other") else "other"
            deductions.append({"label": label, "amount": amount, "kind": kind})
    penalty_days = None
    days_text = data.get("penalty_days", "").strip()
    if days_text:
        if days_text.isdigit() and 0 < int(days_text) <= 3650:
            penalty_days = int(days_text)
        else:
            errors["penalty_days"] = _("Days late: a whole number from 1 to 3650.")
    global_percent = number("global_percent", _("Global progress"))
    if global_percent is not None and not 0 <= global_percent <= 100:
        errors["global_percent"] = _("The global progress is a percentage from 0 to 100.")
    return Parsed(
        penalty_days=penalty_days,
        period_date=period_date,
        entries=entries,
        global_percent=global_percent,
        index_values=index_values,
        manual_deduction=number("manual_deduction"),
        deductions=deductions,
        errors=errors,
    )


def _rows(
    contract: Contract, base: tuple[engine.BaseLine, ...], invoice: Invoice | None
) -> list[GridRow]:
    previous = {line.line_id: line for line in fetch.history(contract).lines}
    entries: dict[int, dict[str, Any]] = {}
    stored: dict[int, InvoiceLine] = {}
    if invoice is not None:
        entries = {int(e["line_id"]): e for e in invoice.inputs.get("entries", [])}
        stored = {
            line.contract_line_id: line
            for line in InvoiceLine.objects.filter(invoice=invoice, kind="work")
            if line.contract_line_id
        }
    rows = []
    for line in base:
        entry = entries.get(line.line_id, {})
        rows.append(
            GridRow(
                line=line,
                previous=previous.get(line.line_id),
                mode=entry.get("mode", "cumulative_percent"),
                value=str(entry.get("value", "")).replace(".", ","),
                stored=stored.get(line.line_id),
            )
        )
    return rows


def _sections(rows: list[GridRow]) -> list[tuple[str, list[GridRow]]]:
    sections: list[tuple[str, list[GridRow]]] = []
    for row in rows:
        if not sections or sections[-1][0] != row.line.section:
            sections.append((row.line.section, []))
        sections[-1][1].append(row)
    return sections


@writer_required
@require_http_methods(["GET", "POST"])
def statement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """New statement (`?kind=progress|final|supplementary`) or the contract's draft."""
    user = acting_user(request)
    contract = get_contract_for_user(user, pk)
    invoice = selectors.draft_statement(contract)
    kind = invoice.kind if invoice else request.GET.get("kind", Kind.PROGRESS)
    if kind not in STATEMENT_KINDS:
        kind = Kind.PROGRESS
    base = fetch.base_lines(contract)
    indices = [index.name for index in fetch.contract_settings(contract).indices]
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = _parse(request.POST, base, indices)
        errors = parsed.errors
        if not errors and parsed.period_date is not None:
            try:
                saved = services.statement_save(
                    user=user,
                    contract=contract,
                    kind=kind,
                    period_date=parsed.period_date,
                    entries=parsed.entries,
                    global_percent=parsed.global_percent,
                    index_values=parsed.index_values,
                    manual_deduction=parsed.manual_deduction,
                    deductions=parsed.deductions,
                    penalty_days=parsed.penalty_days,
                    invoice=invoice,
                    lock_version=_version(request.POST.get("lock_version")),
                )
            except StaleEdit as exc:
                errors["__all__"] = exc.message
            except DomainError as exc:
                errors[exc.field or "__all__"] = exc.message
            else:
                messages.success(request, _("The statement is saved as a draft."))
                return redirect(detail_url(saved))
    rows = _rows(contract, base, invoice)
    if request.method == "POST":  # show what was typed, not what was stored
        for row in rows:
            row.mode = request.POST.get(f"m_{row.line.line_id}", row.mode)
            row.value = request.POST.get(f"v_{row.line.line_id}", "")
    data: Any = request.POST if request.method == "POST" else _initial(invoice)
    context = {
        "contract": contract,
        "tab": TAB,
        "invoice": invoice,
        "kind": kind,
        "kind_label": dict(Kind.choices)[kind],
        "sections": _sections(rows),
        "modes": MODES,
        "indices": indices,
        "errors": errors,
        "error_messages": list(dict.fromkeys(errors.values())),
        "line_errors": {
            key.split(".", 1)[1]: message
            for key, message in errors.items()
            if key.startswith("progress.")
        },
        "data": data,
        "index_rows": [(name, data.get(f"index_{name}", "")) for name in indices],
        "deduction_rows": [
            (
                str(i),
                data.get(f"deduction_label_{i}", ""),
                data.get(f"deduction_kind_{i}", "other"),
                data.get(f"deduction_amount_{i}", ""),
            )
            for i in range(DEDUCTION_ROWS)
        ],
        "manual": contract.down_payment_deduction == Contract.DownPaymentDeduction.MANUAL,
    }
    return render(request, "billing/statement_form.html", context, status=422 if errors else 200)


def _initial(invoice: Invoice | None) -> dict[str, Any]:
    if invoice is None:
        return {"date": services.today().isoformat()}
    inputs = invoice.inputs
    data: dict[str, Any] = {
        "date": invoice.period_date.isoformat(),
        "global_percent": (inputs.get("global_percent") or "").replace(".", ","),
        "penalty_days": inputs.get("penalty_days") or "",
        "manual_deduction": (inputs.get("manual_deduction") or "").replace(".", ","),
        "lock_version": invoice.lock_version,
    }
    for name, value in (inputs.get("index_values") or {}).items():
        data[f"index_{name}"] = str(value).replace(".", ",")
    for i, deduction in enumerate(inputs.get("deductions", [])[:DEDUCTION_ROWS]):
        data[f"deduction_label_{i}"] = deduction["label"]
        data[f"deduction_amount_{i}"] = str(deduction["amount"]).replace(".", ",")
        data[f"deduction_kind_{i}"] = deduction.get("kind", "other")
    return data


def _version(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@writer_required
@require_POST
def statement_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The totals of the grid as typed (htmx), computed by the engine, nothing saved."""
    contract = get_contract_for_user(acting_user(request), pk)
    invoice = selectors.draft_statement(contract)
    kind = invoice.kind if invoice else request.POST.get("kind", Kind.PROGRESS)
    if kind not in STATEMENT_KINDS:
        kind = Kind.PROGRESS
    base = fetch.base_lines(contract)
    indices = [index.name for index in fetch.contract_settings(contract).indices]
    parsed = _parse(request.POST, base, indices)
    context: dict[str, Any] = {"errors": parsed.errors}
    if not parsed.errors and parsed.period_date is not None:
        transient = Invoice(
            company_id=contract.company_id,
            contract=contract,
            kind=kind,
            period_date=parsed.period_date,
            inputs=services.statement_inputs(
                entries=parsed.entries,
                global_percent=parsed.global_percent,
                index_values=parsed.index_values,
                manual_deduction=parsed.manual_deduction,
                deductions=parsed.deductions,
                penalty_days=parsed.penalty_days,
            ),
        )
        try:
            context["draft"] = services.compute(transient).draft
        except DomainError as exc:
            context["errors"] = {exc.field or "__all__": exc.message}
    return render(request, "billing/_statement_totals.html", context)
