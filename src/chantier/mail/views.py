"""Pages of the mail app: outbox, message, attachment download, retry, compose."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chantier.core.access import acting_user, get_for_company, writer_required
from chantier.core.exceptions import DomainError
from chantier.core.pagination import paginate
from chantier.mail import registry, selectors, services
from chantier.mail.forms import ComposeForm, TemplateChoiceForm
from chantier.mail.models import OutboxMessage
from chantier.parties.models import Client


def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    queryset = selectors.outbox_messages(
        acting_user(request), q=request.GET.get("q", ""), status=status
    )
    context = paginate(request, queryset)
    context.update(status=status, statuses=OutboxMessage.Status.choices)
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
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
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
    client_id = request.GET.get("client")
    client = get_for_company(Client.objects.all(), user, client_id) if client_id else None
    template_key = request.GET.get("template") or registry.DEFAULT_KEY
    if registry.get(template_key) is None:
        raise Http404("unknown template")
    draft = services.message_prepare(
        user=user, template_key=template_key, client=client, params=request.GET
    )
    status = 200
    if request.method == "POST":
        form = ComposeForm(request.POST)
        if form.is_valid():
            try:
                message = services.message_queue(user=user, draft=form.apply(draft))
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("The email to %(to)s is queued for sending.")
                    % {"to": message.recipients_display},
                )
                return redirect("mail:outbox")
        status = 400
    else:
        form = ComposeForm(initial=ComposeForm.initial_from(draft))
    context = {
        "form": form,
        "template_form": TemplateChoiceForm(initial={"template": template_key}),
        "client": client,
        "draft": draft,
        # The template chooser keeps the other parameters (client, a later app's object).
        "kept_params": [(k, v) for k, v in request.GET.items() if k != "template"],
        "attachments": [
            {"filename": name, "content_type": ctype, "size": len(content)}
            for name, ctype, content in draft.attachments
        ],
    }
    return render(request, "mail/compose.html", context, status=status)
