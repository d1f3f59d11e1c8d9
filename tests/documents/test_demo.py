"""The demo data holds a finished price list (a row of every model of the app)."""

from __future__ import annotations

from chantier.core import demo
from chantier.documents.models import RenderJob

from .conftest import pdf_text


def test_demo_holds_a_finished_price_list(db, monkeypatch):
    if "documents" not in demo.DEMO_APPS:  # until the lead adds it after catalogue
        monkeypatch.setattr(demo, "DEMO_APPS", (*demo.DEMO_APPS, "documents"))

    demo.load_demo()

    job = RenderJob.objects.get()
    assert job.company.name == demo.DEMO_COMPANY
    assert (job.status, job.progress) == (RenderJob.Status.DONE, 100)
    assert job.created_by.username == demo.DEMO_USERNAME
    text = pdf_text(job.file.read())
    assert "SIREN 732 829 320" in text
    assert job.page_count >= 1
