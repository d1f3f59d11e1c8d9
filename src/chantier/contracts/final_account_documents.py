"""Two PDFs of a contract: the projet de décompte final and the products used list.

- "contract_final_statement": the final statement the contractor sends to the MOE and the
  MOA within 30 days of the handover (french-rules §8.1 step 1): the total at initial
  prices, every line with its contract quantity and amount and what the last issued
  statement billed of it, the approved change orders, totals excl. VAT, VAT per rate and
  incl. VAT;
- "contract_products": per section, the catalogue supplies used with their category and
  subcategory, supplier, supplier's reference and a link to their data sheet (seed 002,
  "Liste des produits utilisés", for the DOE).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chantier.contracts import final_account_selectors as selectors
from chantier.contracts.models import Contract, ContractLine, ContractSection
from chantier.core.exceptions import DomainError
from chantier.core.formatting import address_lines
from chantier.core.models import Company
from chantier.documents.registry import DocumentKind, Params, register
from chantier.quotes.documents import same_address

FINAL_STATEMENT_KEY = "contract_final_statement"
PRODUCTS_KEY = "contract_products"
FIXED_ROWS = 30


def clean_params(params: Params) -> dict[str, Any]:
    """{"contract": pk}."""
    try:
        pk = int(str(params.get("contract")))
    except (TypeError, ValueError):
        raise DomainError(_("Unknown contract."), field="contract") from None
    if pk < 1:
        raise DomainError(_("Unknown contract."), field="contract")
    return {"contract": pk}


def get_contract(company: Company, params: Params) -> Contract:
    pk = clean_params(params)["contract"]
    contract = (
        Contract.objects.select_related("client", "company").filter(company=company, pk=pk).first()
    )
    if contract is None:
        raise DomainError(_("Unknown contract."), field="contract")
    return contract


def _reference(contract: Contract) -> str:
    return contract.reference or contract.title


def final_statement_title(contract: Contract) -> str:
    """'Projet de décompte final – Contrat DEV2026-7'."""
    return _("Final statement – Contract %(contract)s") % {"contract": _reference(contract)}


def products_title(contract: Contract) -> str:
    """'Liste des produits utilisés – Contrat DEV2026-7'."""
    return _("Products used – Contract %(contract)s") % {"contract": _reference(contract)}


def _filename(prefix: str, contract: Contract) -> str:
    reference = contract.reference or str(contract.pk)
    return f"{prefix}-{reference}.pdf".replace("/", "-").replace(" ", "-")


def final_statement_filename(contract: Contract) -> str:
    """'decompte-final-DEV2026-7.pdf'."""
    return _filename("decompte-final", contract)


def products_filename(contract: Contract) -> str:
    """'produits-DEV2026-7.pdf'."""
    return _filename("produits", contract)


def _parties(contract: Contract) -> dict[str, Any]:
    client = contract.client
    show_site = bool(address_lines(contract)) and not same_address(contract, client)
    return {
        "contract": contract,
        "client": client,
        "client_lines": address_lines(client),
        "site_lines": address_lines(contract) if show_site else [],
    }


def final_statement_context(company: Company, params: Params) -> dict[str, Any]:
    contract = get_contract(company, params)
    return {
        **_parties(contract),
        "statement": selectors.final_statement(contract),
        "document_title": final_statement_title(contract),
    }


def final_statement_rows(company: Company, params: Params) -> int:
    pk = clean_params(params)["contract"]
    lines = ContractLine.objects.filter(company=company, contract_id=pk).count()
    sections = ContractSection.objects.filter(company=company, contract_id=pk).count()
    return lines + sections + FIXED_ROWS


def products_context(company: Company, params: Params) -> dict[str, Any]:
    contract = get_contract(company, params)
    sections = selectors.products_used(contract)
    return {
        **_parties(contract),
        "sections": [(selectors.section_title(s), s.products) for s in sections],
        "document_title": products_title(contract),
    }


def products_rows(company: Company, params: Params) -> int:
    pk = clean_params(params)["contract"]
    return ContractLine.objects.filter(company=company, contract_id=pk).count() + FIXED_ROWS


FINAL_STATEMENT = DocumentKind(
    key=FINAL_STATEMENT_KEY,
    label=gettext_lazy("Final statement"),
    template_name="contracts/pdf/final_statement.html",
    build_context=final_statement_context,
    estimate_rows=final_statement_rows,
    title=lambda company, params: final_statement_title(get_contract(company, params)),
    clean_params=clean_params,
    rows_per_page=40,
)
PRODUCTS = DocumentKind(
    key=PRODUCTS_KEY,
    label=gettext_lazy("Products used"),
    template_name="contracts/pdf/products_used.html",
    build_context=products_context,
    estimate_rows=products_rows,
    title=lambda company, params: products_title(get_contract(company, params)),
    clean_params=clean_params,
    rows_per_page=30,
)


def register_kinds() -> None:
    register(FINAL_STATEMENT)
    register(PRODUCTS)
