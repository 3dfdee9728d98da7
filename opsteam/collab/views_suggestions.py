"""Pages of the suggestion box under /collab/suggestions/.

The list (filters, counts per status, a weekly throughput chart, export), a submit form that
shows an anonymous submitter their private link once, the public page of each suggestion with
votes, comments and history, the handlers' status changes, and the private follow page.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsteam.collab import selectors_suggestions as selectors
from opsteam.collab import services_suggestions as services
from opsteam.collab.filters_suggestions import SuggestionFilterSet
from opsteam.collab.forms_suggestions import (
    CommentForm,
    PlanForm,
    ReplyForm,
    SuggestionForm,
    TransitionForm,
)
from opsteam.collab.models_suggestions import Suggestion
from opsteam.collab.tables_suggestions import SUGGESTION_TABLE
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.models import AuditEntry
from opsteam.core.views import PolicyMixin, ScopedListView

# Anonymous submissions one browser session may make per day (spam, not secrecy: the counter
# lives only in the cache, keyed by a hash of the session, and expires with the day).
ANONYMOUS_PER_DAY = 5


class SuggestionListView(ScopedListView):
    model = Suggestion
    table = SUGGESTION_TABLE
    filterset_class = SuggestionFilterSet
    title = gettext_lazy("Suggestion box")
    export_stem = "suggestions"
    template_name = "collab/suggestions/suggestion_list.html"
    partial_template_name = "collab/suggestions/partials/suggestion_table.html"
    create_url = "collab:suggestion_create"
    empty_hint = gettext_lazy("Ideas that make work easier start here: submit the first one.")

    def base_queryset(self, action="view"):
        return selectors.suggestion_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not (getattr(self.request, "htmx", False) and not self.request.htmx.boosted):
            everything = Suggestion.objects.restrict(self.request.user, "view")
            chart = selectors.throughput_chart(selectors.throughput())
            context.update(
                status_counts=selectors.status_counts(everything),
                overdue=selectors.overdue_count(everything),
                chart=chart,
                has_chart=any(any(series["data"]) for series in chart["series"]),
            )
        return context


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    digest = hashlib.sha256(request.session.session_key.encode()).hexdigest()[:32]
    return f"collab:suggestion-anon:{digest}"


class SuggestionCreateView(PolicyMixin, View):
    """Submit a suggestion. An anonymous one answers with its private link on the page itself
    (never in a redirect, a message or the session), shown this once."""

    template_name = "collab/suggestions/suggestion_form.html"

    def render_form(self, form, status=200):
        context = {"title": _("New suggestion"), "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        policy.require(request.user, "add", Suggestion)
        return self.render_form(SuggestionForm(initial={"category": "process"}))

    def post(self, request):
        policy.require(request.user, "add", Suggestion)
        form = SuggestionForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        key = _session_key(request) if data["anonymous"] else ""
        if data["anonymous"] and (cache.get(key) or 0) >= ANONYMOUS_PER_DAY:
            form.add_error(
                None,
                _(
                    "You have sent {count} anonymous suggestions today; please wait until tomorrow."
                ).format(count=ANONYMOUS_PER_DAY),
            )
            return self.render_form(form, status=429)
        try:
            suggestion, token = services.suggestion_create(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                category=data["category"],
                unit=data["unit"],
                anonymous=data["anonymous"],
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_form(form, status=400)
        if token is None:
            messages.success(request, _("Thank you, your suggestion is in."))
            return redirect(suggestion.get_absolute_url())
        cache.set(key, (cache.get(key) or 0) + 1, timeout=24 * 3600)
        follow_url = request.build_absolute_uri(reverse("collab:suggestion_follow", args=[token]))
        context = {"title": _("Your anonymous suggestion is in"), "object": suggestion}
        context["follow_url"] = follow_url
        return render(request, "collab/suggestions/suggestion_created.html", context)


class SuggestionDetailView(PolicyMixin, View):
    """The public page of a suggestion: text, votes, status, history and comments; handlers
    see the status change and plan forms."""

    template_name = "collab/suggestions/suggestion_detail.html"

    def get(self, request, pk: int):
        suggestion = selectors.suggestion_get(user=request.user, pk=pk)
        return self.render_page(suggestion)

    def render_page(self, suggestion, *, transition_form=None, plan_form=None, status=200):
        user = self.request.user
        can_handle = policy.can(user, "handle", suggestion)
        context = {
            "title": suggestion.title,
            "object": suggestion,
            **selectors.suggestion_thread(suggestion=suggestion),
            "can_vote": policy.can(user, "vote", Suggestion),
            "can_comment": policy.can(user, "comment", Suggestion),
            "can_follow": policy.can(user, "follow", Suggestion),
            "can_handle": can_handle,
            "comment_form": CommentForm(),
        }
        if can_handle and suggestion.next_statuses:
            context["transition_form"] = transition_form or TransitionForm(suggestion=suggestion)
        if can_handle and suggestion.status in ("accepted", "in_progress"):
            context["plan_form"] = plan_form or PlanForm(
                initial={"owner": suggestion.owner_id, "due_date": suggestion.due_date}
            )
        if policy.can(user, "view", AuditEntry):
            context["history_query"] = f"object_type=collab.suggestion&object_id={suggestion.pk}"
        return render(self.request, self.template_name, context, status=status)


class _SuggestionPost(PolicyMixin, View):
    """A POST on one suggestion: 404 when it does not exist, then the service decides."""

    def post(self, request, pk: int):
        suggestion = selectors.suggestion_get(user=request.user, pk=pk)
        return self.perform(request, suggestion)

    def perform(self, request, suggestion):
        raise NotImplementedError


class SuggestionVoteView(_SuggestionPost):
    def perform(self, request, suggestion):
        voted = services.suggestion_vote(actor=request.user, suggestion=suggestion)
        if getattr(request, "htmx", False):
            suggestion.my_vote = voted
            return render(
                request,
                "collab/suggestions/partials/vote_button.html",
                {"object": suggestion, "can_vote": True},
            )
        return redirect(suggestion.get_absolute_url())


class SuggestionFollowView(_SuggestionPost):
    def perform(self, request, suggestion):
        following = request.POST.get("following") != "0"
        services.suggestion_follow(actor=request.user, suggestion=suggestion, following=following)
        messages.success(
            request,
            _("You will hear about changes and replies.")
            if following
            else _("You no longer follow this suggestion."),
        )
        return redirect(suggestion.get_absolute_url())


class SuggestionCommentView(_SuggestionPost):
    def perform(self, request, suggestion):
        form = CommentForm(request.POST)
        if not form.is_valid():
            policy.require(request.user, "comment", suggestion)
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(suggestion.get_absolute_url())
        try:
            services.suggestion_comment(
                actor=request.user,
                suggestion=suggestion,
                body=form.cleaned_data["body"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except (PolicyDenied, NotVisible):
            raise
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Comment added."))
        return redirect(suggestion.get_absolute_url() + "#comments")


class SuggestionTransitionView(SuggestionDetailView):
    """POST: a handler moves the suggestion on; errors come back inline on the page."""

    def post(self, request, pk: int):
        suggestion = selectors.suggestion_get(user=request.user, pk=pk)
        policy.require(request.user, "handle", suggestion)
        form = TransitionForm(request.POST, suggestion=suggestion)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.suggestion_transition(
                    actor=request.user,
                    suggestion=suggestion,
                    to_status=data["to_status"],
                    note=data["note"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Status changed; people following it are told."))
                return redirect(suggestion.get_absolute_url())
        return self.render_page(suggestion, transition_form=form, status=400)

    def get(self, request, pk: int):
        return redirect("collab:suggestion_detail", pk=pk)


class SuggestionPlanView(SuggestionDetailView):
    """POST: a handler changes the owner or due date of an accepted suggestion."""

    def post(self, request, pk: int):
        suggestion = selectors.suggestion_get(user=request.user, pk=pk)
        policy.require(request.user, "handle", suggestion)
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_plan(
                    actor=request.user, suggestion=suggestion, **form.cleaned_data
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Owner and due date saved."))
                return redirect(suggestion.get_absolute_url())
        return self.render_page(suggestion, plan_form=form, status=400)

    def get(self, request, pk: int):
        return redirect("collab:suggestion_detail", pk=pk)


class SuggestionFollowTokenView(PolicyMixin, View):
    """The anonymous submitter's private page: status, history, comments and a reply box.
    The token alone decides (a wrong one is a 404); who opens it is not recorded."""

    template_name = "collab/suggestions/suggestion_follow.html"

    def render_page(self, suggestion, form, status=200):
        context = {
            "title": suggestion.title,
            "object": suggestion,
            "form": form,
            **selectors.suggestion_thread(suggestion=suggestion),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, token: str):
        return self.render_page(services.suggestion_by_token(token), ReplyForm())

    def post(self, request, token: str):
        suggestion = services.suggestion_by_token(token)
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_reply_by_token(token=token, body=form.cleaned_data["body"])
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error("body", exc.message)
            else:
                messages.success(request, _("Your reply is posted anonymously."))
                return redirect(request.path)
        return self.render_page(suggestion, form, status=400)
