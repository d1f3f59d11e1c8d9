"""The service order PDF (document kind "service_order"): the order as notified, with its
dates, the observation deadline (notification + 15 days, french-rules §10), its impacts,
"not binding" when it changes delay or amount without the owner's validation, and its
priced lines. Every amount printed is a stored one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.contracts.models import ServiceOrder, ServiceOrderLine
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines
from chantier.core.models import Company
from chantier.documents.registry import DocumentKind, Params, register

KEY = "service_order"
FIXED_ROWS = 25


def clean_params(params: Params) -> dict[str, Any]:
    try:
        pk = int(str(params.get("service_order")))
    except (TypeError, ValueError):
        raise DomainError(_("Unknown service order."), field="service_order") from None
    if pk < 1:
        raise DomainError(_("Unknown service order."), field="service_order")
    return {"service_order": pk}


def get_order(company: Company, params: Params) -> ServiceOrder:
    pk = clean_params(params)["service_order"]
    order = (
        ServiceOrder.objects.select_related("contract", "contract__client", "change_order")
        .filter(company=company, pk=pk)
        .first()
    )
    if order is None:
        raise DomainError(_("Unknown service order."), field="service_order")
    return order


def document_title(order: ServiceOrder) -> str:
    return str(order)


def title(company: Company, params: Params) -> str:
    order = get_order(company, params)
    return f"{document_title(order)} – {order.title}"


def estimate_rows(company: Company, params: Params) -> int:
    pk = clean_params(params)["service_order"]
    return (
        ServiceOrderLine.objects.filter(company=company, service_order_id=pk).count() + FIXED_ROWS
    )


def build_context(company: Company, params: Params) -> dict[str, Any]:
    order = get_order(company, params)
    contract = order.contract
    lines = list(
        ServiceOrderLine.objects.filter(service_order=order)
        .select_related("amends")
        .order_by("position", "pk")
    )
    return {
        "order": order,
        "contract": contract,
        "client_lines": address_lines(contract.client),
        "site_lines": address_lines(contract),
        "lines": lines,
        "quotes": list(order.quotes.order_by("-date", "-pk")),
    }


def filename(order: ServiceOrder) -> str:
    """'os-3-DEV2026-7.pdf', 'os-brouillon-41.pdf'."""
    if order.number is None:
        return f"os-brouillon-{order.pk}.pdf"
    reference = order.contract.reference or str(order.contract_id)
    return f"os-{order.number}-{reference}.pdf".replace("/", "-").replace(" ", "-")


SERVICE_ORDER = DocumentKind(
    key=KEY,
    label=gettext_lazy("Service order"),
    template_name="contracts/service_order_pdf.html",
    build_context=build_context,
    estimate_rows=estimate_rows,
    title=title,
    clean_params=clean_params,
)


def register_kind() -> None:
    register(SERVICE_ORDER)
