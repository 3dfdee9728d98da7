"""Knowledge-base pages under /collab/knowledge/: search and list, a document with its links
and attachments, writing and editing, the version history, a version, diffs and restores."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.collab import selectors_knowledge as selectors
from opsteam.collab import services_knowledge as services
from opsteam.collab.forms_knowledge import (
    AttachForm,
    DocumentCreateForm,
    DocumentForm,
    RestoreForm,
    SearchForm,
)
from opsteam.collab.models_knowledge import Document, DocumentCategory
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import ObjectPostView, PolicyMixin, ServiceFormView
from opsteam.training import files


class DocumentListView(PolicyMixin, View):
    """Search and browse the documents the user may read (htmx: only the results)."""

    template_name = "collab/knowledge/document_list.html"
    partial_template_name = "collab/knowledge/partials/results.html"
    paginate_by = 20

    def get(self, request):
        user = request.user
        policy.require(user, "view", Document)
        form = SearchForm(request.GET or None)
        filters = form.filters()
        queryset = selectors.document_search(user=user, filters=filters)
        page = Paginator(queryset, self.paginate_by).get_page(request.GET.get("page"))
        documents = selectors.with_snippets(list(page.object_list), filters.query)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "title": _("Knowledge base"),
            "form": form,
            "page_obj": page,
            "documents": documents,
            "filters": filters,
            "querystring_base": query.urlencode(),
            "can_add": policy.can(user, "add", Document),
            "categories": DocumentCategory.choices,
        }
        htmx = getattr(request, "htmx", False)
        template = self.partial_template_name if htmx and not htmx.boosted else self.template_name
        return render(request, template, context)


class DocumentDetailView(PolicyMixin, View):
    """A document: its text, tags, links, attachments and the actions the user may take."""

    def get(self, request, pk):
        user = request.user
        document = selectors.document_get(user=user, pk=pk)
        context = {
            "title": document.title,
            "object": document,
            "versions": list(selectors.version_list(document=document)[:5]),
            "attachments": list(selectors.attachment_list(document=document)),
            "attach_form": AttachForm(),
            "max_upload_mb": services.max_upload_bytes() // (1024 * 1024),
            **selectors.links_of(document),
            **selectors.permissions(user, document),
        }
        return render(request, "collab/knowledge/document_detail.html", context)


class DocumentCreateView(ServiceFormView):
    form_class = DocumentCreateForm
    model = Document
    policy_action = "add"
    title = gettext_lazy("New document")
    template_name = "collab/knowledge/document_form.html"
    success_message = gettext_lazy("The document is saved as version 1.")

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        initial: dict[str, Any] = {"visibility": "everyone"}
        units = selectors.own_unit_paths(self.request.user)
        if units:
            from opsteam.org.models import OrgUnit

            initial["unit"] = OrgUnit.objects.filter(path=units[0]).values_list("pk", flat=True)
            initial["unit"] = initial["unit"].first()
        category = self.request.GET.get("category", "")
        if category in DocumentCategory.values:
            initial["category"] = category
        return initial

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("collab:document_list")
        return context

    def perform(self, form, obj):
        return services.document_create(actor=self.request.user, **form.document_data())


class DocumentEditView(ServiceFormView):
    form_class = DocumentForm
    model = Document
    title = gettext_lazy("Edit document")
    template_name = "collab/knowledge/document_form.html"
    success_message = gettext_lazy("Saved. A changed text is kept as a new version.")

    def get_object(self):
        document = selectors.document_get(user=self.request.user, pk=self.kwargs["pk"])
        if not selectors.can_edit(self.request.user, document):
            raise PolicyDenied()
        return document

    def form_kwargs(self, obj):
        return {"user": self.request.user}

    def get_initial(self, obj):
        return {
            "title": obj.title,
            "category": obj.category,
            "unit": obj.unit_id,
            "visibility": obj.visibility,
            "tags": ", ".join(obj.tag_list),
            "body": obj.body,
            "positions": list(obj.positions.values_list("pk", flat=True)),
            "steps": list(obj.steps.values_list("pk", flat=True)),
        }

    def context(self, form, obj):
        context = super().context(form, obj)
        context["editing"] = True
        return context

    def perform(self, form, obj):
        return services.document_update(
            actor=self.request.user, document=obj, **form.document_data()
        )


class DocumentPostView(ObjectPostView):
    """A POST on a document the user may read (404 otherwise); the service checks the right."""

    model = Document
    permission = "view"

    def get_queryset(self):
        return selectors.document_list(user=self.request.user)


class DocumentPublishView(DocumentPostView):
    def perform(self, obj, data):
        services.document_publish(actor=self.request.user, document=obj)
        return _("The document is published.")


class DocumentArchiveView(DocumentPostView):
    def perform(self, obj, data):
        services.document_archive(actor=self.request.user, document=obj)
        return _("The document is archived: it no longer shows in search or on linked pages.")


class DocumentDeleteView(DocumentPostView):
    def perform(self, obj, data):
        services.document_delete(actor=self.request.user, document=obj)
        return _("The document is deleted.")

    def redirect_url(self, obj):
        return reverse("collab:document_list")


class DocumentAttachView(DocumentPostView):
    form_class = AttachForm

    def post(self, request, pk):
        document = selectors.document_get(user=request.user, pk=pk)
        if not selectors.can_edit(request.user, document):
            raise PolicyDenied()  # before the form: a denied upload is a 403, not a message
        return super().post(request, pk)

    def perform(self, obj, data):
        attachment = services.attachment_add(
            actor=self.request.user, document=obj, file=data["file"]
        )
        return _("“{name}” is attached.").format(name=attachment.name)

    def redirect_url(self, obj):
        return obj.get_absolute_url() + "#attachments"


class AttachmentDownloadView(PolicyMixin, View):
    """Serve an attachment, under its original name, to whoever may read its document."""

    def get(self, request, pk):
        attachment = selectors.attachment_get(user=request.user, pk=pk)
        return files.file_response(attachment.file, attachment.name.rsplit(".", 1)[0])


class AttachmentDeleteView(PolicyMixin, View):
    def post(self, request, pk):
        attachment = selectors.attachment_get(user=request.user, pk=pk)
        services.attachment_delete(actor=request.user, attachment=attachment)
        messages.success(request, _("“{name}” is removed.").format(name=attachment.name))
        return redirect(attachment.document.get_absolute_url() + "#attachments")


class DocumentHistoryView(PolicyMixin, View):
    """Every version, newest first, with a picker for comparing two of them."""

    def get(self, request, pk):
        document = selectors.document_get(user=request.user, pk=pk)
        versions = list(selectors.version_list(document=document))
        context = {
            "title": _("History: {title}").format(title=document.title),
            "object": document,
            "versions": versions,
            **selectors.permissions(request.user, document),
        }
        return render(request, "collab/knowledge/document_history.html", context)


class DocumentVersionView(PolicyMixin, View):
    """One saved version as it read then."""

    def get(self, request, pk, number):
        document = selectors.document_get(user=request.user, pk=pk)
        version = selectors.version_get(document=document, number=number)
        context = {
            "title": _("{title} · version {number}").format(
                title=document.title, number=version.number
            ),
            "object": document,
            "version": version,
            "restore_form": RestoreForm(),
            **selectors.permissions(request.user, document),
        }
        return render(request, "collab/knowledge/document_version.html", context)


class DocumentRestoreView(PolicyMixin, View):
    def post(self, request, pk, number):
        document = selectors.document_get(user=request.user, pk=pk)
        form = RestoreForm(request.POST)
        note = form.cleaned_data["change_note"] if form.is_valid() else ""
        try:
            services.document_restore(
                actor=request.user, document=document, number=number, change_note=note
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
            return redirect("collab:document_version", pk=document.pk, number=number)
        messages.success(
            request,
            _("Version {number} is restored as version {new}.").format(
                number=number, new=document.version
            ),
        )
        return redirect(document.get_absolute_url())


def _version_number(value: str | None, default: int) -> int:
    if value and value.isdigit() and len(value) < 10:
        return int(value)
    return default


class DocumentDiffView(PolicyMixin, View):
    """Compare two versions (default: the previous and the current one), side by side or
    unified."""

    def get(self, request, pk):
        document = selectors.document_get(user=request.user, pk=pk)
        new_number = _version_number(request.GET.get("b"), document.version)
        old_number = _version_number(request.GET.get("a"), max(new_number - 1, 1))
        old = selectors.version_get(document=document, number=old_number)
        new = selectors.version_get(document=document, number=new_number)
        mode = "unified" if request.GET.get("mode") == "unified" else "side"
        rows = selectors.diff_rows(old.body, new.body)
        context = {
            "title": _("Compare versions: {title}").format(title=document.title),
            "object": document,
            "old": old,
            "new": new,
            "mode": mode,
            "rows": rows,
            "stats": selectors.diff_stats(rows),
            "title_changed": old.title != new.title,
            "unified": selectors.unified_diff(
                old.body, new.body, old_label=f"v{old.number}", new_label=f"v{new.number}"
            )
            if mode == "unified"
            else "",
            "numbers": list(
                selectors.version_list(document=document).values_list("number", flat=True)
            ),
        }
        return render(request, "collab/knowledge/document_diff.html", context)
