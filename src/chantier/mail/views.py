"""Pages of the mail app: outbox, message, attachment download, retry, compose."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chantier.core.access import acting_user, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.models import User
from chantier.core.pagination import paginate
from chantier.core.web import add_service_error, file_download, posted
from chantier.mail import registry, selectors, services
from chantier.mail.exceptions import AlreadyQueued
from chantier.mail.forms import ComposeForm, TemplateChoiceForm
from chantier.mail.models import OutboxMessage
from chantier.parties.selectors import get_client_for_user


def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    queryset = selectors.outbox_messages(
        acting_user(request), q=request.GET.get("q", ""), status=status
    )
    context = paginate(request, queryset)
    pending = {OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING}
    context.update(
        status=status,
        statuses=OutboxMessage.Status.choices,
        has_pending=any(m.status in pending for m in context["object_list"]),
    )
    return render(request, "mail/outbox.html", context)


def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_for_user(acting_user(request), pk)
    context = {
        "message": message,
        "attachments": list(message.attachments.all()),
        "can_retry": services.can_retry(message),
    }
    return render(request, "mail/message_detail.html", context)


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_for_user(acting_user(request), pk)
    return file_download(
        attachment.file, filename=attachment.filename, content_type=attachment.content_type
    )


@writer_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    message = selectors.message_for_user(user, pk)
    try:
        services.message_retry(user=user, message=message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The email is queued to be sent again."))
    return redirect("mail:message_detail", pk=message.pk)


@writer_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    """/mail/compose/?client=<id>&template=<key>: review and edit, then queue."""
    user = acting_user(request)
    draft = _requested_draft(request, user)
    form = ComposeForm(posted(request), draft=draft)
    if form.is_bound and form.is_valid():
        try:
            message = services.message_queue(user=user, draft=form.edited_draft())
        except AlreadyQueued as exc:
            messages.info(request, exc.message)
            return redirect("mail:message_detail", pk=exc.existing.pk)
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            text = _("The email to %(to)s is queued for sending.")
            messages.success(request, text % {"to": message.recipients_display})
            return redirect("mail:outbox")
    status = 400 if form.is_bound else 200
    return render(request, "mail/compose.html", _compose_context(request, form), status=status)


def _requested_draft(request: HttpRequest, user: User) -> services.Draft:
    """The draft the query string asks for; 404 for an unknown template or client."""
    client_id = request.GET.get("client")
    client = get_client_for_user(user, client_id) if client_id else None
    template_key = request.GET.get("template") or registry.DEFAULT_KEY
    if registry.get(template_key) is None:
        raise Http404("unknown template")
    return services.message_prepare(
        user=user, template_key=template_key, client=client, params=request.GET
    )


def _compose_context(request: HttpRequest, form: ComposeForm) -> dict[str, Any]:
    draft = form.draft
    return {
        "form": form,
        "template_form": TemplateChoiceForm(initial={"template": draft.template_key}),
        "client": draft.client,
        "draft": draft,
        # The template chooser keeps the other parameters (client, a later app's object).
        "kept_params": [(k, v) for k, v in request.GET.items() if k != "template"],
        "attachments": [
            {"filename": name, "content_type": ctype, "size": len(content)}
            for name, ctype, content in draft.attachments
        ],
    }
