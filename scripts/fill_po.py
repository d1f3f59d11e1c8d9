"""Fill a .po file's empty French msgstr from a Python dict file (FR = {...}, PLURALS = {...}).

Usage: .venv/bin/python scripts/fill_po.py path/to/django.po translations.py
Prints the msgids still untranslated. Needs polib (dev dependency).
"""

import runpy
import sys

import polib


def main() -> int:
    po_path, table_path = sys.argv[1], sys.argv[2]
    table = runpy.run_path(table_path)
    singular, plurals = table.get("FR", {}), table.get("PLURALS", {})
    po = polib.pofile(po_path)
    for entry in po:
        if entry.msgid_plural and entry.msgid in plurals:
            one, many = plurals[entry.msgid]
            entry.msgstr_plural = {0: one, 1: many}
        elif entry.msgid in singular:
            entry.msgstr = singular[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [e.msgid for e in po if not e.translated()]
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
