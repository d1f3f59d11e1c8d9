"""Identity validators shared by companies and parties (python-stdnum, schwifty)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret


def _compact(value: str) -> str:
    return "".join(value.split()).replace(".", "").replace("-", "")


def clean_siren(value: str) -> str:
    value = _compact(value)
    if not value:
        return ""
    try:
        return str(fr_siren.validate(value))
    except StdnumError:
        raise ValidationError(
            _("Invalid SIREN: 9 digits with a valid check digit expected."), code="siren"
        ) from None


def clean_siret(value: str) -> str:
    value = _compact(value)
    if not value:
        return ""
    try:
        return str(fr_siret.validate(value))
    except StdnumError:
        raise ValidationError(
            _("Invalid SIRET: 14 digits with a valid check digit expected."), code="siret"
        ) from None


def check_siret_matches_siren(siren: str, siret: str) -> None:
    if siren and siret and not siret.startswith(siren):
        raise ValidationError(_("The SIRET must start with the SIREN."), code="siret_siren")


def check_vat_matches_siren(siren: str, vat_number: str) -> None:
    """A French VAT number is FR + a 2-character key + the SIREN."""
    if siren and vat_number.startswith("FR") and vat_number[4:] != siren:
        raise ValidationError(
            _("This French VAT number belongs to another SIREN (FR + key + SIREN)."),
            code="vat_siren",
        )


def clean_vat_number(value: str) -> str:
    value = _compact(value).upper()
    if not value:
        return ""
    try:
        return str(eu_vat.validate(value))
    except StdnumError:
        raise ValidationError(
            _("Invalid VAT number (e.g. FR40303265045)."), code="vat_number"
        ) from None


def clean_iban(value: str) -> str:
    value = _compact(value).upper()
    if not value:
        return ""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException:
        raise ValidationError(_("Invalid IBAN."), code="iban") from None


def clean_bic(value: str) -> str:
    value = _compact(value).upper()
    if not value:
        return ""
    try:
        return str(BIC(value).compact)
    except SchwiftyException:
        raise ValidationError(_("Invalid BIC."), code="bic") from None


def is_luhn(value: str) -> bool:
    return bool(luhn.is_valid(value))
