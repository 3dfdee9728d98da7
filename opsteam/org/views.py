"""Org pages: org chart, units, staff, positions, job descriptions, RACI."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import policy
from opsteam.core.exceptions import InvalidTransition, OpsTeamError, ValidationFailed
from opsteam.core.filters import SEARCH_MAX_LENGTH
from opsteam.core.models import localized
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.core.widgets import PICKER_SCOPES
from opsteam.org import selectors, services
from opsteam.org.choices import JobDescriptionStatus, RaciRole, StaffStatus
from opsteam.org.filters import (
    JobDescriptionFilterSet,
    OrgUnitFilterSet,
    PositionFilterSet,
    StaffFilterSet,
)
from opsteam.org.forms import (
    CompensationForm,
    DutyFormSet,
    JobDescriptionForm,
    OrgUnitForm,
    PositionForm,
    RelationFormSet,
    SkillFormSet,
    StaffCreateForm,
    StaffPersonalForm,
    StaffReassignForm,
)
from opsteam.org.models import (
    Activity,
    Compensation,
    JobDescription,
    OrgUnit,
    Position,
    RaciAssignment,
    Staff,
)
from opsteam.org.tables import JOB_DESCRIPTION_TABLE, POSITION_TABLE, STAFF_TABLE, UNIT_TABLE


class OrgChartView(PolicyMixin, TemplateView):
    template_name = "org/orgchart.html"

    def get_context_data(self, **kwargs):
        policy.require(self.request.user, "view", OrgUnit)
        tree = selectors.org_chart()

        def node(item: dict[str, Any]) -> dict[str, Any]:
            label = item["name"]
            if item["lead"]:
                label += f"\n{item['lead']}"
            return {
                "name": f"{label}\n({item['total']})",
                "value": item["total"],
                "url": item["url"],
                "children": [node(child) for child in item["children"]],
            }

        option = {
            "tooltip": {"trigger": "item", "triggerOn": "mousemove"},
            "series": [
                {
                    "type": "tree",
                    "data": [node(root) for root in tree],
                    "orient": "TB",
                    "top": "6%",
                    "bottom": "14%",
                    "left": "2%",
                    "right": "2%",
                    "symbol": "roundRect",
                    "symbolSize": [14, 14],
                    "initialTreeDepth": -1,
                    "expandAndCollapse": True,
                    "label": {
                        "position": "bottom",
                        "verticalAlign": "top",
                        "fontSize": 12,
                        "backgroundColor": "#fff",
                        "borderColor": "#c9d3df",
                        "borderWidth": 1,
                        "borderRadius": 4,
                        "padding": [4, 6],
                        "lineHeight": 16,
                    },
                    "leaves": {"label": {"position": "bottom", "rotate": 0}},
                    "lineStyle": {"color": "#9aa7b6"},
                    "animationDuration": 300,
                }
            ],
        }
        return {
            **super().get_context_data(**kwargs),
            "title": _("Org chart"),
            "tree": tree,
            "chart_option": option,
        }


def _current_staff_count(field: str) -> Coalesce:
    """The number of current staff whose ``field`` is the row, as a correlated subquery.

    A ``Count`` over the join grouped every unit's (or position's) 10,000 staff before the page
    kept 25 rows; the subquery is evaluated for the rows the page shows (unless it sorts by it).
    """
    staff = (
        Staff.objects.filter(**{field: OuterRef("pk")})
        .exclude(status=StaffStatus.LEFT)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(staff, output_field=IntegerField()), 0)


class OrgUnitListView(ScopedListView):
    model = OrgUnit
    table = UNIT_TABLE
    filterset_class = OrgUnitFilterSet
    title = gettext_lazy("Departments and teams")
    export_stem = "org-units"
    create_url = "org:orgunit_create"
    import_kind = "units"

    def base_queryset(self, action="view"):
        return (
            super()
            .base_queryset(action)
            .select_related("parent", "lead")
            .annotate(headcount=_current_staff_count("unit"))
        )


class OrgUnitDetailView(ScopedDetailView):
    model = OrgUnit
    template_name = "org/orgunit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.object
        user = self.request.user
        members = (
            Staff.objects.restrict(user, "directory")
            .filter(unit=unit)
            .exclude(status=StaffStatus.LEFT)
            .select_related("position", "level", "manager")
        )
        context.update(
            title=unit.display_name,
            children=unit.children.annotate(
                headcount=Count("members", filter=~Q(members__status=StaffStatus.LEFT))
            ),
            members=members,
            visible_member_ids=set(
                Staff.objects.restrict(user, "view").filter(unit=unit).values_list("pk", flat=True)
            ),
            positions=unit.positions.select_related("family"),
            ancestors=OrgUnit.objects.filter(
                pk__in=[int(seg) for seg in unit.path.strip("/").split("/")[:-1] if seg]
            ).order_by("depth"),
        )
        return context


class OrgUnitCreateView(ServiceFormView):
    form_class = OrgUnitForm
    title = gettext_lazy("New department or team")
    model = OrgUnit
    policy_action = "add"

    def get_initial(self, obj):
        parent = self.request.GET.get("parent")
        return {"parent": parent, "kind": "team" if parent else "department"}

    def perform(self, form, obj):
        return services.org_unit_create(actor=self.request.user, **form.cleaned_data)


class OrgUnitUpdateView(ServiceFormView):
    form_class = OrgUnitForm
    title = gettext_lazy("Edit department or team")
    model = OrgUnit

    def perform(self, form, obj):
        return services.org_unit_update(actor=self.request.user, unit=obj, **form.cleaned_data)


class StaffPickView(PolicyMixin, View):
    """``?q=...&scope=directory|list|view``: up to 20 people matching a name or employee number,
    as ``{"results": [{"value": id, "label": ...}]}`` for the person picker
    (``core.widgets.PersonPicker``). Only people the user may see under ``scope`` are searched;
    employee numbers are shown only outside the directory scope."""

    LIMIT = 20

    def get(self, request):
        scope = request.GET.get("scope", "directory")
        if scope not in PICKER_SCOPES:
            return JsonResponse({"error": _("Unknown scope.")}, status=400)
        policy.require(request.user, scope, Staff)
        term = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
        if not term:
            return JsonResponse({"results": []})
        people = (
            policy.restrict(Staff.objects.all(), request.user, scope)
            .exclude(status=StaffStatus.LEFT)
            .filter(
                Q(name__icontains=term)
                | Q(name_en__icontains=term)
                | Q(employee_no__istartswith=term)
            )
            .select_related("unit")
            .only("pk", "name", "name_en", "employee_no", "unit", "unit__name", "unit__name_en")
            .order_by("employee_no")[: self.LIMIT]
        )
        show_number = scope != "directory"
        results = [
            {
                "value": person.pk,
                "label": " · ".join(
                    part
                    for part in (
                        person.display_name,
                        person.employee_no if show_number else "",
                        localized(person.unit, "name") if person.unit_id else "",
                    )
                    if part
                ),
            }
            for person in people
        ]
        return JsonResponse({"results": results})


class StaffListView(ScopedListView):
    model = Staff
    table = STAFF_TABLE
    filterset_class = StaffFilterSet
    title = gettext_lazy("Staff")
    export_stem = "staff"
    create_url = "org:staff_create"
    import_kind = "staff"
    empty_hint = gettext_lazy("Add people one by one or import a spreadsheet of staff.")

    def base_queryset(self, action="view"):
        return selectors.staff_list(user=self.request.user, action=action)

    def get(self, request, *args, **kwargs):
        # Operators see only themselves: their profile is the page they want, not a list of one.
        if not policy.can(request.user, "list", Staff) and "export" not in request.GET:
            me = Staff.objects.filter(user=request.user).first()
            if me is not None:
                return redirect(me.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def export_queryset(self, queryset):
        return queryset.select_related("unit", "position", "level", "manager")

    def paginate_queryset(self, queryset, page_size):
        """Find the page's rows by id first, then load those rows with what they show.

        With 10,000 people, sorting the joined rows (unit, position, family, level, manager)
        to keep 25 cost PostgreSQL more than the rest of the request; sorting the ids (joining
        only what the filter and the order need) and then loading 25 rows does not.
        """
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        ids = list(rows.values_list("pk", flat=True))
        by_pk = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
        page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]
        return paginator, page, page.object_list, is_paginated


class StaffDetailView(ScopedDetailView):
    model = Staff
    template_name = "org/staff_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("unit", "position", "position__family", "level", "manager", "user")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        staff = self.object
        positions = [staff.position, *staff.concurrent_positions.all()]
        context.update(
            title=staff.display_name,
            assignments=staff.assignments.select_related(
                "unit", "position", "level", "manager"
            ).order_by("-start_date"),
            job_description=selectors.current_job_description(position=staff.position),
            responsibilities=RaciAssignment.objects.filter(position__in=positions)
            .select_related("activity", "activity__process", "position")
            .order_by("role", "activity__process__code", "activity__order"),
            reports=Staff.objects.restrict(self.request.user, "directory")
            .filter(manager=staff)
            .exclude(status=StaffStatus.LEFT)
            .select_related("position"),
            concurrent_positions=positions[1:],
            hidden_fields=policy.hidden_fields(self.request.user, staff),
            compensation=selectors.compensation_history(user=self.request.user, staff=staff),
            can_add_compensation=policy.can(self.request.user, "add", Compensation),
            can_export_personal=policy.can(self.request.user, "export_personal", staff),
            can_purge=staff.status == StaffStatus.LEFT
            and policy.can(self.request.user, "purge", staff),
            compensation_form=CompensationForm(initial={"effective_from": timezone.localdate()}),
        )
        return context


class CompensationAddView(ServiceFormView):
    """HR records base pay from a date on (the staff page shows the history)."""

    form_class = CompensationForm
    title = gettext_lazy("Record base pay")
    success_message = gettext_lazy("Pay recorded.")
    model = Staff
    policy_action = "view"

    def check_permission(self, obj):
        policy.require(self.request.user, "add", Compensation)

    def perform(self, form, obj):
        services.compensation_set(actor=self.request.user, staff=obj, **form.cleaned_data)
        return obj


class PersonalDataExportView(PolicyMixin, View):
    """Download everything that references a person (zip of JSON and Excel)."""

    def get(self, request, pk):
        from opsteam.org.personal_data import personal_data_export

        staff = policy.scoped_get(Staff.objects.all(), request.user, "export_personal", pk=pk)
        payload = personal_data_export(actor=request.user, staff=staff)
        return FileResponse(
            io.BytesIO(payload),
            as_attachment=True,
            filename=f"personal-data-{staff.employee_no}.zip",
            content_type="application/zip",
        )


class StaffPurgeView(PolicyMixin, View):
    """POST: erase a former employee's identifying data everywhere."""

    def post(self, request, pk):
        from opsteam.org.personal_data import staff_purge

        staff = policy.scoped_get(Staff.objects.all(), request.user, "purge", pk=pk)
        try:
            record = staff_purge(actor=request.user, staff=staff)
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Personal data erased; the person is now {pseudonym}.").format(
                    pseudonym=record.pseudonym
                ),
            )
        return redirect(staff.get_absolute_url())


class StaffCreateView(ServiceFormView):
    form_class = StaffCreateForm
    title = gettext_lazy("New staff member")
    model = Staff
    policy_action = "add"

    def get_initial(self, obj):
        return {
            "hire_date": timezone.localdate(),
            "status": StaffStatus.ACTIVE,
            "unit": self.request.GET.get("unit"),
        }

    def perform(self, form, obj):
        return services.staff_create(actor=self.request.user, **form.cleaned_data)


class StaffUpdateView(ServiceFormView):
    form_class = StaffPersonalForm
    title = gettext_lazy("Edit personal data")
    model = Staff

    def perform(self, form, obj):
        return services.staff_update(actor=self.request.user, staff=obj, **form.cleaned_data)


class StaffReassignView(ServiceFormView):
    form_class = StaffReassignForm
    title = gettext_lazy("Change assignment")
    success_message = gettext_lazy("Assignment changed; the history keeps the previous one.")
    model = Staff

    def get_initial(self, obj):
        return {
            "unit": obj.unit,
            "position": obj.position,
            "level": obj.level,
            "manager": obj.manager,
            "effective_date": timezone.localdate(),
        }

    def perform(self, form, obj):
        data = dict(form.cleaned_data)
        return services.staff_reassign(
            actor=self.request.user,
            staff=obj,
            effective_date=data.pop("effective_date"),
            reason=data.pop("reason"),
            note=data.pop("note"),
            **data,
        )


def _positions_with_jd_state(queryset):
    published = JobDescription.objects.filter(
        position=OuterRef("pk"), status=JobDescriptionStatus.PUBLISHED
    )
    draft = JobDescription.objects.filter(
        position=OuterRef("pk"), status=JobDescriptionStatus.DRAFT
    )
    return queryset.select_related("family", "unit", "min_level", "max_level").annotate(
        published_version=Subquery(published.values("version")[:1]),
        draft_version=Subquery(draft.values("version")[:1]),
        holder_count=_current_staff_count("position"),
    )


class PositionListView(ScopedListView):
    model = Position
    table = POSITION_TABLE
    filterset_class = PositionFilterSet
    title = gettext_lazy("Positions")
    export_stem = "positions"
    create_url = "org:position_create"
    import_kind = "positions"

    def base_queryset(self, action="view"):
        return _positions_with_jd_state(super().base_queryset(action))


class PositionDetailView(ScopedDetailView):
    model = Position
    template_name = "org/position_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        position = self.object
        context.update(
            title=position.display_name,
            versions=position.job_descriptions.order_by("-version"),
            holders=Staff.objects.restrict(self.request.user, "directory")
            .filter(Q(position=position) | Q(concurrent_positions=position))
            .exclude(status=StaffStatus.LEFT)
            .select_related("unit")
            .distinct(),
            raci=position.raci.select_related("activity", "activity__process").order_by(
                "activity__process__code", "activity__order"
            ),
            can_edit_jd=policy.can(self.request.user, "change", JobDescription),
        )
        return context


class PositionCreateView(ServiceFormView):
    form_class = PositionForm
    title = gettext_lazy("New position")
    model = Position
    policy_action = "add"

    def perform(self, form, obj):
        return services.position_create(actor=self.request.user, **form.cleaned_data)


class PositionUpdateView(ServiceFormView):
    form_class = PositionForm
    title = gettext_lazy("Edit position")
    model = Position

    def perform(self, form, obj):
        return services.position_update(actor=self.request.user, position=obj, **form.cleaned_data)


class JobDescriptionListView(ScopedListView):
    model = JobDescription
    table = JOB_DESCRIPTION_TABLE
    filterset_class = JobDescriptionFilterSet
    title = gettext_lazy("Job descriptions")
    export_stem = "job-descriptions"

    def base_queryset(self, action="view"):
        return super().base_queryset(action).select_related("position", "position__family")


class JobDescriptionDetailView(ScopedDetailView):
    """The job description as a readable, printable page (browser print gives the PDF)."""

    model = JobDescription
    template_name = "org/jobdescription_detail.html"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("position", "position__family", "position__unit", "published_by")
        )

    def get_context_data(self, **kwargs):
        from opsteam.collab import selectors_knowledge

        context = super().get_context_data(**kwargs)
        jd = self.object
        user = self.request.user
        context.update(
            title=_("Job description: {position}").format(position=jd.position.display_name),
            duties=jd.duties.select_related("activity"),
            skills=selectors.job_description_skills(job_description=jd),
            relations=jd.relations.select_related("position", "unit"),
            versions=jd.position.job_descriptions.order_by("-version"),
            can_edit=jd.is_editable and policy.can(user, "change", jd),
            can_publish=jd.is_editable and policy.can(user, "publish", jd),
            can_start_draft=not jd.is_editable and policy.can(user, "change", JobDescription),
            previous=jd.position.job_descriptions.filter(version__lt=jd.version)
            .order_by("-version")
            .first(),
            sections=[(field, localized(jd, field)) for field in JobDescription.TEXT_FIELDS],
            print_mode=self.request.GET.get("print") == "1",
            related_documents=selectors_knowledge.documents_for_position(
                user=user, position=jd.position
            ),
        )
        return context


class JobDescriptionStartDraftView(PolicyMixin, View):
    """POST: open (or continue) the draft of a position's next version."""

    def post(self, request, pk):
        position = policy.scoped_get(Position.objects.all(), request.user, "view", pk=pk)
        draft = services.job_description_start_draft(actor=request.user, position=position)
        return redirect("org:jobdescription_edit", pk=draft.pk)


class JobDescriptionEditView(PolicyMixin, View):
    """Edit a draft: text sections plus duty, skill and relationship rows (formsets)."""

    template_name = "org/jobdescription_edit.html"

    def get_object(self) -> JobDescription:
        jd = policy.scoped_get(
            JobDescription.objects.select_related("position"),
            self.request.user,
            "change",
            pk=self.kwargs["pk"],
        )
        if not jd.is_editable:
            raise Http404(_("Published versions are read-only."))
        return jd

    def forms(self, jd: JobDescription, data=None):
        initial = {name: getattr(jd, name) for name in JobDescriptionForm.base_fields}
        duties = [
            {
                "title": d.title,
                "title_en": d.title_en,
                "description": d.description,
                "description_en": d.description_en,
                "time_share": d.time_share,
                "standard": d.standard,
                "standard_en": d.standard_en,
                "sop_url": d.sop_url,
                "activity": d.activity_id,
            }
            for d in jd.duties.all()
        ]
        skills = [
            {"skill": s.skill_id, "level": s.level, "is_required": s.is_required}
            for s in jd.skill_requirements.all()
        ]
        relations = [
            {
                "kind": r.kind,
                "position": r.position_id,
                "unit": r.unit_id,
                "external_party": r.external_party,
                "description": r.description,
                "description_en": r.description_en,
            }
            for r in jd.relations.all()
        ]
        return (
            JobDescriptionForm(data, initial=initial),
            DutyFormSet(data, initial=duties, prefix="duties"),
            SkillFormSet(data, initial=skills, prefix="skills"),
            RelationFormSet(data, initial=relations, prefix="relations"),
        )

    def render(self, jd, forms, status=200):
        form, duties, skills, relations = forms
        return render(
            self.request,
            self.template_name,
            {
                "object": jd,
                "form": form,
                "duties": duties,
                "skills": skills,
                "relations": relations,
                "title": _("Edit draft: {position} v{version}").format(
                    position=jd.position.display_name, version=jd.version
                ),
            },
            status=status,
        )

    def get(self, request, pk):
        jd = self.get_object()
        return self.render(jd, self.forms(jd))

    def post(self, request, pk):
        jd = self.get_object()
        forms = self.forms(jd, request.POST)
        form, duties, skills, relations = forms
        if all(f.is_valid() for f in forms):

            def rows(formset):
                return [
                    f.cleaned_data
                    for f in formset.forms
                    if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]

            def strip(row):
                return {k: v for k, v in row.items() if k != "DELETE"}

            try:
                services.job_description_update(
                    actor=request.user,
                    job_description=jd,
                    duties=[strip(r) for r in rows(duties)],
                    skills=[strip(r) for r in rows(skills)],
                    relations=[strip(r) for r in rows(relations)],
                    **form.cleaned_data,
                )
            except (ValidationFailed, InvalidTransition) as exc:
                form.add_error(None, exc.message)
            else:
                if "publish" not in request.POST:
                    messages.success(request, _("Draft saved."))
                    return redirect(jd.get_absolute_url())
                try:
                    services.job_description_publish(actor=request.user, job_description=jd)
                except OpsTeamError as exc:
                    messages.warning(
                        request,
                        _("Draft saved, but not published: {reason}").format(reason=exc.message),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Version {version} is published; the previous version is kept in the history."
                        ).format(version=jd.version),
                    )
                return redirect(jd.get_absolute_url())
        return self.render(jd, forms, status=400)


class JobDescriptionPublishView(PolicyMixin, View):
    def post(self, request, pk):
        jd = policy.scoped_get(JobDescription.objects.all(), request.user, "publish", pk=pk)
        try:
            services.job_description_publish(actor=request.user, job_description=jd)
        except OpsTeamError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Version {version} is published; the previous version is kept in the history."
                ).format(version=jd.version),
            )
        return redirect(jd.get_absolute_url())


class JobDescriptionDiffView(PolicyMixin, TemplateView):
    template_name = "org/jobdescription_diff.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        new = policy.scoped_get(
            JobDescription.objects.select_related("position"), user, pk=kwargs["pk"]
        )
        other = self.request.GET.get("against")
        queryset = new.position.job_descriptions.all()
        if other:
            old = get_object_or_404(queryset, pk=other)
        else:
            old = queryset.filter(version__lt=new.version).order_by("-version").first()
            if old is None:
                raise Http404(_("This is the first version; there is nothing to compare."))
        labels = {
            "purpose": _("Purpose"),
            "purpose_en": _("Purpose (English)"),
            "scope": _("Scope"),
            "scope_en": _("Scope (English)"),
            "authority": _("Authority and permissions"),
            "authority_en": _("Authority and permissions (English)"),
            "objectives": _("Objectives"),
            "objectives_en": _("Objectives (English)"),
            "qualifications": _("Qualifications and experience"),
            "qualifications_en": _("Qualifications and experience (English)"),
            "duties": _("Duties"),
            "skills": _("Required skills"),
            "relations": _("Collaboration"),
        }
        diff = selectors.job_description_diff(old=old, new=new)
        for item in diff:
            item["label"] = labels[item["section"]]
        return {
            **super().get_context_data(**kwargs),
            "old": old,
            "new": new,
            "diff": diff,
            "versions": queryset.order_by("-version"),
            "title": _("Changes in {position}: v{old} → v{new}").format(
                position=new.position.display_name, old=old.version, new=new.version
            ),
        }


class JobDescriptionExportView(PolicyMixin, View):
    """Download a job description as a Word document (.docx)."""

    def get(self, request, pk):
        from opsteam.org.documents import job_description_docx

        jd = policy.scoped_get(
            JobDescription.objects.select_related("position"), request.user, pk=pk
        )
        payload = job_description_docx(jd)
        filename = f"{jd.position.code}-v{jd.version}.docx"
        return FileResponse(
            io.BytesIO(payload),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )


class RaciMatrixView(PolicyMixin, TemplateView):
    template_name = "org/raci_matrix.html"

    def get_context_data(self, **kwargs):
        policy.require(self.request.user, "view", RaciAssignment)
        process = self.request.GET.get("process")
        data = selectors.raci_matrix(
            process_id=int(process) if process and process.isdigit() else None
        )
        rows = [
            {
                "activity": activity,
                "cells": [
                    (position, data["grid"].get((activity.pk, position.pk), ""))
                    for position in data["positions"]
                ],
            }
            for activity in data["activities"]
        ]
        from opsteam.org.models import Process

        return {
            **super().get_context_data(**kwargs),
            "title": _("RACI matrix"),
            "rows": rows,
            "positions": data["positions"],
            "processes": Process.objects.all(),
            "process": process,
            "roles": RaciRole.choices,
            "can_edit": policy.can(self.request.user, "change", RaciAssignment),
        }


class RaciCellView(PolicyMixin, View):
    """POST (htmx): set one cell of the matrix; returns the re-rendered cell."""

    def post(self, request, activity_pk, position_pk):
        policy.require(request.user, "change", RaciAssignment)
        activity = get_object_or_404(Activity, pk=activity_pk)
        position = get_object_or_404(Position, pk=position_pk)
        role = request.POST.get("role", "")
        try:
            services.raci_set(
                actor=request.user, activity=activity, position=position, role=role or None
            )
        except ValidationFailed as exc:
            return HttpResponse(exc.message, status=400)
        return render(
            request,
            "org/partials/raci_cell.html",
            {
                "activity": activity,
                "position": position,
                "role": role,
                "can_edit": True,
                "roles": RaciRole.choices,
            },
        )


class RaciAnalysisView(PolicyMixin, TemplateView):
    template_name = "org/raci_analysis.html"

    def get_context_data(self, **kwargs):
        policy.require(self.request.user, "view", RaciAssignment)
        analysis = selectors.raci_analysis()
        named = [item["staff"].pk for item in analysis["findings"].get("overloaded_staff", [])]
        staff_visible = set(
            Staff.objects.restrict(self.request.user, "view")
            .filter(pk__in=named)
            .values_list("pk", flat=True)
        )
        return {
            **super().get_context_data(**kwargs),
            "title": _("RACI analysis"),
            **analysis,
            "staff_visible": staff_visible,
        }


class WhoDoesWhatView(PolicyMixin, TemplateView):
    template_name = "org/who_does_what.html"

    def get_context_data(self, **kwargs):
        policy.require(self.request.user, "view", Activity)
        query = self.request.GET.get("q", "").strip()
        results = selectors.who_does_what(query=query)
        # A position is named in many activities with the same holders: list their names once
        # per position (thousands of names per page otherwise, each looked up and escaped).
        names: dict[int, str] = {}
        for item in results:
            for cell in item["cells"]:
                key = cell["position"].pk
                if key not in names:
                    names[key] = ", ".join(str(person) for person in cell["holders"])
                cell["holder_names"] = names[key]
        return {
            **super().get_context_data(**kwargs),
            "title": _("Who does what"),
            "query": query,
            "results": results,
        }

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["org/partials/who_does_what_results.html"]
        return [self.template_name]
