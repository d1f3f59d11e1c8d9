from decimal import Decimal

import pytest

from chantier.core.models import ApiToken, AuditEntry, Company

VALID = {
    "name": "Alpha Bâtiment",
    "legal_form": "SAS",
    "share_capital": "50000",
    "siren": "732 829 320",
    "siret": "732 829 320 00074",
    "rcs": "RCS Lyon 732 829 320",
    "vat_number": "FR44732829320",
    "address_line1": "1 rue du Port",
    "address_line2": "",
    "postcode": "69007",
    "city": "Lyon",
    "country": "FR",
    "email": "contact@alpha.example",
    "phone": "0478000000",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
    "bic": "AGRIFRPP",
    "insurance_text": "MAAF",
    "default_vat_rate": "10.00",
    "payment_terms": "45d_eom",
    "late_penalty_text": "Pénalités",
    "late_penalty_rate": "12,15",
    "recovery_indemnity": "40",
    "payment_future_days": "3",
    "quote_validity_days": "45",
    "assembly_search_prefix": "*",
    "chapter_entry_prefix": "#",
    "quote_number_format": "DEV{YYYY}-{seq}",
    "invoice_number_format": "FA{YYYY}-{seq:05d}",
    "credit_note_number_format": "AV{YYYY}-{seq:05d}",
    "header_text": "",
    "footer_text": "",
    "terms_text": "CGV",
    "labour_coefficient": "1.35",
    "supply_coefficient": "1.2",
    "difficulty_coefficient": "1",
    "overhead_coefficient": "1.1",
}


def test_settings_page_shows_the_company_to_every_member(alice_client, bob_client):
    assert alice_client.get("/settings/").status_code == 200
    page = bob_client.get("/settings/")
    assert page.status_code == 200
    assert "Alpha Bâtiment" in page.content.decode()
    assert "disabled" in page.content.decode()


def test_admin_saves_settings_with_identifiers_normalised(alice_client, world):
    response = alice_client.post("/settings/save/", VALID)
    assert response.status_code == 302, response.content.decode()[:2000]
    company = Company.objects.get(pk=world.company_a.pk)
    assert company.siren == "732829320"
    assert company.siret == "73282932000074"
    assert company.iban == "FR7630006000011234567890189"
    assert company.default_vat_rate == Decimal("10.00")
    assert company.labour_coefficient == Decimal("1.3500")
    assert company.payment_terms == "45d_eom"
    assert AuditEntry.objects.filter(action="company_settings_update").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "123456789", "SIREN"),
        ("siret", "73282932000075", "SIRET"),
        ("vat_number", "FR00000000000", "TVA"),
        ("iban", "FR7630006000011234567890188", "IBAN"),
        ("default_vat_rate", "19.6", "TVA"),
        ("labour_coefficient", "0", "coefficient"),
        ("overhead_coefficient", "-1", "coefficient"),
        ("invoice_number_format", "FA{YYYY}", "{seq}"),
        ("invoice_number_format", "FA{bad}{seq}", "FA{bad}"),
        ("invoice_number_format", "FA{seq[0]}", "seq"),
        ("invoice_number_format", "FA{seq.__class__}", "seq"),
        ("invoice_number_format", "FA{seq:>99999999}", "seq"),
        ("invoice_number_format", "FA{seq}{seq}", "seq"),
    ],
)
def test_bad_settings_are_refused_with_the_field_named(alice_client, world, field, value, message):
    before = Company.objects.filter(pk=world.company_a.pk).values().get()
    response = alice_client.post("/settings/save/", {**VALID, field: value})
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message.lower() in " ".join(form.errors[field]).lower()
    assert Company.objects.filter(pk=world.company_a.pk).values().get() == before


def test_french_decimals_are_read_as_typed(alice_client, world):
    data = {**VALID, "labour_coefficient": "1,40", "share_capital": "10 000,50"}
    assert alice_client.post("/settings/save/", data).status_code == 302
    company = Company.objects.get(pk=world.company_a.pk)
    assert company.labour_coefficient == Decimal("1.4000")
    assert company.share_capital == Decimal("10000.50")
    page = alice_client.get("/settings/").content.decode()
    assert 'value="1,4000"' in page
    assert 'type="number" name="labour_coefficient"' not in page


def test_vat_number_must_carry_the_siren(alice_client, world):
    response = alice_client.post("/settings/save/", {**VALID, "vat_number": "FR40303265045"})
    assert response.status_code == 400
    assert "vat_number" in response.context["form"].errors


def test_siret_must_extend_the_siren(alice_client, world):
    response = alice_client.post("/settings/save/", {**VALID, "siret": "40483304800022"})
    assert response.status_code == 400
    assert "siret" in response.context["form"].errors


def test_read_only_and_non_admin_roles_cannot_save(bob_client, world):
    before = Company.objects.filter(pk=world.company_a.pk).values().get()
    assert bob_client.post("/settings/save/", VALID).status_code == 403
    assert Company.objects.filter(pk=world.company_a.pk).values().get() == before


def test_settings_are_per_company(charlie_client, world):
    page = charlie_client.get("/settings/").content.decode()
    assert "Bravo Rénovation" in page
    assert "Alpha Bâtiment" not in page


def test_api_token_created_once_then_revoked(alice_client, world):
    response = alice_client.post("/settings/tokens/new/", {"name": "Compta"}, follow=True)
    token = ApiToken.objects.get(user=world.alice)
    page = response.content.decode()
    assert token.prefix in page
    assert alice_client.get("/settings/").content.decode().count(token.prefix) == 1
    # Confirmation page first, then the revoke.
    assert alice_client.get(f"/settings/tokens/{token.pk}/revoke/").status_code == 200
    assert ApiToken.objects.filter(pk=token.pk).exists()
    alice_client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_someone_elses_token_cannot_be_revoked(charlie_client, world):
    from chantier.core.services import api_token_create

    api_token_create(user=world.alice)
    token = ApiToken.objects.get(user=world.alice)
    assert charlie_client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_pages_require_login(client, db):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_in_french_by_default(client, db):
    page = client.get("/login/").content.decode()
    assert "Connexion" in page
    assert 'lang="fr"' in page


def test_home_counts(alice_client, django_assert_max_num_queries):
    from chantier.analysis.selectors import QUERIES as DASHBOARD_QUERIES

    with django_assert_max_num_queries(8 + DASHBOARD_QUERIES):
        assert alice_client.get("/").status_code == 200


def _png(size: int = 8) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_logo_upload_is_served_only_to_the_company(alice_client, charlie_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    assert alice_client.post("/settings/save/", {**VALID, "logo": logo}).status_code == 302
    response = alice_client.get("/settings/logo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert charlie_client.get("/settings/logo/").status_code == 404


def test_logo_must_be_a_small_png_or_jpeg(alice_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    response = alice_client.post("/settings/save/", {**VALID, "logo": text})
    assert response.status_code == 400
    assert "logo" in response.context["form"].errors
    big = SimpleUploadedFile("logo.png", _png() + b"\0" * 1_100_000, content_type="image/png")
    response = alice_client.post("/settings/save/", {**VALID, "logo": big})
    assert response.status_code == 400
    assert "1 MB" in " ".join(response.context["form"].errors["logo"]).replace("1 Mo", "1 MB")
    assert not Company.objects.get(pk=world.company_a.pk).logo
