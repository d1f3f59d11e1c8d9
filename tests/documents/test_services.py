"""render_job_start / render_job_run: inline for small documents, the worker for large ones."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from chantier.core.exceptions import DomainError
from chantier.core.models import AuditEntry
from chantier.documents import price_list, registry, services
from chantier.documents.models import RenderJob
from chantier.documents.registry import DocumentKind

from .conftest import pdf_text

Status = RenderJob.Status


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


@pytest.fixture
def broken_kind():
    """A document whose data cannot be read; `rows` in params sets its size."""

    def explode(company, params):
        raise RuntimeError("catalogue unavailable")

    kind = registry.register(
        DocumentKind(
            key="broken",
            label="Broken",
            template_name="documents/pdf/price_list.html",
            build_context=explode,
            estimate_rows=lambda company, params: int(params.get("rows", 1)),
            title=lambda company, params: "Document cassé",
            clean_params=dict,
        )
    )
    yield kind
    registry.unregister("broken")


def test_small_document_renders_inline_and_comes_back_finished(world, catalogue):
    job = services.render_job_start(user=world.alice, kind="price_list", params={})

    assert job.status == Status.DONE
    assert job.progress == 100
    assert job.page_count == 1
    assert job.estimated_rows == 4
    assert job.title.startswith("Tarif au ")
    assert job.company == world.company_a and job.created_by == world.alice
    assert (
        job.file.name
        == f"documents/{world.company_a.pk}/{job.created_at:%Y/%m}/price_list-{job.pk}.pdf"
    )
    assert "PLA-BA13" in pdf_text(job.file.read())
    assert job.message == "Prêt : 1 page."
    assert job.started_at <= job.finished_at
    assert not DBTaskResult.objects.exists()  # nothing queued
    entry = AuditEntry.objects.get(action="render_job_start")
    assert entry.data == {"kind": "price_list", "params": {}, "rows": 4, "inline": True}


def test_read_only_member_may_print(world, catalogue):
    job = services.render_job_start(user=world.bob, kind="price_list", params={"kind": "labour"})

    assert job.status == Status.DONE
    assert job.params == {"kind": "labour"}
    text = pdf_text(job.file.read())
    assert "MO-ELEC" in text and "PLA-BA13" not in text


def test_unknown_kind_or_bad_params_create_nothing(world, catalogue):
    with pytest.raises(DomainError):
        services.render_job_start(user=world.alice, kind="nope", params={})
    with pytest.raises(DomainError) as error:
        services.render_job_start(user=world.alice, kind="price_list", params={"kind": "gold"})

    assert error.value.field == "kind"
    assert not RenderJob.objects.exists()
    assert not AuditEntry.objects.filter(action="render_job_start").exists()


def test_large_document_waits_for_the_worker(
    world, catalogue, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 3

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.render_job_start(user=world.alice, kind="price_list", params={})

    assert len(callbacks) == 1  # the task is enqueued only once the job row is committed
    assert (job.status, job.progress, job.file.name) == (Status.QUEUED, 0, "")


def test_a_job_is_rendered_only_once(world, catalogue):
    job = services.render_job_start(user=world.alice, kind="price_list", params={})
    finished_at = job.finished_at

    again = services.render_job_run(job_id=job.pk)  # e.g. the task delivered twice

    assert again.status == Status.DONE and again.finished_at == finished_at
    assert again.file.name == job.file.name


def test_a_failing_inline_render_is_stored_as_failed(world, broken_kind):
    job = services.render_job_start(user=world.alice, kind="broken", params={})

    assert job.status == Status.FAILED
    assert job.error == "RuntimeError: catalogue unavailable"
    assert job.message == "Le document n'a pas pu être généré."
    assert job.finished_at is not None and not job.file


@pytest.fixture
def probed_price_list():
    """The price list, registered as a kind that reads its own job row while it renders:
    once its data is asked for, and once the PDF is laid out (`finish`)."""
    seen = []

    def job_row():
        return RenderJob.objects.values_list("status", "progress", "message").get()

    def build_context(company, params):
        seen.append(job_row())
        return price_list.build_context(company, params)

    def finish(content, company, params):
        seen.append(job_row())
        return content

    registry.register(
        replace(price_list.PRICE_LIST, key="probed", build_context=build_context, finish=finish)
    )
    yield seen
    registry.unregister("probed")


@pytest.mark.django_db(transaction=True)
def test_large_document_goes_through_the_queue_and_the_worker(
    world, catalogue, settings, probed_price_list
):
    settings.DOCUMENTS_INLINE_MAX_ROWS = 3

    job = services.render_job_start(user=world.alice, kind="probed", params={})
    assert (job.status, job.progress, job.started_at, job.progress_at) == (
        Status.QUEUED,
        0,
        None,
        None,
    )
    assert DBTaskResult.objects.get().status == "READY"

    run_worker()

    # What the polling page read from the job row at each stage.
    assert probed_price_list == [
        (Status.RUNNING, 5, "Lecture des données…"),
        (Status.RUNNING, 90, "1 page mise en page ; écriture du PDF…"),
    ]
    job.refresh_from_db()
    assert (job.status, job.progress, job.error, job.message) == (
        Status.DONE,
        100,
        "",
        "Prêt : 1 page.",
    )
    assert job.page_count == 1
    assert job.started_at <= job.progress_at <= job.finished_at
    text = pdf_text(job.file.read())
    assert "ELE-PC16 Prise 16 A u 1 234,50 € 20 %" in text
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_failing_render_in_the_worker_ends_failed(world, broken_kind):
    with transaction.atomic():
        job = services.render_job_start(user=world.alice, kind="broken", params={"rows": 10_000})
    assert job.status == Status.QUEUED

    run_worker()

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert job.error == "RuntimeError: catalogue unavailable"
    assert job.progress == 5 and job.finished_at is not None and not job.file
    assert DBTaskResult.objects.get().status == "FAILED"
