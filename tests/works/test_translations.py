"""The réserve pages speak French: every message of the works catalogue is translated (no
fuzzy, no empty entry), the .mo is up to date with the .po, and every gettext call and
template string of the app is in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

import chantier.works

APP = Path(chantier.works.__file__).parent
PO = APP / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_compiled():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po if not e.translated() or e.fuzzy] == []
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    assert {e.msgid: e.msgstr for e in mo if not e.msgid_plural} == {
        e.msgid: e.msgstr for e in po if not e.msgid_plural and not e.obsolete
    }


def test_every_string_of_the_app_is_in_the_catalogue():
    known = {e.msgid for e in polib.pofile(str(PO))}
    wanted = set()
    for path in [*APP.glob("*.py"), *APP.glob("templates/**/*.html")]:
        text = path.read_text()
        wanted |= set(re.findall(r'(?<![\w.])_\(\s*"([^"]+)"\s*\)', text))
        wanted |= set(re.findall(r'{% translate "([^"]+)"', text))
    assert wanted - known == set()


@pytest.mark.django_db
def test_the_list_page_is_in_french(world, alice_client, contract):
    msgid = "No réserve on this contract."
    with translation.override("fr"):
        response = alice_client.get(reverse("works:reserve_list", args=[contract.pk]))
        french = translation.gettext(msgid)
    page = response.content.decode()
    assert response.status_code == 200
    assert french != msgid
    assert escape(french) in page
    assert msgid not in page
