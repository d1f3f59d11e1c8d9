"""Pages: generated documents, the price list form, a job's progress, the download."""

from __future__ import annotations

import re

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from chantier.core.access import acting_user
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, company_of_request, file_download, is_htmx, posted
from chantier.documents import price_list, selectors, services
from chantier.documents.forms import PriceListForm
from chantier.documents.models import RenderJob


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = selectors.render_jobs(company_of_request(request))
    return render(request, "documents/job_list.html", paginate(request, jobs))


@require_http_methods(["GET", "POST"])
def price_list_form(request: HttpRequest) -> HttpResponse:
    """Any member may print the price list (printing reads; see services.render_job_start)."""
    form = PriceListForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            job = services.render_job_start(
                user=acting_user(request), kind=price_list.KEY, params=form.cleaned_data
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            return redirect("documents:job_detail", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/price_list_form.html", {"form": form}, status=status)


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job page; htmx polls the same URL every second for the progress partial."""
    job = selectors.get_render_job_for_user(acting_user(request), pk)
    job = services.render_job_mark_stale(job=job)  # a dead worker's job stops polling
    template = "documents/job_detail.html"
    if is_htmx(request):
        template += "#progress"
    response = render(request, template, {"job": job})
    patch_vary_headers(response, ["HX-Request"])
    return response


def download_name(job: RenderJob) -> str:
    """'tarif-au-2026-11-25.pdf': dates in the title written so that they survive slugify."""
    title = re.sub(r"(\d{2})/(\d{2})/(\d{4})", r"\3-\2-\1", job.title)
    return f"{slugify(title) or job.kind}.pdf"


@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = selectors.get_render_job_for_user(acting_user(request), pk)
    if not job.is_downloadable:
        raise Http404("not ready")
    return file_download(
        job.file,
        filename=download_name(job),
        content_type="application/pdf",
        as_attachment=request.GET.get("inline") != "1",
    )
