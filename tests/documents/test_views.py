"""Pages: the jobs list, the price list form, the progress partial, the download."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from chantier.documents import services
from chantier.documents.models import RenderJob

from .conftest import pdf_text

Status = RenderJob.Status


@pytest.fixture
def done_job(world, catalogue):
    return services.render_job_start(user=world.alice, kind="price_list", params={})


@pytest.fixture
def running_job(world):
    return RenderJob.objects.create(
        company=world.company_a,
        created_by=world.alice,
        kind="price_list",
        title="Tarif en cours",
        status=Status.RUNNING,
        progress=40,
        message="Mise en page de la page 1 sur environ 3…",
    )


def test_price_list_form_starts_a_job_and_shows_it(alice_client, catalogue):
    page = alice_client.get("/documents/price-list/")
    assert page.status_code == 200
    assert 'name="kind"' in page.content.decode()

    response = alice_client.post("/documents/price-list/", {"kind": "labour"})

    job = RenderJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/documents/jobs/{job.pk}/"
    assert (job.status, job.params) == (Status.DONE, {"kind": "labour"})


def test_a_read_only_member_may_print(bob_client, catalogue):
    response = bob_client.post("/documents/price-list/", {})

    assert response.status_code == 302
    assert RenderJob.objects.get().status == Status.DONE


def test_a_bad_kind_is_a_form_error_and_nothing_is_created(alice_client, catalogue):
    response = alice_client.post("/documents/price-list/", {"kind": "gold"})

    assert response.status_code == 400
    assert "field-errors" in response.content.decode()
    assert not RenderJob.objects.exists()


def test_job_page_polls_while_the_job_runs(alice_client, running_job):
    page = alice_client.get(f"/documents/jobs/{running_job.pk}/").content.decode()
    assert "<h1>Tarif en cours</h1>" in page
    assert 'hx-trigger="every 1s"' in page

    partial = alice_client.get(f"/documents/jobs/{running_job.pk}/", headers={"HX-Request": "true"})

    html = partial.content.decode()
    assert "<h1>" not in html  # only the partial
    assert html.strip().startswith('<div id="job-progress"')
    assert f'hx-get="/documents/jobs/{running_job.pk}/"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress id="job-progress-bar" class="progress" max="100" value="40">' in html
    assert "Mise en page de la page 1 sur environ 3…" in html
    assert "HX-Request" in partial["Vary"]


def test_finished_job_stops_polling_and_offers_the_download(alice_client, done_job):
    html = alice_client.get(
        f"/documents/jobs/{done_job.pk}/", headers={"HX-Request": "true"}
    ).content.decode()

    assert "hx-trigger" not in html
    assert 'value="100"' in html
    assert f'href="/documents/jobs/{done_job.pk}/download/"' in html


def test_failed_job_shows_a_clear_message_but_not_the_raw_error(alice_client, running_job):
    RenderJob.objects.filter(pk=running_job.pk).update(
        status=Status.FAILED,
        error="OSError: [Errno 28] No space left: '/srv/chantier/var/media/documents/1/x.pdf'",
        message="Le document n'a pas pu être généré.",
        finished_at=timezone.now(),
    )

    html = alice_client.get(f"/documents/jobs/{running_job.pk}/").content.decode()

    assert "hx-trigger" not in html
    assert "Le document n'a pas pu être généré. Réessayez" in html
    assert f"numéro du document {running_job.pk}" in html
    assert "OSError" not in html and "/srv/chantier" not in html
    running_job.refresh_from_db()
    assert running_job.error.startswith("OSError")  # kept for the administrator


def test_a_job_whose_worker_stopped_ends_failed_and_stops_polling(alice_client, running_job):
    """A worker killed mid-render leaves its job RUNNING: after STALE_AFTER without any
    progress the job page ends it as failed, says so and stops polling."""
    long_ago = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    RenderJob.objects.filter(pk=running_job.pk).update(started_at=long_ago, progress_at=long_ago)

    partial = alice_client.get(f"/documents/jobs/{running_job.pk}/", headers={"HX-Request": "true"})

    html = partial.content.decode()
    assert "hx-trigger" not in html
    assert "La génération s&#x27;est arrêtée avant la fin" in html
    with translation.override("fr"):
        assert f">{Status.FAILED.label}</label>" in html
    job = RenderJob.objects.get()
    assert (job.status, job.progress) == (Status.FAILED, 40)
    assert job.finished_at is not None and job.error.startswith("stale: no progress since")


def test_a_job_that_progressed_recently_keeps_polling(alice_client, running_job):
    started = timezone.now() - services.STALE_AFTER - timedelta(minutes=30)
    recent = timezone.now() - timedelta(minutes=1)
    RenderJob.objects.filter(pk=running_job.pk).update(started_at=started, progress_at=recent)

    html = alice_client.get(f"/documents/jobs/{running_job.pk}/").content.decode()

    assert 'hx-trigger="every 1s"' in html
    assert RenderJob.objects.get().status == Status.RUNNING


def test_mark_stale_leaves_a_job_that_progressed_meanwhile(running_job):
    long_ago = timezone.now() - services.STALE_AFTER - timedelta(minutes=1)
    RenderJob.objects.filter(pk=running_job.pk).update(started_at=long_ago, progress_at=long_ago)
    job = RenderJob.objects.get()
    RenderJob.objects.filter(pk=job.pk).update(progress_at=timezone.now())  # the worker lives

    assert services.render_job_mark_stale(job=job).status == Status.RUNNING


def test_download_as_alice(alice_client, done_job):
    response = alice_client.get(f"/documents/jobs/{done_job.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.match(
        r'attachment; filename="tarif-au-\d{4}-\d{2}-\d{2}\.pdf"', response["Content-Disposition"]
    )
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-")
    assert "PLA-BA13" in pdf_text(content)
    inline = alice_client.get(f"/documents/jobs/{done_job.pk}/download/?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")


def test_an_unfinished_job_has_nothing_to_download(alice_client, running_job):
    assert alice_client.get(f"/documents/jobs/{running_job.pk}/download/").status_code == 404


def test_a_missing_file_is_a_404(alice_client, done_job):
    done_job.file.storage.delete(done_job.file.name)

    assert alice_client.get(f"/documents/jobs/{done_job.pk}/download/").status_code == 404


def test_another_company_gets_404(charlie_client, done_job):
    assert charlie_client.get(f"/documents/jobs/{done_job.pk}/").status_code == 404
    assert charlie_client.get(f"/documents/jobs/{done_job.pk}/download/").status_code == 404
    headers = {"HX-Request": "true"}
    assert charlie_client.get(f"/documents/jobs/{done_job.pk}/", headers=headers).status_code == 404


def test_jobs_list_shows_only_the_company_jobs(alice_client, charlie_client, done_job):
    page = alice_client.get("/documents/").content.decode()
    assert done_job.title in page
    assert f'href="/documents/jobs/{done_job.pk}/download/"' in page

    assert done_job.title not in charlie_client.get("/documents/").content.decode()


def test_jobs_list_runs_a_fixed_number_of_queries(
    world, alice_client, django_assert_max_num_queries
):
    RenderJob.objects.bulk_create(
        RenderJob(
            company=world.company_a,
            created_by=world.alice if n % 2 else world.bob,
            kind="price_list",
            title=f"Tarif {n:02d}",
            status=Status.DONE if n % 3 else Status.QUEUED,
            progress=100 if n % 3 else 0,
            file=f"documents/x/{n}.pdf" if n % 3 else "",
            page_count=2,
        )
        for n in range(40)
    )

    # session, user, membership (middleware), count, page
    with django_assert_max_num_queries(5):
        response = alice_client.get("/documents/?page=2")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Page 2 sur 2" in html or "Page 2 of 2" in html
    assert "bob" in html and "alice" in html


def test_a_job_waiting_long_for_the_worker_says_so(alice_client, world):
    from datetime import timedelta

    from django.utils import timezone

    job = RenderJob.objects.create(
        company=world.company_a, created_by=world.alice, kind="price_list", title="Tarif"
    )
    page = alice_client.get(f"/documents/jobs/{job.pk}/").content.decode()
    assert "chantier worker" not in page
    RenderJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    page = alice_client.get(f"/documents/jobs/{job.pk}/").content.decode()
    assert "chantier worker" in page
