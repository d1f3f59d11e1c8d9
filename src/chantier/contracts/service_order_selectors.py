"""Reads of service orders: a contract's list and one order in full, company-scoped, in a
fixed number of queries whatever the number of orders, lines or attachments."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, QuerySet
from django.http import Http404

from chantier.contracts.models import (
    Contract,
    ServiceOrder,
    ServiceOrderAttachment,
    ServiceOrderLine,
)
from chantier.core.access import get_for_company
from chantier.core.models import User
from chantier.quotes.models import Quote


def service_order_list(contract: Contract, status: str = "") -> QuerySet[ServiceOrder]:
    """The contract's orders by number (drafts, without one, last), one query a page."""
    queryset = ServiceOrder.objects.filter(
        company_id=contract.company_id, contract=contract
    ).select_related("change_order")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by(F("number").asc(nulls_last=True), "pk")


def company_service_orders(company_id: int, status: str = "") -> QuerySet[ServiceOrder]:
    """Every service order of the company, newest first (the API's company-wide list)."""
    queryset = ServiceOrder.objects.filter(company_id=company_id).select_related("change_order")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-pk")


def get_service_order_for_user(user: User, pk: object) -> ServiceOrder:
    """The order with its contract, client and change order; 404 for missing and foreign."""
    queryset = ServiceOrder.objects.select_related(
        "contract", "contract__client", "change_order", "company", "created_by"
    )
    return get_for_company(queryset, user, pk)


def get_line_for_order(order: ServiceOrder, pk: object) -> ServiceOrderLine:
    try:
        return ServiceOrderLine.objects.get(
            service_order=order, company_id=order.company_id, pk=int(str(pk))
        )
    except (ValueError, ServiceOrderLine.DoesNotExist):
        raise Http404("not found") from None


def get_attachment_for_user(user: User, pk: object) -> ServiceOrderAttachment:
    queryset = ServiceOrderAttachment.objects.select_related(
        "service_order", "service_order__contract"
    )
    return get_for_company(queryset, user, pk)


@dataclass
class ServiceOrderDetail:
    order: ServiceOrder
    lines: list[ServiceOrderLine]
    attachments: list[ServiceOrderAttachment]
    quotes: list[Quote]

    @property
    def lines_net(self) -> Decimal:
        return sum((line.net for line in self.lines), Decimal("0.00"))


def service_order_detail(order: ServiceOrder) -> ServiceOrderDetail:
    """Lines (with the section and the contract line they change), attachments, quotes."""
    lines = list(
        ServiceOrderLine.objects.filter(service_order=order, company_id=order.company_id)
        .select_related("section", "amends")
        .order_by("position", "pk")
    )
    attachments = list(
        ServiceOrderAttachment.objects.filter(
            service_order=order, company_id=order.company_id
        ).select_related("uploaded_by")
    )
    quotes = list(order.quotes.filter(company_id=order.company_id).order_by("-date", "-pk"))
    return ServiceOrderDetail(order, lines, attachments, quotes)
