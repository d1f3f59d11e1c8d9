"""Numbers of a tender schedule's rows: "1", "1.1.1", "1.a", "I"/"A"/"1", "Lot 02", "02.03.01".

A number is split into parts, each with a style (arabic, roman, letter, lot). A dotted
number says its own depth through its prefix ("1.2" is under "1"); a single-part number
says it through its style, as in an outline: a style not seen among the open chapters
goes one level deeper, a style already open closes that level (see `tender_tree`).
A single letter that is also a roman numeral ("I", "C", "V"...) is read as a letter
when it follows the last letter seen ("I" after "H"), as a roman numeral when it follows
the last roman numeral ("V" after "IV"), and otherwise "I" is roman, anything else a letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ARABIC, LOT = "arabic", "lot"
UPPER_ROMAN, LOWER_ROMAN, UPPER_LETTER, LOWER_LETTER = "ROMAN", "roman", "LETTER", "letter"
_AMBIGUOUS = "?"  # a single letter that may be roman: resolved with the rows seen

_TRAILING = " .)-–—:"  # "1." "a)" "I -" are "1", "a", "I"
_LOT = re.compile(r"^lot\s*(?:n\s*[°ºo.]?\s*)?0*(\d+)\s*([a-z]?)$", re.IGNORECASE)
_ARABIC = re.compile(r"^0*(\d{1,6})\s?(bis|ter|[a-z])?$", re.IGNORECASE)
_ROMAN = re.compile(r"^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_SPLIT = re.compile(
    r"^\s*(?P<number>lot\s*(?:n\s*[°ºo.]?\s*)?\d+[a-z]?|\d+(?:\.\w+)*\.?"
    r"|(?:[IVXLCDM]+|[A-Za-z])(?=\s*[-–—:.)]))"
    r"\s*(?:[-–—:.)]\s*|\s+)(?P<title>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
MAX_PARTS = 8


@dataclass(frozen=True)
class Numbering:
    """A parsed number: comparable parts ("02" is "2", "A" is "a") and their styles."""

    parts: tuple[str, ...]
    styles: tuple[str, ...]

    @property
    def dotted(self) -> bool:
        return len(self.parts) > 1

    def under(self, other: Numbering) -> bool:
        """True for "1.2.3" under "1.2" or "1", and for "02.01" under "Lot 02"."""
        size = len(other.parts)
        return size < len(self.parts) and self.parts[:size] == other.parts


def parse_numbering(text: str) -> Numbering | None:
    """The number written in a N° cell, or None when it is a code ("GO-001") or empty."""
    text = text.strip().rstrip(_TRAILING).strip()
    if not text:
        return None
    lot = _LOT.match(text)
    if lot:
        return Numbering((lot.group(1) + lot.group(2).lower(),), (LOT,))
    pieces = [piece.strip() for piece in text.split(".")]
    if len(pieces) > MAX_PARTS:
        return None
    parsed = [_part(piece) for piece in pieces]
    if any(part is None for part in parsed):
        return None
    parts = tuple(part[0] for part in parsed if part is not None)
    styles = tuple(part[1] for part in parsed if part is not None)
    return Numbering(parts, styles)


def _part(piece: str) -> tuple[str, str] | None:
    arabic = _ARABIC.match(piece)
    if arabic:
        return str(int(arabic.group(1))) + (arabic.group(2) or "").lower(), ARABIC
    if len(piece) == 1 and piece.isascii() and piece.isalpha():
        upper = piece.isupper()
        style = UPPER_LETTER if upper else LOWER_LETTER
        if _ROMAN.match(piece.upper()):
            style += _AMBIGUOUS
        return piece.lower(), style
    if _ROMAN.match(piece) or (piece.islower() and _ROMAN.match(piece.upper())):
        return piece.lower(), UPPER_ROMAN if piece.isupper() else LOWER_ROMAN
    return None


def roman_value(text: str) -> int:
    values = [_ROMAN_VALUES[ch] for ch in text.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def resolve_style(numbering: Numbering, last_seen: dict[str, str]) -> str:
    """The style of the first part, an ambiguous letter decided by the rows seen before."""
    style = numbering.styles[0]
    if not style.endswith(_AMBIGUOUS):
        return style
    letter_style = style.removesuffix(_AMBIGUOUS)
    roman_style = UPPER_ROMAN if letter_style == UPPER_LETTER else LOWER_ROMAN
    token = numbering.parts[0]
    last_letter = last_seen.get(letter_style)
    if last_letter is not None and ord(token) == ord(last_letter) + 1:
        return letter_style
    last_roman = last_seen.get(roman_style)
    if last_roman is not None and roman_value(token) == roman_value(last_roman) + 1:
        return roman_style
    return roman_style if token == "i" else letter_style


def split_title(text: str) -> tuple[str, str]:
    """Split "Lot 02 - Gros œuvre" into ("Lot 02", "Gros œuvre"); no number: ("", title)."""
    match = _SPLIT.match(text)
    if match is None or parse_numbering(match.group("number")) is None:
        return "", text.strip()
    return match.group("number").strip().rstrip(_TRAILING), match.group("title").strip()
