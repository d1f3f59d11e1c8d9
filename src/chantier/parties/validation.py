"""Validation of party data shared by every parties service (forms check it first for the
pages; API input meets only this): identity numbers, address, then the model's own rules."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from chantier.core import validators
from chantier.parties.exceptions import FieldErrors
from chantier.parties.models import Client, Site, Supplier

FR_POSTCODE = re.compile(r"\d{5}")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
# Foreign keys set by the services from already-scoped objects: not re-queried by full_clean.
TRUSTED_RELATIONS = ["company", "client", "supplier", "author"]


def clean(obj: models.Model) -> None:
    """Normalise identity numbers and address, then run the model's validation.

    Raises FieldErrors with every faulty field at once, so a form or an API
    client can show them all.
    """
    errors: dict[str, list[str]] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, str) and "\x00" in value:
            errors[field.name] = [_("Null characters are not allowed.")]
    if isinstance(obj, Client | Supplier):
        errors.update(_identity_errors(obj, skip=errors))
    if isinstance(obj, Client | Supplier | Site):
        obj.country = (obj.country or "FR").strip().upper()
        if not COUNTRY_CODE.fullmatch(obj.country):
            errors["country"] = [_("Country: two-letter code expected (e.g. FR).")]
        elif obj.country == "FR" and obj.postcode and not FR_POSTCODE.fullmatch(obj.postcode):
            errors["postcode"] = [_("A French postcode has 5 digits.")]
    try:
        obj.full_clean(exclude=[*TRUSTED_RELATIONS, *errors])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise FieldErrors(errors)


def _identity_errors(party: Client | Supplier, skip: dict[str, Any]) -> dict[str, list[str]]:
    """Compact SIREN and VAT number in place; a French VAT number must carry the SIREN."""
    errors: dict[str, list[str]] = {}
    try:
        if "siren" not in skip:
            party.siren = validators.clean_siren(party.siren or "")
    except ValidationError as exc:
        errors["siren"] = exc.messages
    try:
        if "vat_number" not in skip:
            party.vat_number = validators.clean_vat_number(party.vat_number or "")
    except ValidationError as exc:
        errors["vat_number"] = exc.messages
    vat = party.vat_number
    if not errors and party.siren and vat.startswith("FR") and vat[4:] != party.siren:
        errors["vat_number"] = [_("The VAT number does not match the SIREN.")]
    return errors
