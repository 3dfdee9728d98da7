"""Growth pages: my growth, team readiness, the ladder and standard editors, the competency
framework and development plans."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.careers import selectors_growth, services, services_framework
from opsteam.careers.choices import PlanStatus, StandardStatus
from opsteam.careers.forms_growth import (
    ActionForm,
    CertificateFormSet,
    CheckInForm,
    CompetencyForm,
    CompetencyFormSet,
    DevelopmentPlanFilterSet,
    PlanCloseForm,
    PlanCreateForm,
    ReadinessFilterForm,
    SkillGroupForm,
    StandardForm,
    StepFormSet,
    TrackForm,
    course_choices,
    kept_rows,
    ladder_steps,
    level_choices,
)
from opsteam.careers.models import (
    CareerStep,
    CareerTrack,
    DevelopmentAction,
    DevelopmentPlan,
    LevelStandard,
    Nomination,
)
from opsteam.careers.tables import PLAN_TABLE, READINESS_TABLE, TRACK_TABLE
from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import (
    ObjectPostView,
    PolicyMixin,
    ScopedDetailView,
    ScopedListView,
    ServiceFormView,
)
from opsteam.org.models import JobLevel, Skill, SkillGroup, SkillLevelDescriptor, Staff
from opsteam.training.models import Course


def nominate_url(staff: Staff, level: JobLevel) -> str | None:
    """The nomination page for ``staff`` and ``level`` (None until the rounds pages exist)."""
    try:
        base = reverse("careers:nominate")
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'staff': staff.pk, 'level': level.pk})}"


def plan_create_url(staff: Staff, level: JobLevel | None) -> str:
    query = {"staff": staff.pk}
    if level is not None:
        query["level"] = level.pk
    return f"{reverse('careers:plan_create')}?{urlencode(query)}"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


# My growth and team readiness -----------------------------------------------------------------


class MyGrowthView(PolicyMixin, TemplateView):
    """Current level, each next level with every standard met or missed and what it would take,
    the active development plan and the reward history. ``?staff=<id>`` shows someone the
    user may see (a manager's report, anyone for HR)."""

    template_name = "careers/growth/my_growth.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        staff_id = _int(self.request.GET.get("staff"))
        people = Staff.objects.select_related("level", "unit", "position")
        if staff_id is not None:
            staff = policy.scoped_get(people, user, pk=staff_id)
        else:
            staff = people.filter(user=user).first()
        if staff is None:
            context.update(title=_("My growth"), growth=None)
            return context
        growth = selectors_growth.growth_for(viewer=user, staff=staff)
        own = staff.user_id == user.pk
        can_plan = policy.can_for_person(user, "add", DevelopmentPlan, staff)
        nominating = selectors_growth.open_round_exists() and policy.can_for_person(
            user, "nominate", Nomination, staff
        )
        for item in growth.next_levels:
            item.plan_url = plan_create_url(staff, item.level) if can_plan else None
            item.nominate_url = nominate_url(staff, item.level) if nominating else None
        context.update(
            title=_("My growth") if own else _("Growth: {name}").format(name=staff),
            growth=growth,
            own=own,
            can_plan=can_plan,
        )
        return context


class TeamReadinessView(PolicyMixin, TemplateView):
    """People ranked by readiness for their next levels (managers: their subtree; HR,
    administrators and auditors: everyone), filters, a chart and a CSV/XLSX export."""

    template_name = "careers/growth/team_readiness.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "list", Staff)
        file_format = request.GET.get("export")
        if file_format in {"csv", "xlsx"}:
            policy.require(request.user, "export", Staff)
            form = ReadinessFilterForm(request.GET)
            rows = selectors_growth.team_readiness(user=request.user, **form.selection())
            header = [str(column.label) for column in READINESS_TABLE.export_columns()]
            return exports.spreadsheet_response(
                stem="team-readiness",
                file_format=file_format,
                header=header,
                rows=READINESS_TABLE.rows(rows),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        form = ReadinessFilterForm(request.GET or None)
        selection = form.selection()
        scope_size = None
        if selection["unit"] is None:
            scope_size = selectors_growth.readiness_scope_size(user=user)
        choose_unit = scope_size is not None and scope_size > selectors_growth.READINESS_PAGE_LIMIT
        rows = [] if choose_unit else selectors_growth.team_readiness(user=user, **selection)
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        nominating = selectors_growth.open_round_exists() and policy.can(
            user, "nominate", Nomination
        )
        can_plan = policy.can(user, "add", DevelopmentPlan)
        for row in page.object_list:
            row.nominate_url = nominate_url(row.staff, row.target) if nominating else None
            row.plan_url = plan_create_url(row.staff, row.target) if can_plan else None
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            title=_("Team readiness"),
            form=form,
            page=page,
            rows=page.object_list,
            total=len(rows),
            ready_count=None
            if choose_unit
            else sum(1 for row in rows if row.result.ready and row.has_standard),
            people_count=scope_size if choose_unit else len({row.staff.pk for row in rows}),
            chart=selectors_growth.readiness_chart(rows),
            querystring_base=query.urlencode(),
            choose_unit=choose_unit,
            scope_size=scope_size,
            nominating=nominating,
            can_export=policy.can(user, "export", Staff),
        )
        return context


# Ladders --------------------------------------------------------------------------------------


class TrackListView(ScopedListView):
    """The career tracks with their levels, and a chart of every ladder and the moves between
    them."""

    model = CareerTrack
    table = TRACK_TABLE
    title = gettext_lazy("Career ladders")
    export_stem = "career-tracks"
    create_url = "careers:track_create"
    template_name = "careers/growth/track_list.html"
    empty_hint = gettext_lazy(
        "A track orders job levels from junior to senior: a professional ladder and a"
        " management ladder."
    )

    def base_queryset(self, action="view"):
        return selectors_growth.track_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tracks = list(selectors_growth.track_list(user=self.request.user).filter(is_active=True))
        context["ladder_chart"] = selectors_growth.ladder_chart(tracks) if tracks else None
        return context


class TrackDetailView(ScopedDetailView):
    """One track drawn as a ladder: each step's level, its published standard (version) and
    draft, and the arrows to and from the other tracks; every saved version of the ladder, and
    with ``?version=<number>`` that version's ladder and what changed against the one before."""

    model = CareerTrack
    template_name = "careers/growth/track_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        track, user = self.object, self.request.user
        tracks = list(selectors_growth.track_list(user=user).filter(is_active=True))
        if track not in tracks:
            tracks.append(selectors_growth.track_list(user=user).get(pk=track.pk))
        versions = selectors_growth.track_versions(track)
        selected = None
        if "version" in self.request.GET:
            number = _int(self.request.GET.get("version"))
            selected = next((row for row in versions if row.number == number), None)
            if selected is None:
                raise Http404(_("This track has no such version."))
        context.update(
            title=track.display_name,
            ladder=list(reversed(selectors_growth.track_ladder(track))),
            ladder_chart=selectors_growth.ladder_chart(tracks, focus=track),
            can_change_standard=policy.can(user, "change", LevelStandard),
            versions=versions,
            selected_version=selected,
        )
        return context


class TrackEditView(PolicyMixin, View):
    """Create a track or edit one: its fields and its ladder (levels in order, each with the
    levels of other tracks that lead into it)."""

    template_name = "careers/growth/track_form.html"
    creating = False

    def get_object(self) -> CareerTrack | None:
        if self.creating:
            policy.require(self.request.user, "add", CareerTrack)
            return None
        return policy.scoped_get(
            CareerTrack.objects.all(), self.request.user, "change", pk=self.kwargs["pk"]
        )

    def forms(self, track: CareerTrack | None, data=None):
        initial: dict[str, Any] = {"is_active": True}
        steps: list[dict[str, Any]] = []
        if track is not None:
            initial = {name: getattr(track, name) for name in TrackForm.base_fields}
            steps = [
                {
                    "order": step.order,
                    "level": step.level_id,
                    "entry_from": [level.pk for level in step.entry_from.all()],
                }
                for step in track.steps.prefetch_related("entry_from").order_by("order")
            ]
        levels = level_choices()
        formset = StepFormSet(
            data,
            initial=steps,
            prefix="steps",
            form_kwargs={"choices": {"level": levels, "entry_from": levels}},
        )
        return TrackForm(data, initial=initial), formset

    def render(self, track, form, formset, status=200):
        title = _("New career track") if track is None else _("Edit {track}").format(track=track)
        cancel = track.get_absolute_url() if track else reverse("careers:track_list")
        return render(
            self.request,
            self.template_name,
            {"object": track, "form": form, "steps": formset, "title": title, "cancel_url": cancel},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        track = self.get_object()
        return self.render(track, *self.forms(track))

    def post(self, request, *args, **kwargs):
        track = self.get_object()
        form, formset = self.forms(track, request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                track = services_framework.track_ladder_save(
                    actor=request.user,
                    track=track,
                    steps=ladder_steps(formset),
                    **form.cleaned_data,
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("The ladder is saved."))
                return redirect(track.get_absolute_url())
        return self.render(track, form, formset, status=400)


# Standards ------------------------------------------------------------------------------------


class StandardDetailView(ScopedDetailView):
    """A version of a level's standard: thresholds, competencies by group, courses,
    certificates, and every version of the level with what changed."""

    model = LevelStandard
    template_name = "careers/growth/standard_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("level", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard, user = self.object, self.request.user
        is_draft = standard.status == StandardStatus.DRAFT
        versions = selectors_growth.standard_versions(standard.level_id)
        draft = next(
            (v.standard for v in versions if v.standard.status == StandardStatus.DRAFT), None
        )
        context.update(selectors_growth.standard_children(standard))
        context.update(
            title=_("Standard for {level} · v{version}").format(
                level=standard.level.display_name, version=standard.version
            ),
            versions=versions,
            draft=draft,
            tracks=CareerStep.objects.filter(level=standard.level).select_related("track"),
            can_edit=is_draft and policy.can(user, "change", standard),
            can_publish=is_draft and policy.can(user, "publish", standard),
            can_new_draft=not is_draft and policy.can(user, "change", LevelStandard),
        )
        return context


class StandardEditView(PolicyMixin, View):
    """Edit a draft: thresholds, competencies with their minimum level (grouped by competency
    group), courses and certificates; save, or save and publish."""

    template_name = "careers/growth/standard_form.html"

    def get_object(self) -> LevelStandard:
        standard = policy.scoped_get(
            LevelStandard.objects.select_related("level"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )
        if standard.status != StandardStatus.DRAFT:
            raise Http404(_("Published versions are read-only: start a new draft."))
        return standard

    def forms(self, standard: LevelStandard, data=None):
        initial = {name: getattr(standard, name) for name in services.STANDARD_FIELDS}
        initial["courses"] = list(standard.courses.values_list("course_id", flat=True))
        competencies = [
            {"skill": row.skill_id, "min_level": row.min_level}
            for row in standard.competencies.order_by("skill__code")
        ]
        certificates = [
            {"course": row.course_id, "name": row.name}
            for row in standard.certificates.order_by("pk")
        ]
        courses = course_choices(include_inactive=True)
        return (
            StandardForm(data, initial=initial, choices={"courses": courses}),
            CompetencyFormSet(
                data,
                initial=competencies,
                prefix="competencies",
                form_kwargs={"choices": {"skill": selectors_growth.grouped_skill_choices()}},
            ),
            CertificateFormSet(
                data,
                initial=certificates,
                prefix="certificates",
                form_kwargs={"choices": {"course": courses}},
            ),
        )

    def render(self, standard, forms, status=200):
        form, competencies, certificates = forms
        return render(
            self.request,
            self.template_name,
            {
                "object": standard,
                "form": form,
                "competencies": competencies,
                "certificates": certificates,
                "title": _("Edit draft: {level} v{version}").format(
                    level=standard.level.display_name, version=standard.version
                ),
            },
            status=status,
        )

    def get(self, request, pk):
        standard = self.get_object()
        return self.render(standard, self.forms(standard))

    def post(self, request, pk):
        standard = self.get_object()
        forms = self.forms(standard, request.POST)
        form, competency_rows, certificate_rows = forms
        if all(f.is_valid() for f in forms):
            data = dict(form.cleaned_data)
            course_ids = data.pop("courses")
            competencies = kept_rows(competency_rows)
            certificates = kept_rows(certificate_rows)
            skills = Skill.objects.in_bulk([row["skill"] for row in competencies])
            courses = Course.objects.in_bulk(
                [*course_ids, *(row["course"] for row in certificates if row["course"])]
            )
            try:
                services.standard_update(
                    actor=request.user,
                    standard=standard,
                    competencies=[(skills[row["skill"]], row["min_level"]) for row in competencies],
                    courses=[courses[pk] for pk in course_ids],
                    certificates=[
                        (courses.get(row["course"]) if row["course"] else None, row["name"])
                        for row in certificates
                    ],
                    **data,
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                if exc.field and exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
            else:
                if "publish" not in request.POST:
                    messages.success(request, _("Draft saved."))
                    return redirect(standard.get_absolute_url())
                try:
                    services.standard_publish(actor=request.user, standard=standard)
                except OpsTeamError as exc:
                    messages.warning(
                        request,
                        _("Draft saved, but not published: {reason}").format(reason=exc.message),
                    )
                else:
                    messages.success(
                        request,
                        _("Version {version} is published; the previous one is retired.").format(
                            version=standard.version
                        ),
                    )
                return redirect(standard.get_absolute_url())
        return self.render(standard, forms, status=400)


class StandardNewDraftView(PolicyMixin, View):
    """POST: open (or continue) the next draft of a level's standard, copied from the
    published one."""

    def post(self, request, level_pk):
        level = policy.scoped_get(JobLevel.objects.all(), request.user, pk=level_pk)
        draft = services.standard_start_draft(actor=request.user, level=level)
        return redirect("careers:standard_edit", pk=draft.pk)


class StandardPublishView(ObjectPostView):
    model = LevelStandard
    permission = "publish"

    def perform(self, obj, data):
        services.standard_publish(actor=self.request.user, standard=obj)
        return _("Version {version} is published; the previous one is retired.").format(
            version=obj.version
        )


# Competency framework -------------------------------------------------------------------------


class CompetencyListView(PolicyMixin, TemplateView):
    """The competency framework: competencies by group, each with its level 1-5 descriptors."""

    template_name = "careers/growth/competency_list.html"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "view", Skill)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            title=_("Competency framework"),
            groups=selectors_growth.competency_framework(),
            levels=range(1, 6),
            can_change=policy.can(user, "change", SkillLevelDescriptor)
            and policy.can(user, "change", Skill),
            can_add_group=policy.can(user, "add", SkillGroup),
        )
        return context


class CompetencyEditView(ServiceFormView):
    form_class = CompetencyForm
    model = Skill
    title = gettext_lazy("Edit competency")
    success_message = gettext_lazy("The competency is saved.")

    def get_object(self):
        skill = policy.scoped_get(
            Skill.objects.all(), self.request.user, "change", pk=self.kwargs["skill_pk"]
        )
        policy.require(self.request.user, "change", SkillLevelDescriptor)
        return skill

    def get_initial(self, obj):
        initial: dict[str, Any] = {"group": obj.group_id}
        for row in SkillLevelDescriptor.objects.filter(skill=obj):
            initial[f"level_{row.level}"] = row.description
            initial[f"level_{row.level}_en"] = row.description_en
        return initial

    def context(self, form, obj):
        context = super().context(form, obj)
        context.update(
            title=_("Edit competency: {skill}").format(skill=obj.display_name),
            cancel_url=reverse("careers:competency_list"),
        )
        return context

    def perform(self, form, obj):
        return services_framework.skill_framework_update(
            actor=self.request.user,
            skill=obj,
            group=form.cleaned_data["group"],
            descriptors=form.descriptors(),
        )

    def success_url(self, result):
        return f"{reverse('careers:competency_list')}#skill-{result.pk}"


class SkillGroupCreateView(ServiceFormView):
    form_class = SkillGroupForm
    model = SkillGroup
    policy_action = "add"
    title = gettext_lazy("New competency group")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("careers:competency_list")
        return context

    def perform(self, form, obj):
        return services_framework.skill_group_create(actor=self.request.user, **form.cleaned_data)

    def success_url(self, result):
        return f"{reverse('careers:competency_list')}#group-{result.pk}"


class SkillGroupEditView(SkillGroupCreateView):
    policy_action = "change"
    title = gettext_lazy("Edit competency group")

    def perform(self, form, obj):
        return services_framework.skill_group_update(
            actor=self.request.user, group=obj, **form.cleaned_data
        )


# Development plans ----------------------------------------------------------------------------


class PlanListView(ScopedListView):
    """Development plans: the user's own, their team's (managers), everyone's (HR)."""

    model = DevelopmentPlan
    table = PLAN_TABLE
    filterset_class = DevelopmentPlanFilterSet
    title = gettext_lazy("Development plans")
    export_stem = "development-plans"
    create_url = "careers:plan_create"
    empty_hint = gettext_lazy(
        "Start a plan from “My growth”: its actions come from the gap to the next level."
    )

    def base_queryset(self, action="view"):
        return selectors_growth.plan_list(user=self.request.user, action=action)


class PlanDetailView(ScopedDetailView):
    """A plan: actions with status and progress, check-ins and the progress chart, and how the
    person stands against the target level today."""

    model = DevelopmentPlan
    template_name = "careers/growth/plan_detail.html"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("staff", "staff__unit", "target_level", "owner")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        active = plan.status == PlanStatus.ACTIVE
        context.update(selectors_growth.plan_detail(plan))
        context.update(
            title=plan.title,
            gap=selectors_growth.plan_gap(plan.staff, plan.target_level)
            if plan.target_level_id and active
            else None,
            active=active,
            can_edit_actions=context["can_change"],
            checkin_form=CheckInForm() if active and context["can_change"] else None,
            close_form=PlanCloseForm() if active and context["can_change"] else None,
        )
        return context


class PlanCreateView(PolicyMixin, View):
    """Start a plan for a person (``?staff=<id>``, oneself by default) towards a next level
    (``?level=<id>``): the gap is shown, and the actions that close it are added to the plan
    (editable afterwards)."""

    template_name = "careers/growth/plan_create.html"

    def staff(self) -> Staff:
        user = self.request.user
        people = Staff.objects.select_related("unit", "level")
        staff_id = _int(self.request.GET.get("staff"))
        if staff_id is not None:
            staff = policy.scoped_get(people, user, pk=staff_id)
        else:
            staff = people.filter(user=user).first()
            if staff is None:
                policy.require(user, "add", DevelopmentPlan)
                raise Http404(_("Your login has no staff record."))
        policy.require_for_person(user, "add", DevelopmentPlan, staff)
        return staff

    def form(self, staff: Staff, level: JobLevel | None, data=None) -> PlanCreateForm:
        options = selectors_growth.next_levels_of(staff)
        if level is not None and level not in options:
            options.append(level)
        choices = [(item.pk, f"{item.code} · {item.display_name}") for item in options]
        initial = {
            "target_level": level.pk if level else None,
            "title": _("Towards {level}").format(level=level.display_name) if level else "",
            "generate": True,
        }
        return PlanCreateForm(data, initial=initial, choices={"target_level": choices})

    def level(self) -> JobLevel | None:
        level_id = _int(self.request.GET.get("level"))
        return JobLevel.objects.filter(pk=level_id).first() if level_id is not None else None

    def render(self, staff, level, form, status=200):
        gap = selectors_growth.plan_gap(staff, level) if level is not None else None
        preview = services.gap_actions(gap.result, due=None, staff=staff) if gap else []
        return render(
            self.request,
            self.template_name,
            {
                "title": _("New development plan for {name}").format(name=staff),
                "staff": staff,
                "level": level,
                "gap": gap,
                "preview": preview,
                "form": form,
                "cancel_url": f"{reverse('careers:my_growth')}?staff={staff.pk}",
            },
            status=status,
        )

    def get(self, request):
        staff, level = self.staff(), self.level()
        return self.render(staff, level, self.form(staff, level))

    def post(self, request):
        staff, level = self.staff(), self.level()
        form = self.form(staff, level, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            target = JobLevel.objects.filter(pk=data["target_level"]).first()
            try:
                plan = services.development_plan_create(
                    actor=request.user,
                    staff=staff,
                    title=data["title"],
                    target_level=target,
                    goals=data["goals"],
                    end_date=data["end_date"],
                    generate=data["generate"],
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The plan is started."))
                return redirect(plan.get_absolute_url())
        return self.render(staff, level, form, status=400)


class _PlanActionView(ServiceFormView):
    form_class = ActionForm
    model = DevelopmentPlan
    action_row: DevelopmentAction | None = None

    def form_kwargs(self, obj):
        current = self.action_row.mentor if self.action_row is not None else None
        return {
            "mentors": selectors_growth.mentor_choices(
                user=self.request.user, plan=obj, current=current
            )
        }

    def success_url(self, result):
        return f"{result.plan.get_absolute_url()}#actions"

    def context(self, form, obj):
        context = super().context(form, obj)
        context.update(plan=obj, cancel_url=obj.get_absolute_url())
        return context


class PlanActionAddView(_PlanActionView):
    title = gettext_lazy("Add an action")
    success_message = gettext_lazy("Action added.")

    def get_initial(self, obj):
        return {"kind": "other", "status": "planned", "progress": 0, "due_date": obj.end_date}

    def perform(self, form, obj):
        return services.development_action_save(
            actor=self.request.user, plan=obj, **form.cleaned_data
        )


class PlanActionEditView(_PlanActionView):
    title = gettext_lazy("Edit action")
    success_message = gettext_lazy("Action saved.")

    def get_object(self):
        plan = super().get_object()
        self.action_row = DevelopmentAction.objects.filter(
            plan=plan, pk=self.kwargs["action_pk"]
        ).first()
        if self.action_row is None:
            raise Http404(_("Not found."))
        return plan

    def get_initial(self, obj):
        action = self.action_row
        return {
            "kind": action.kind,
            "title": action.title,
            "course": action.course_id,
            "skill": action.skill_id,
            "mentor": action.mentor_id,
            "due_date": action.due_date,
            "status": action.status,
            "progress": action.progress,
        }

    def perform(self, form, obj):
        return services.development_action_save(
            actor=self.request.user, plan=obj, action=self.action_row, **form.cleaned_data
        )


class PlanCheckInView(ObjectPostView):
    model = DevelopmentPlan
    permission = "change"
    form_class = CheckInForm

    def perform(self, obj, data):
        services.development_checkin_add(
            actor=self.request.user, plan=obj, notes=data["notes"], progress=data["progress"]
        )
        return _("Check-in recorded.")

    def redirect_url(self, obj):
        return f"{obj.get_absolute_url()}#checkins"


class PlanCloseView(ObjectPostView):
    model = DevelopmentPlan
    permission = "change"
    form_class = PlanCloseForm

    def perform(self, obj, data):
        services.development_plan_close(actor=self.request.user, plan=obj, status=data["status"])
        return _("The plan is closed.")
