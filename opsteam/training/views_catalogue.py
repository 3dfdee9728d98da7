"""Pages of the training catalogue: courses, materials, plans, assignment rules and runs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from opsteam.core import policy
from opsteam.core.exceptions import InvalidTransition, ValidationFailed
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.training import files, services_exams
from opsteam.training import selectors_catalogue as selectors
from opsteam.training import services as enrolment_services
from opsteam.training import services_catalogue as services
from opsteam.training.choices import CourseStatus, MaterialKind
from opsteam.training.forms_catalogue import (
    AssignForm,
    CourseFilterSet,
    CourseForm,
    MaterialForm,
    PlanFilterSet,
    PlanForm,
    RuleFilterSet,
    RuleForm,
    RunRulesForm,
)
from opsteam.training.models import (
    AssignmentRule,
    Course,
    Enrolment,
    Exam,
    Material,
    PlanAssignment,
    TrainingPlan,
)

USER_ERRORS = (InvalidTransition, ValidationFailed)

COURSE_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code", link=True),
        Column("name", gettext_lazy("Title"), accessor="display_name", order_by="name"),
        Column(
            "category",
            gettext_lazy("Category"),
            accessor="get_category_display",
            order_by="category",
        ),
        Column("method", gettext_lazy("Teaching method"), accessor="get_method_display"),
        Column("delivery", gettext_lazy("Delivery"), accessor="get_delivery_display"),
        Column("provider", gettext_lazy("Provider"), accessor="get_provider_display"),
        Column("duration_hours", gettext_lazy("Hours"), order_by="duration_hours"),
        Column("owner", gettext_lazy("Course owner"), accessor="owner.display_name"),
        Column("is_open", gettext_lazy("Open for self-enrolment")),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
        Column("name_en", gettext_lazy("English title"), css="d-none"),
    ),
    default_order="code",
)

PLAN_TABLE = Table(
    columns=(
        Column("code", gettext_lazy("Code"), order_by="code", link=True),
        Column("name", gettext_lazy("Name"), accessor="display_name", order_by="name"),
        Column("stage", gettext_lazy("Stage"), accessor="get_stage_display", order_by="stage"),
        Column("course_count", gettext_lazy("Courses"), order_by="course_count"),
        Column("assigned_count", gettext_lazy("Assigned"), order_by="assigned_count"),
        Column("is_active", gettext_lazy("Active")),
    ),
    default_order="stage",
)


def _rule_scope(rule: AssignmentRule) -> str:
    parts = [str(x) for x in (rule.unit, rule.position, rule.level) if x is not None]
    return " · ".join(parts) or _("Everyone")


RULE_TABLE = Table(
    columns=(
        Column("plan", gettext_lazy("Plan"), accessor="plan.display_name", order_by="plan__code"),
        Column("trigger", gettext_lazy("When"), accessor="get_trigger_display", order_by="trigger"),
        Column("scope", gettext_lazy("Who"), accessor=_rule_scope),
        Column("due_days", gettext_lazy("Due (days)"), order_by="due_days"),
        Column("is_active", gettext_lazy("Active")),
    ),
    default_order="plan__code",
)

ASSIGNMENT_TABLE = Table(
    columns=(
        Column(
            "staff",
            gettext_lazy("Staff member"),
            accessor="staff.display_name",
            order_by="staff__employee_no",
        ),
        Column("unit", gettext_lazy("Department or team"), accessor="staff.unit.display_name"),
        Column("plan", gettext_lazy("Plan"), accessor="plan.display_name", order_by="plan__code"),
        Column("source", gettext_lazy("Source"), accessor="get_source_display", order_by="source"),
        Column("assigned_on", gettext_lazy("Assigned on"), order_by="assigned_on"),
        Column("due_on", gettext_lazy("Due on"), order_by="due_on"),
        Column("is_cancelled", gettext_lazy("Cancelled")),
    ),
    default_order="-assigned_on",
)


# Courses ----------------------------------------------------------------------------------


class CourseListView(ScopedListView):
    """The catalogue: search in both languages, filters, enrol buttons, export and import."""

    model = Course
    table = COURSE_TABLE
    filterset_class = CourseFilterSet
    title = gettext_lazy("Course catalogue")
    export_stem = "courses"
    create_url = "training:course_create"
    import_kind = "course"
    template_name = "training/catalogue/course_list.html"
    partial_template_name = "training/catalogue/partials/course_table.html"
    paginate_by = 24
    empty_hint = gettext_lazy("Add courses one by one or import a spreadsheet of them.")

    def base_queryset(self, action="view"):
        return selectors.course_list(user=self.request.user, action=action)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["enrolled_ids"] = selectors.my_enrolled_course_ids(user=user)
        context["can_enrol"] = getattr(user, "staff", None) is not None and policy.can(
            user, "enrol_self", Enrolment
        )
        context["layout"] = "table" if self.request.GET.get("layout") == "table" else "cards"
        return context


def _course_fields(form) -> dict:
    return dict(form.cleaned_data)


class CourseCreateView(ServiceFormView):
    form_class = CourseForm
    model = Course
    policy_action = "add"
    title = gettext_lazy("New course")

    def get_initial(self, obj):
        return {"status": CourseStatus.ACTIVE, "is_open": True}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("training:course_list")
        return context

    def perform(self, form, obj):
        return services.course_create(actor=self.request.user, **_course_fields(form))


class CourseUpdateView(ServiceFormView):
    form_class = CourseForm
    model = Course
    title = gettext_lazy("Edit course")

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["skills"] = [(row.skill, row.target_level) for row in obj.skills.all()]
        initial["prerequisites"] = list(obj.prerequisites.all())
        return initial

    def perform(self, form, obj):
        return services.course_update(actor=self.request.user, course=obj, **_course_fields(form))


class CourseDetailView(ScopedDetailView):
    model = Course
    template_name = "training/catalogue/course_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course, user = self.object, self.request.user
        context.update(selectors.course_detail(course=course, user=user))
        can_assign = policy.can(user, "add", Enrolment) and course.status == CourseStatus.ACTIVE
        enrolment = context["my_enrolment"]
        context.update(
            title=course.display_name,
            exams=list(Exam.objects.filter(course=course, is_active=True).order_by("kind")),
            can_report=policy.can(user, "report", course),
            can_view_bank=services_exams.can_view_bank(user, course),
            can_assign=can_assign,
            assign_form=AssignForm(staff_queryset=services.assignable_staff(actor=user))
            if can_assign
            else None,
            can_enrol=(
                course.status == CourseStatus.ACTIVE
                and course.is_open
                and getattr(user, "staff", None) is not None
                and policy.can(user, "enrol_self", Enrolment)
                and (enrolment is None or enrolment.status == "cancelled")
            ),
            material_form=MaterialForm() if context["can_change"] else None,
        )
        return context


class CourseRetireView(PolicyMixin, View):
    """Retire a course (POST, after a confirmation on the page)."""

    def post(self, request, pk):
        course = policy.scoped_get(Course.objects.all(), request.user, "change", pk=pk)
        try:
            services.course_retire(actor=request.user, course=course)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The course is retired: nobody new can enrol."))
        return redirect(course.get_absolute_url())


class CourseEnrolView(PolicyMixin, View):
    """Enrol oneself in an open course (POST)."""

    def post(self, request, pk):
        course = policy.scoped_get(Course.objects.all(), request.user, "view", pk=pk)
        if getattr(request.user, "staff", None) is None:
            policy.require(request.user, "enrol_self", Enrolment)
            messages.error(request, _("Only staff members can enrol in courses."))
            return redirect(course.get_absolute_url())
        try:
            enrolment_services.enrol_self(actor=request.user, course=course)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You are enrolled in “{course}”.").format(course=course.display_name),
            )
        return redirect(request.POST.get("next") or course.get_absolute_url())


class CourseAssignView(ServiceFormView):
    """Assign a course to people (managers: their subtree; HR: anyone)."""

    form_class = AssignForm
    model = Course
    policy_action = "view"
    title = gettext_lazy("Assign course")

    def check_permission(self, obj):
        policy.require(self.request.user, "add", Enrolment)

    def get_initial(self, obj):
        return {}

    def form_kwargs(self, obj):
        return {"staff_queryset": services.assignable_staff(actor=self.request.user)}

    def perform(self, form, obj):
        people = form.cleaned_data["staff"]
        for person in people:
            enrolment_services.enrolment_assign(
                actor=self.request.user,
                staff=person,
                course=obj,
                due_on=form.cleaned_data["due_on"],
            )
        messages.info(
            self.request,
            ngettext(
                "Assigned to {count} person.", "Assigned to {count} people.", len(people)
            ).format(count=len(people)),
        )
        return obj


class MaterialAddView(ServiceFormView):
    """Upload a file or add a link; the same title makes a new version."""

    form_class = MaterialForm
    model = Course
    title = gettext_lazy("Add material")

    def get_initial(self, obj):
        return {"kind": MaterialKind.FILE, "title": self.request.GET.get("title", "")}

    def perform(self, form, obj):
        return services.material_add(actor=self.request.user, course=obj, **form.cleaned_data)

    def success_url(self, result):
        return result.course.get_absolute_url() + "#materials"


class MaterialDownloadView(PolicyMixin, View):
    """Serve a material file to someone who may see it (never from /media/ directly)."""

    def get(self, request, pk):
        material = policy.scoped_get(
            Material.objects.select_related("course"), request.user, "view", pk=pk
        )
        policy.require(request.user, "view", material.course)
        if material.kind != MaterialKind.FILE:
            raise Http404(_("Not found."))
        stem = f"{material.course.code}-{material.title}-v{material.version}"
        return files.file_response(material.file, stem)


# Plans ------------------------------------------------------------------------------------


class PlanListView(ScopedListView):
    model = TrainingPlan
    table = PLAN_TABLE
    filterset_class = PlanFilterSet
    title = gettext_lazy("Training plans")
    export_stem = "training-plans"
    create_url = "training:plan_create"
    empty_hint = gettext_lazy(
        "A plan bundles the courses of one stage of a role: onboarding, role skills or"
        " continuous development."
    )

    def base_queryset(self, action="view"):
        return selectors.plan_list(user=self.request.user)


def _plan_fields(form) -> dict:
    return dict(form.cleaned_data)


class PlanCreateView(ServiceFormView):
    form_class = PlanForm
    model = TrainingPlan
    policy_action = "add"
    title = gettext_lazy("New training plan")

    def get_initial(self, obj):
        return {"is_active": True}

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("training:plan_list")
        return context

    def perform(self, form, obj):
        return services.plan_create(actor=self.request.user, **_plan_fields(form))


class PlanUpdateView(ServiceFormView):
    form_class = PlanForm
    model = TrainingPlan
    title = gettext_lazy("Edit training plan")

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["items"] = [
            {"course": item.course, "due_days": item.due_days, "is_required": item.is_required}
            for item in obj.items.select_related("course")
        ]
        return initial

    def perform(self, form, obj):
        return services.plan_update(actor=self.request.user, plan=obj, **_plan_fields(form))


class PlanDetailView(ScopedDetailView):
    model = TrainingPlan
    template_name = "training/catalogue/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan, user = self.object, self.request.user
        context.update(selectors.plan_detail(plan=plan, user=user))
        context.update(
            title=plan.display_name,
            can_assign=plan.is_active and policy.can(user, "add", PlanAssignment),
            can_add_rule=policy.can(user, "add", AssignmentRule),
        )
        return context


class PlanAssignView(ServiceFormView):
    """Assign a plan to selected people (managers: their subtree; HR: anyone)."""

    form_class = AssignForm
    model = TrainingPlan
    policy_action = "view"
    title = gettext_lazy("Assign plan")

    def check_permission(self, obj):
        policy.require(self.request.user, "add", PlanAssignment)

    def get_initial(self, obj):
        return {}

    def form_kwargs(self, obj):
        return {"staff_queryset": services.assignable_staff(actor=self.request.user)}

    def perform(self, form, obj):
        result = services.plan_assign(
            actor=self.request.user,
            plan=obj,
            staff=form.cleaned_data["staff"],
            due_on=form.cleaned_data["due_on"],
        )
        message = _("{created} assigned, {skipped} already had the plan running.").format(
            created=result.assignments_created, skipped=result.skipped
        )
        messages.info(self.request, message)
        return obj


# Rules ------------------------------------------------------------------------------------


class RuleListView(ScopedListView):
    model = AssignmentRule
    table = RULE_TABLE
    filterset_class = RuleFilterSet
    title = gettext_lazy("Assignment rules")
    export_stem = "assignment-rules"
    create_url = "training:rule_create"
    template_name = "training/catalogue/rule_list.html"
    empty_hint = gettext_lazy(
        "Rules give plans automatically on hire, position change, level change and"
        " improvement plans."
    )

    def base_queryset(self, action="view"):
        return selectors.rule_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_run"] = policy.can(self.request.user, "change", AssignmentRule)
        return context


class _RuleSuccess:
    def success_url(self, result):
        return reverse("training:rule_list")

    def context(self, form, obj):
        context = super().context(form, obj)
        context["cancel_url"] = reverse("training:rule_list")
        return context


class RuleCreateView(_RuleSuccess, ServiceFormView):
    form_class = RuleForm
    model = AssignmentRule
    policy_action = "add"
    title = gettext_lazy("New assignment rule")

    def get_initial(self, obj):
        initial = {"is_active": True, "due_days": 30}
        plan = self.request.GET.get("plan")
        if plan and plan.isdigit():
            initial["plan"] = plan
        return initial

    def perform(self, form, obj):
        return services.rule_create(actor=self.request.user, **form.cleaned_data)


class RuleUpdateView(_RuleSuccess, ServiceFormView):
    form_class = RuleForm
    model = AssignmentRule
    title = gettext_lazy("Edit assignment rule")

    def perform(self, form, obj):
        return services.rule_update(actor=self.request.user, rule=obj, **form.cleaned_data)


class RuleDeleteView(PolicyMixin, View):
    def post(self, request, pk):
        rule = policy.scoped_get(AssignmentRule.objects.all(), request.user, "delete", pk=pk)
        services.rule_delete(actor=request.user, rule=rule)
        messages.success(request, _("Rule deleted; the plans it assigned stay."))
        return redirect("training:rule_list")


class RulesRunView(PolicyMixin, View):
    """Run the rules now (HR): shows what was assigned and why."""

    template_name = "training/catalogue/rules_run.html"

    def get(self, request):
        policy.require(request.user, "change", AssignmentRule)
        return render(
            request,
            self.template_name,
            {"form": RunRulesForm(), "title": _("Run assignment rules")},
        )

    def post(self, request):
        policy.require(request.user, "change", AssignmentRule)
        form = RunRulesForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                self.template_name,
                {"form": form, "title": _("Run assignment rules")},
                status=400,
            )
        result = services.plan_rules_run(actor=request.user, since=form.cleaned_data["since"])
        return render(
            request,
            self.template_name,
            {"form": form, "result": result, "title": _("Run assignment rules")},
        )


class PlanAssignmentListView(ScopedListView):
    """Plans given to people: own (operators), team (managers), everyone (HR)."""

    model = PlanAssignment
    table = ASSIGNMENT_TABLE
    title = gettext_lazy("Assigned plans")
    export_stem = "plan-assignments"

    def base_queryset(self, action="view"):
        return PlanAssignment.objects.restrict(self.request.user, action).select_related(
            "staff", "staff__unit", "plan"
        )
