"""Writes of the contracts app.

`contract_create_from_quote` is the hand-over from quotes to contracts: the quote accept
service calls it inside its own transaction.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.options import Options
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chantier.contracts.models import (
    MAX_RETENTION_RATE,
    Contract,
    ContractLine,
    ContractLineComponent,
    ContractSection,
    Pricing,
    RevisionIndex,
)
from chantier.core.access import require_writer
from chantier.core.deletion import delete_audited
from chantier.core.exceptions import DomainError, FieldErrors, InUse, StaleEdit
from chantier.core.formatting import euros
from chantier.core.models import User
from chantier.core.money import to_decimal
from chantier.core.services import audit_log
from chantier.parties.models import Address, Client, Site
from chantier.quotes.models import Chapter, LineComponent, Quote, QuoteLine

BATCH_SIZE = 1000
ZERO = Decimal("0.00")
NO_QUANTITY = Decimal("0.000")

# Quote line fields copied as they are stored: the contract freezes what the client accepted.
AMOUNT_FIELDS = (
    "quantity",
    "unit_price",
    "net",
    "labour_net",
    "supply_net",
    "labour_cost",
    "supply_cost",
    "labour_hours",
)
# Quote line values read as tuples (no model instances: a quote may have 5,000 lines).
READ_FIELDS = (
    "pk",
    "chapter_id",
    "kind",
    "reference",
    "description",
    "unit",
    "vat_rate",
    *AMOUNT_FIELDS,
)
KIND, NET = READ_FIELDS.index("kind"), READ_FIELDS.index("net")
LINE_INSERT_FIELDS = (
    "company",
    "contract",
    "section",
    "position",
    "sort_key",
    "kind",
    "reference",
    "description",
    "unit",
    "vat_rate",
    *AMOUNT_FIELDS,
    "quote_line",
)
COMPONENT_FIELDS = (
    "position",
    "reference",
    "description",
    "unit",
    "kind",
    "quantity_per_unit",
    "unit_cost",
)


def section_sort_key(parent_key: str, position: int) -> str:
    return f"{parent_key}.{position:04d}" if parent_key else f"{position:04d}"


def line_sort_key(section_key: str, position: int) -> str:
    # "-" sorts before "." and digits: a section's own lines come before its sub-sections,
    # and lines outside any section come first (the quotes app's order).
    return f"{section_key}-{position:06d}"


@transaction.atomic
def contract_create_from_quote(*, user: User | None, quote: Quote) -> Contract:
    """Create the contract of an accepted quote (issue 3 → issue 4), as the quote stands.

    Rules:
    - writers only; a quote of another company is as unknown as a missing one;
    - one contract per quote (refused when the quote already has one; the one-to-one
      field backs the rule under concurrent accepts);
    - reference = the quote's number, title, client and site = the quote's;
    - sections = the quote's chapters (same tree, numbers and titles);
    - lines = the quote's lines except optional ones (the quote never counts them in its
      total, so they are not part of the billing base); text lines are kept for reading, as
      kind "text" with quantity 0 and no amount; every amount is frozen as the quote stored
      it, never recomputed (billing.md "Contract base"); components are copied under their
      line;
    - base_net = Σ line nets = the quote's total excl. VAT; a difference means the quote's
      stored totals are stale, and the contract is refused rather than built on them.

    The caller passes the quote as saved (its stored number and totals are used).
    `user` is None when the client accepted online through the signed link (no login):
    the quote's own company is then the company.
    """
    company = require_writer(user).company if user is not None else quote.company
    if quote.company_id != company.pk:
        raise DomainError(_("Unknown quote."), field="quote")
    if Contract.objects.filter(quote_id=quote.pk).exists():
        raise _already_contracted(quote)
    reference = quote.number
    if reference and Contract.objects.filter(company=company, reference=reference).exists():
        raise _reference_taken(reference)

    chapters = list(Chapter.objects.filter(quote_id=quote.pk).order_by("position", "pk"))
    lines = list(
        QuoteLine.objects.filter(quote_id=quote.pk, optional=False)
        .order_by("position", "pk")
        .values_list(*READ_FIELDS)
    )
    base_net = sum((row[NET] for row in lines if row[KIND] != QuoteLine.Kind.TEXT), ZERO)
    if base_net != quote.net:
        raise DomainError(
            _(
                "The lines of quote %(quote)s add up to %(lines)s excl. VAT but its total is "
                "%(total)s: the quote must be priced again before it becomes a contract."
            )
            % {
                "quote": quote.display_number,
                "lines": euros(base_net),
                "total": euros(quote.net),
            },
            field="quote",
        )

    try:
        # A savepoint: losing a race to another accept leaves the caller's transaction usable.
        with transaction.atomic():
            contract = Contract.objects.create(
                company=company,
                client_id=quote.client_id,
                site_id=quote.site_id,
                quote=quote,
                reference=reference,
                title=quote.title,
                base_net=base_net,
                created_by=user,
                **intervention_address(default_address_source(quote.client, quote.site)),
            )
    except IntegrityError:
        if Contract.objects.filter(quote_id=quote.pk).exists():
            raise _already_contracted(quote) from None
        raise _reference_taken(reference) from None

    sections = _copy_sections(contract, chapters)
    _copy_lines(contract, lines, sections)
    component_count = _copy_components(contract)
    audit_log(
        company=company,
        user=user,
        action="contract_create",
        obj=contract,
        data={
            "quote": quote.pk,
            "reference": reference,
            "base_net": str(base_net),
            "sections": len(sections),
            "lines": len(lines),
            "components": component_count,
        },
    )
    return contract


ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city", "country")


def default_address_source(client: Client, site: Site | None) -> Address:
    """Where a contract's intervention address comes from by default: the site when its
    address is complete (line, postcode, city), else the client (seed 002)."""
    if site is not None and site.address_line1 and site.postcode and site.city:
        return site
    return client


def intervention_address(source: Address) -> dict[str, str]:
    """The address fields of a site or a client: a contract's default intervention address."""
    return {name: getattr(source, name) for name in ADDRESS_FIELDS}


def _already_contracted(quote: Quote) -> DomainError:
    return DomainError(
        _("Quote %(quote)s already has a contract.") % {"quote": quote.display_number},
        field="quote",
    )


def _reference_taken(reference: str) -> DomainError:
    return DomainError(
        _("A contract with the reference %(reference)s already exists.") % {"reference": reference},
        field="reference",
    )


def _copy_sections(contract: Contract, chapters: list[Chapter]) -> dict[int, ContractSection]:
    """The chapter tree as sections, created level by level (a parent needs its id first).

    Returns quote chapter id → section. Numbers are the quote's; a chapter never numbered
    (a quote not priced yet) gets its place in the tree ("2.1").
    """
    children: dict[int | None, list[Chapter]] = defaultdict(list)
    for chapter in chapters:  # already in (position, pk) order
        children[chapter.parent_id].append(chapter)
    by_chapter: dict[int, ContractSection] = {}
    level: list[tuple[Chapter, ContractSection | None]] = [
        (chapter, None) for chapter in children[None]
    ]
    positions: dict[int | None, int] = defaultdict(int)
    while level:
        rows: list[ContractSection] = []
        for chapter, parent in level:
            parent_pk = parent.pk if parent else None
            positions[parent_pk] += 1
            position = positions[parent_pk]
            key = section_sort_key(parent.sort_key if parent else "", position)
            fallback = f"{parent.number}.{position}" if parent else str(position)
            section = ContractSection(
                company_id=contract.company_id,
                contract=contract,
                parent=parent,
                position=position,
                number=chapter.number or fallback,
                title=chapter.title,
                sort_key=key,
            )
            by_chapter[chapter.pk] = section
            rows.append(section)
        ContractSection.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        level = [
            (child, by_chapter[chapter.pk])
            for chapter, _parent in level
            for child in children[chapter.pk]
        ]
    return by_chapter


def _copy_lines(
    contract: Contract, lines: list[tuple[Any, ...]], sections: dict[int, ContractSection]
) -> None:
    """One contract line per quote line (optional ones already left out), positions renumbered
    1, 2, 3 within each section. `lines` are READ_FIELDS tuples in (position, pk) order."""
    positions: dict[int | None, int] = defaultdict(int)
    rows = []
    for quote_line_id, chapter_id, kind, reference, description, unit, vat_rate, *amounts in lines:
        section = sections.get(chapter_id) if chapter_id else None
        section_id = section.pk if section else None
        positions[section_id] += 1
        position = positions[section_id]
        key = line_sort_key(section.sort_key if section else "", position)
        if kind == QuoteLine.Kind.TEXT:  # a text line helps reading; it has no amount
            amounts = [NO_QUANTITY, *(ZERO for _name in AMOUNT_FIELDS[1:])]
        rows.append(
            (
                contract.company_id,
                contract.pk,
                section_id,
                position,
                key,
                kind,
                reference,
                description,
                unit,
                vat_rate,
                *amounts,
                quote_line_id,
            )
        )
    _insert_many(ContractLine, LINE_INSERT_FIELDS, rows)


def _copy_components(contract: Contract) -> int:
    """Copy the components of the quote lines the contract took, in one INSERT … SELECT: the
    database copies each value as stored, and no row travels through Python."""
    qn = connection.ops.quote_name
    target, source, line = ContractLineComponent._meta, LineComponent._meta, ContractLine._meta

    def column(meta: Options[Any], name: str) -> str:
        return qn(meta.get_field(name).column)

    into = ", ".join(column(target, name) for name in ("company", "line", *COMPONENT_FIELDS))
    picked = ", ".join(f"c.{column(source, name)}" for name in COMPONENT_FIELDS)
    source_line, source_position = column(source, "line"), column(source, "position")
    sql = (
        f"INSERT INTO {qn(target.db_table)} ({into}) "
        f"SELECT %s, l.{column(line, 'id')}, {picked} "
        f"FROM {qn(source.db_table)} c INNER JOIN {qn(line.db_table)} l "
        f"ON l.{column(line, 'quote_line')} = c.{source_line} "
        f"WHERE l.{column(line, 'contract')} = %s "
        f"ORDER BY c.{source_line}, c.{source_position}, c.{column(source, 'id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [contract.company_id, contract.pk])
        return max(cursor.rowcount, 0)


def _insert_many(model: type[Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT `rows` with one prepared statement run for each row (executemany), by batches.

    bulk_create spends its time building a model instance and preparing every value of
    every row: 5,000 lines took about 2.5 s that way on SQLite, against 0.3 s here. The
    values are already in database form: ids, text, and Decimals read from the database
    with the same places (both engines adapt Decimal as Django does). On PostgreSQL,
    psycopg pipelines executemany, which measured faster than multi-row VALUES.
    """
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(name).column) for name in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[start : start + BATCH_SIZE])


# --- general information and billing settings (issue 4, helper A) --------------------------

FR_POSTCODE = re.compile(r"\d{5}")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
INFO_FIELDS = (
    "client",
    "site",
    "title",
    "reference",
    "contract_type",
    "status",
    "start_date",
    "end_date",
    "next_due_date",
    "next_due_label",
    *ADDRESS_FIELDS,
)
SETTINGS_FIELDS = (
    "pricing",
    "retention_rate",
    "retention_base",
    "retention_on",
    "retention_guarantee",
    "guarantee_reference",
    "guarantee_end_date",
    "warranty_months",
    "handover_date",
    "down_payment_deduction",
    "deduction_warning_threshold",
    "revision_fixed_part",
    "revision_rounding",
    "payment_terms",
    "payment_days",
    "procurement",
    "service_orders_from_quotes",
    "reverse_charge",
    "invoice_presentation",
    "invoice_recap",
    "revision_provisional",
    "advance_amount",
    "advance_start_percent",
    "advance_end_percent",
    "indices",  # [{name, weight, base_value}]: replaces the revision indices when given
)
# Changing these once the contract has an invoice asks for confirmation (seed 002,
# "Retenue et délai de garantie": the setting is applied to every new invoice).
INVOICE_PRESENTATIONS = ("detailed", "grouped")
MAX_AMOUNT = Decimal("999999999999.99")
RETENTION_FIELDS = ("retention_rate", "retention_base", "retention_on", "retention_guarantee")
MAX_WARRANTY_MONTHS = 120
MAX_INDEX_VALUE = Decimal("99999.9999")  # RevisionIndex.base_value: 9 digits, 4 places
MAX_PAYMENT_DAYS = 365
HUNDRED = Decimal("100")
ONE = Decimal("1")


class ConfirmationRequired(DomainError):
    """The change is allowed but has consequences: the caller must ask and pass confirm."""


def _lock_contract(*, user: User, contract: Contract, lock_version: int | None) -> Contract:
    """The contract row, locked until commit; refuses a stale version (DESIGN, concurrent
    edits) and a contract of another company."""
    company = require_writer(user).company
    try:
        locked = Contract.objects.select_for_update().get(pk=contract.pk, company=company)
    except Contract.DoesNotExist:
        raise DomainError(_("Unknown contract."), field="contract") from None
    if lock_version is not None and int(lock_version) != locked.lock_version:
        raise StaleEdit(
            _(
                "Someone else changed this contract since you opened it. Reload the page: "
                "your change was not saved."
            )
        )
    return locked


def _choice(errors: dict[str, list[str]], name: str, value: Any, choices: Sequence[str]) -> Any:
    if value not in choices:
        errors.setdefault(name, []).append(
            _("Unknown value %(value)s; choose one of %(choices)s.")
            % {"value": value, "choices": ", ".join(choices)}
        )
    return value


def _decimal(
    errors: dict[str, list[str]],
    name: str,
    value: Any,
    *,
    places: int,
    low: Decimal,
    high: Decimal,
) -> Decimal | None:
    """`value` as a Decimal within [low, high] with at most `places` decimals, or an error."""
    try:
        number = to_decimal(value)
    except (ValueError, TypeError):
        errors.setdefault(name, []).append(_("Enter a number."))
        return None
    if number < low or number > high:
        errors.setdefault(name, []).append(
            _("Enter a value between %(low)s and %(high)s.") % {"low": low, "high": high}
        )
        return None
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step, rounding=ROUND_HALF_UP):
        errors.setdefault(name, []).append(_("At most %(places)d decimals.") % {"places": places})
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def _apply_info(
    contract: Contract, data: dict[str, Any], errors: dict[str, list[str]], *, company_id: int
) -> list[str]:
    """Check and set the general information (seed 002, "Informations générales").

    - client of the company, required; site, if any, one of the client's sites;
    - title required; reference unique in the company (checked here and by a constraint);
    - status one of active / pending / finished; end date not before the start date;
    - intervention address: left entirely blank, it is the site's address, or the
      client's when there is no site or the site has no complete address; it must be
      complete (line 1, postcode, city), with a 5-digit postcode in France.
    """
    changed: list[str] = []
    for name, value in data.items():
        if name not in INFO_FIELDS:
            raise DomainError(_("Unknown field: %(name)s.") % {"name": name}, field=name)
        if isinstance(value, str):
            value = value.strip()
            if "\x00" in value:
                errors.setdefault(name, []).append(_("Null characters are not allowed."))
                continue
        if name in ("client", "site"):
            if getattr(contract, f"{name}_id") != (value.pk if value is not None else None):
                setattr(contract, name, value)
                changed.append(name)
            continue
        if value is None and name not in ("start_date", "end_date", "next_due_date"):
            value = ""
        if getattr(contract, name) != value:
            setattr(contract, name, value)
            changed.append(name)

    client = contract.client if contract.client_id else None
    if client is None or client.company_id != company_id:
        errors.setdefault("client", []).append(_("Choose a client."))
        client = None
    site = contract.site if contract.site_id else None
    if site is not None and (
        site.company_id != company_id or (client and site.client_id != client.pk)
    ):
        errors.setdefault("site", []).append(_("This site is not one of the client's sites."))
        site = None
    if not contract.title:
        errors.setdefault("title", []).append(_("This field is required."))
    _choice(errors, "status", contract.status, Contract.Status.values)
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        errors.setdefault("end_date", []).append(_("The end date is before the start date."))

    if not any(getattr(contract, name) for name in ADDRESS_FIELDS[:4]) and client is not None:
        source = default_address_source(client, site)
        for name, value in intervention_address(source).items():
            if getattr(contract, name) != value:
                setattr(contract, name, value)
                changed.append(name)
    contract.country = (contract.country or "FR").strip().upper()
    for name in ("address_line1", "postcode", "city"):
        if not getattr(contract, name):
            errors.setdefault(name, []).append(
                _("The intervention address must be complete: address, postcode and city.")
            )
    if not COUNTRY_CODE.fullmatch(contract.country):
        errors.setdefault("country", []).append(_("Country: two-letter code expected (e.g. FR)."))
    elif (
        contract.country == "FR"
        and contract.postcode
        and not FR_POSTCODE.fullmatch(contract.postcode)
    ):
        errors.setdefault("postcode", []).append(_("A French postcode has 5 digits."))
    for name in ("reference", "contract_type", "title", "next_due_label", *ADDRESS_FIELDS):
        limit = getattr(Contract._meta.get_field(name), "max_length", None)
        if limit and len(getattr(contract, name)) > limit:
            errors.setdefault(name, []).append(
                _("At most %(limit)d characters.") % {"limit": limit}
            )
    if (
        contract.reference
        and "reference" not in errors
        and Contract.objects.filter(company_id=company_id, reference=contract.reference)
        .exclude(pk=contract.pk)
        .exists()
    ):
        errors.setdefault("reference", []).append(
            _("A contract with the reference %(reference)s already exists.")
            % {"reference": contract.reference}
        )
    return changed


def _apply_settings(
    contract: Contract, data: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[list[str], list[dict[str, Any]] | None]:
    """Check and set the billing settings (billing.md); returns the changed fields and the
    new revision indices (None: unchanged).

    - retention rate between 0 and 5 % (loi 71-584); a bank guarantee needs its
      reference and end date;
    - revision C = a + Σ w_k × I_k(n) / I_k(0): with indices, a + Σ w_k must be exactly 1,
      each weight above 0, each base value above 0, names unique;
    - payment terms 60 days, 45 days end of month, or N days (N required, 1 to 365).
    """
    changed: list[str] = []
    indices: list[dict[str, Any]] | None = None
    for name, value in data.items():
        if name not in SETTINGS_FIELDS:
            raise DomainError(_("Unknown field: %(name)s.") % {"name": name}, field=name)
        if name == "indices":
            indices = _clean_indices(value, errors)
            continue
        if isinstance(value, str):
            value = value.strip()
        if name == "retention_rate":
            value = _decimal(errors, name, value, places=2, low=ZERO, high=MAX_RETENTION_RATE)
            if value is None and name in errors:
                errors[name] = [
                    _("The retention rate must be between 0 %% and %(max)s %%.")
                    % {"max": MAX_RETENTION_RATE}
                ]
                continue
        elif name == "deduction_warning_threshold":
            value = _decimal(errors, name, value, places=2, low=ZERO, high=HUNDRED)
        elif name == "revision_fixed_part":
            value = _decimal(errors, name, value, places=4, low=ZERO, high=ONE)
        elif name == "advance_amount":
            value = _decimal(errors, name, value or "0", places=2, low=ZERO, high=MAX_AMOUNT)
        elif name in ("advance_start_percent", "advance_end_percent"):
            if value in (None, "") and name == "advance_start_percent":
                value = None  # the default rule: 65 %, or 0 when the advance is above 30 %
            else:
                value = _decimal(errors, name, value, places=2, low=ZERO, high=HUNDRED)
        elif name in ("warranty_months", "payment_days"):
            if value in (None, ""):
                value = None
                if name == "warranty_months":
                    errors.setdefault(name, []).append(_("This field is required."))
                    continue
            if value is not None:
                high = MAX_WARRANTY_MONTHS if name == "warranty_months" else MAX_PAYMENT_DAYS
                low = 0 if name == "warranty_months" else 1
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    errors.setdefault(name, []).append(_("Enter a whole number."))
                    continue
                if not low <= value <= high:
                    errors.setdefault(name, []).append(
                        _("Enter a value between %(low)s and %(high)s.")
                        % {"low": low, "high": high}
                    )
                    continue
        elif name in (
            "retention_guarantee",
            "service_orders_from_quotes",
            "reverse_charge",
            "invoice_recap",
            "revision_provisional",
        ):
            value = bool(value)
        elif name == "guarantee_reference" and value is None:
            value = ""
        if name in errors:
            continue
        if getattr(contract, name) != value:
            setattr(contract, name, value)
            changed.append(name)

    _choice(errors, "pricing", contract.pricing, Pricing.values)
    _choice(errors, "retention_base", contract.retention_base, Contract.RetentionBase.values)
    _choice(errors, "retention_on", contract.retention_on, Contract.RetentionOn.values)
    _choice(
        errors,
        "down_payment_deduction",
        contract.down_payment_deduction,
        Contract.DownPaymentDeduction.values,
    )
    _choice(
        errors, "revision_rounding", contract.revision_rounding, Contract.RevisionRounding.values
    )
    _choice(errors, "payment_terms", contract.payment_terms, Contract.PaymentTerms.values)
    _choice(errors, "procurement", contract.procurement, Contract.Procurement.values)
    _choice(errors, "invoice_presentation", contract.invoice_presentation, INVOICE_PRESENTATIONS)
    start, end = contract.advance_start_percent, contract.advance_end_percent
    if start is not None and end is not None and start >= end:
        errors.setdefault("advance_end_percent", []).append(
            _("The advance must be repaid by a threshold above the one it starts from.")
        )
    if contract.retention_guarantee:
        if not contract.guarantee_reference:
            errors.setdefault("guarantee_reference", []).append(
                _("A bank guarantee needs its reference.")
            )
        if not contract.guarantee_end_date:
            errors.setdefault("guarantee_end_date", []).append(
                _("A bank guarantee needs its end date.")
            )
    if len(contract.guarantee_reference) > 100:
        errors.setdefault("guarantee_reference", []).append(
            _("At most %(limit)d characters.") % {"limit": 100}
        )
    if contract.payment_terms == Contract.PaymentTerms.DAYS:
        if contract.payment_days is None and "payment_days" not in errors:
            errors.setdefault("payment_days", []).append(
                _("Give the number of days of the payment terms.")
            )
    elif contract.payment_days is not None:
        contract.payment_days = None
        changed.append("payment_days")
    if "handover_date" in changed:
        _check_handover(contract, errors)
    if indices is not None and "indices" not in errors and "revision_fixed_part" not in errors:
        total = contract.revision_fixed_part + sum((row["weight"] for row in indices), ZERO)
        if indices and total != ONE:
            errors.setdefault("indices", []).append(
                _(
                    "The fixed part and the weights of the indices must add up to 1; "
                    "they add up to %(total)s."
                )
                % {"total": total}
            )
    return changed, indices


def _check_handover(contract: Contract, errors: dict[str, list[str]]) -> None:
    """The final-account dates run from the handover (french-rules §8): once some are
    recorded, the handover can be neither removed nor moved after the first of them."""
    from chantier.contracts.final_account_services import DATE_FIELDS

    recorded = [day for day in (getattr(contract, name) for name in DATE_FIELDS) if day]
    if not recorded:
        return
    first = min(recorded)
    if contract.handover_date is None or contract.handover_date > first:
        errors.setdefault("handover_date", []).append(
            _(
                "Final-account dates are recorded from %(date)s: the handover date is "
                "required and cannot be later."
            )
            % {"date": date_format(first, "SHORT_DATE_FORMAT")}
        )


def _clean_indices(value: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, row in enumerate(value or [], start=1):
        name = str(row.get("name") or "").strip()
        if not name or len(name) > 40:
            errors.setdefault("indices", []).append(
                _("Index %(n)d: give its name (at most 40 characters).") % {"n": position}
            )
            continue
        if name.casefold() in seen:
            errors.setdefault("indices", []).append(
                _("The index %(name)s is listed twice.") % {"name": name}
            )
            continue
        seen.add(name.casefold())
        problems: dict[str, list[str]] = {}
        weight = _decimal(problems, "weight", row.get("weight"), places=4, low=ZERO, high=ONE)
        base = _decimal(
            problems, "base", row.get("base_value"), places=4, low=ZERO, high=MAX_INDEX_VALUE
        )
        if weight is not None and weight == ZERO:
            problems["weight"] = ["0"]
        if base is not None and base == ZERO:
            problems["base"] = ["0"]
        if problems:
            errors.setdefault("indices", []).append(
                _("Index %(name)s: weight between 0 and 1 and base value above 0 expected.")
                % {"name": name}
            )
            continue
        rows.append({"name": name, "weight": weight, "base_value": base})
    return rows


def _save_indices(contract: Contract, indices: list[dict[str, Any]]) -> None:
    RevisionIndex.objects.filter(contract=contract).delete()
    RevisionIndex.objects.bulk_create(
        RevisionIndex(company_id=contract.company_id, contract=contract, position=n, **row)
        for n, row in enumerate(indices, start=1)
    )


@transaction.atomic
def contract_create(*, user: User, data: dict[str, Any]) -> Contract:
    """Create a blank contract from its general information (seed 002, "Créer un contrat");
    sections and lines are added afterwards. Invalid data raises FieldErrors naming every
    faulty field; nothing is written."""
    company = require_writer(user).company
    contract = Contract(company=company, created_by=user)
    errors: dict[str, list[str]] = {}
    _apply_info(contract, dict(data), errors, company_id=company.pk)
    if errors:
        raise FieldErrors(errors)
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise _reference_taken(contract.reference) from None
    audit_log(
        company=company,
        user=user,
        action="contract_create",
        obj=contract,
        data={"reference": contract.reference, "blank": True},
    )
    return contract


@transaction.atomic
def contract_update(
    *,
    user: User,
    contract: Contract,
    info: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    lock_version: int | None = None,
    confirm_retention: bool = False,
) -> Contract:
    """Change the general information and/or the billing settings of a contract.

    The row is locked and its version checked (a stale save is refused, StaleEdit); every
    faulty field is reported at once (FieldErrors) and nothing is written. Changing the
    retention settings once the contract has an invoice raises ConfirmationRequired unless
    `confirm_retention` (seed 002: the settings apply to every new invoice).
    """
    from chantier.contracts.selectors import contract_has_invoices

    locked = _lock_contract(user=user, contract=contract, lock_version=lock_version)
    errors: dict[str, list[str]] = {}
    changed: list[str] = []
    indices = None
    if info:
        changed += _apply_info(locked, dict(info), errors, company_id=locked.company_id)
    if settings:
        settings_changed, indices = _apply_settings(locked, dict(settings), errors)
        changed += settings_changed
    if errors:
        raise FieldErrors(errors)
    retention_changed = [name for name in changed if name in RETENTION_FIELDS]
    if retention_changed and not confirm_retention and contract_has_invoices(locked):
        raise ConfirmationRequired(
            _(
                "This contract already has invoices: the new retention settings will apply "
                "to its next invoices only. Confirm to save them."
            ),
            field=retention_changed[0],
        )
    if indices is not None:
        current = [
            {"name": i.name, "weight": i.weight, "base_value": i.base_value}
            for i in RevisionIndex.objects.filter(contract=locked).order_by("position", "pk")
        ]
        if current != indices:
            _save_indices(locked, indices)
            changed.append("indices")
    if changed:
        locked.lock_version += 1
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise _reference_taken(locked.reference) from None
        audit_log(
            company=locked.company,
            user=user,
            action="contract_update",
            obj=locked,
            data={"fields": changed},
        )
    return locked


@transaction.atomic
def contract_delete(*, user: User, contract: Contract) -> None:
    """Delete a contract with its sections, lines, change and service orders (seed 002,
    "Supprimer un contrat"); its interactions and its quote stay with the client. Refused
    while the contract has invoices."""
    from chantier.contracts.selectors import contract_has_invoices

    locked = _lock_contract(user=user, contract=contract, lock_version=None)
    if contract_has_invoices(locked):
        raise InUse(deletion_refused_message(locked))
    delete_audited(
        user=user,
        company=locked.company,
        obj=locked,
        action="contract_delete",
        data={"reference": locked.reference, "title": locked.title},
    )


def deletion_refused_message(contract: Contract) -> str:
    return _("The contract %(contract)s has invoices: it cannot be deleted.") % {
        "contract": str(contract)
    }
