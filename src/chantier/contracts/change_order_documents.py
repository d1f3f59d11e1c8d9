"""The change order PDF (document kind "change_order"): priced, for the client's approval.

Letterhead (documents/base_document.html), the contract's reference, the client (and the
intervention address when it is not the client's), the lines — a change of a contract
line shows its quantity or price before and after —, totals excl. VAT, VAT per rate
(the sum of the nets at a rate × that rate, rounded once) and incl. VAT, and a "Bon pour
accord" signature block. Amounts are the stored line nets; only the VAT is computed here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.contracts import change_order_selectors as selectors
from chantier.contracts.models import ChangeOrder, ChangeOrderLine
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines
from chantier.core.models import Company
from chantier.documents.registry import DocumentKind, Params, register
from chantier.quotes.documents import same_address

KEY = "change_order"
FIXED_ROWS = 30


def clean_params(params: Params) -> dict[str, Any]:
    """{"change_order": pk} and, from the page, the version the PDF shows."""
    clean: dict[str, Any] = {}
    for name in ("change_order", "lock_version"):
        value = params.get(name)
        if value is None and name == "lock_version":
            continue
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            raise DomainError(_("Unknown change order."), field="change_order") from None
        if number < 1:
            raise DomainError(_("Unknown change order."), field="change_order")
        clean[name] = number
    return clean


def get_change_order(company: Company, params: Params) -> ChangeOrder:
    pk = clean_params({"change_order": params.get("change_order")})["change_order"]
    change_order = (
        ChangeOrder.objects.select_related("contract", "contract__client", "company")
        .filter(company=company, pk=pk)
        .first()
    )
    if change_order is None:
        raise DomainError(_("Unknown change order."), field="change_order")
    return change_order


def document_title(change_order: ChangeOrder) -> str:
    """'Avenant n°2 – Contrat DEV2026-7'."""
    contract = change_order.contract
    return _("Change order no. %(number)s – Contract %(contract)s") % {
        "number": change_order.number,
        "contract": contract.reference or contract.title,
    }


def title(company: Company, params: Params) -> str:
    change_order = get_change_order(company, params)
    return f"{document_title(change_order)} – {change_order.title}"


def estimate_rows(company: Company, params: Params) -> int:
    pk = clean_params({"change_order": params.get("change_order")})["change_order"]
    return ChangeOrderLine.objects.filter(company=company, change_order_id=pk).count() + FIXED_ROWS


def totals(change_order: ChangeOrder, lines: list[ChangeOrderLine]) -> dict[str, Any]:
    vat = selectors.vat_breakdown(lines)
    vat_total = sum((entry["amount"] for entry in vat), Decimal("0.00"))
    net = sum((line.net for line in lines), Decimal("0.00"))
    return {"net": net, "vat_lines": vat, "gross": net + vat_total}


def build_context(company: Company, params: Params) -> dict[str, Any]:
    change_order = get_change_order(company, params)
    contract = change_order.contract
    client = contract.client
    printed = selectors.lines_of(change_order)
    show_site = bool(address_lines(contract)) and not same_address(contract, client)
    return {
        "change_order": change_order,
        "contract": contract,
        "client": client,
        "client_lines": address_lines(client),
        "site_lines": address_lines(contract) if show_site else [],
        "lines": printed,
        "document_title": document_title(change_order),
        **totals(change_order, [p.line for p in printed]),
    }


def filename(change_order: ChangeOrder) -> str:
    """'avenant-2-DEV2026-7.pdf'."""
    contract = change_order.contract
    reference = contract.reference or str(contract.pk)
    return f"avenant-{change_order.number}-{reference}.pdf".replace("/", "-").replace(" ", "-")


CHANGE_ORDER = DocumentKind(
    key=KEY,
    label=gettext_lazy("Change order"),
    template_name="contracts/pdf/change_order.html",
    build_context=build_context,
    estimate_rows=estimate_rows,
    title=title,
    clean_params=clean_params,
    rows_per_page=40,
)


def register_kind() -> None:
    register(CHANGE_ORDER)
