"""Wellbeing pages: one's own weekly check-in and history, the direct manager's view of the
people who share with them, and team aggregates released at the anonymity threshold."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from opsteam.collab import selectors_wellbeing, services_wellbeing, wellbeing
from opsteam.collab.forms_reports import CheckInForm
from opsteam.collab.models_reports import WellbeingCheckIn
from opsteam.core import policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.views import PolicyMixin


def reason_labels(alert) -> list[str]:
    labels = {
        "low-streak": _("Mood has been low for three check-ins"),
        "drop": _("Mood dropped well below their usual"),
        "overload": _("Workload too heavy for three check-ins"),
        "wants-to-talk": _("Would like to talk"),
    }
    return [labels[reason] for reason in alert.reasons] if alert else []


class CheckInView(PolicyMixin, View):
    """This week's check-in (rewritable during the week) and one's own history."""

    template_name = "collab/wellbeing/checkin.html"

    def page(self, form, status=200):
        user = self.request.user
        staff = getattr(user, "staff", None)
        rows = list(selectors_wellbeing.checkin_list(user=user).filter(staff=staff)[:12])
        context = {
            "title": _("Wellbeing check-in"),
            "form": form,
            "history": rows,
            "chart": selectors_wellbeing.person_chart(rows) if len(rows) > 1 else None,
            "manager": services_wellbeing.direct_manager(staff) if staff else None,
            "has_team": WellbeingCheckIn.objects.filter(manager=staff).exists() if staff else False,
            "can_aggregate": policy.can(user, "aggregate", WellbeingCheckIn),
        }
        return render(self.request, self.template_name, context, status=status)

    def staff(self):
        policy.require(self.request.user, "add", WellbeingCheckIn)
        staff = getattr(self.request.user, "staff", None)
        if staff is None:
            raise PolicyDenied(_("Only staff members write check-ins."))
        return staff

    def get(self, request):
        staff = self.staff()
        week = wellbeing.week_start(timezone.localdate())
        current = WellbeingCheckIn.objects.filter(staff=staff, week_start=week).first()
        initial = (
            {
                "mood": current.mood,
                "workload": current.workload,
                "blockers": current.blockers,
                "wants_to_talk": current.wants_to_talk,
            }
            if current
            else {}
        )
        return self.page(CheckInForm(initial=initial))

    def post(self, request):
        self.staff()
        form = CheckInForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        try:
            services_wellbeing.checkin_save(actor=request.user, **form.cleaned_data)
        except (NotVisible, PolicyDenied):
            raise
        except OpsTeamError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.page(form, status=400)
        messages.success(request, _("Thank you. Your check-in is shared with your manager only."))
        return redirect("collab:wellbeing_checkin")


class TeamView(PolicyMixin, View):
    """The direct manager's overview of the people who share their check-ins with them."""

    template_name = "collab/wellbeing/team.html"

    def get(self, request):
        policy.require(request.user, "view", WellbeingCheckIn)
        rows = selectors_wellbeing.team_overview(user=request.user, as_of=timezone.localdate())
        for row in rows:
            row["reasons"] = reason_labels(row["alert"])
        context = {
            "title": _("My team's check-ins"),
            "rows": rows,
            "can_aggregate": policy.can(request.user, "aggregate", WellbeingCheckIn),
        }
        return render(request, self.template_name, context)


class PersonView(PolicyMixin, View):
    """One person's check-ins, for that person and their direct manager only (404 otherwise)."""

    template_name = "collab/wellbeing/person.html"

    def get(self, request, staff_pk):
        staff, rows = selectors_wellbeing.person_checkins(user=request.user, staff_id=staff_pk)
        points = [
            wellbeing.CheckInPoint(r.week_start, r.mood, r.workload, r.wants_to_talk) for r in rows
        ]
        alert = wellbeing.assess(points, as_of=timezone.localdate())
        context = {
            "title": _("Check-ins of {name}").format(name=staff.display_name),
            "person": staff,
            "rows": rows,
            "chart": selectors_wellbeing.person_chart(rows),
            "reasons": reason_labels(alert),
        }
        return render(request, self.template_name, context)


class AggregatesView(PolicyMixin, View):
    """Team figures by week, only for groups at or above the anonymity threshold."""

    template_name = "collab/wellbeing/aggregates.html"

    def get(self, request):
        user = request.user
        policy.require(user, "aggregate", WellbeingCheckIn)
        units = selectors_wellbeing.aggregate_units(user=user).order_by("path")
        raw = request.GET.get("unit", "")
        unit = None
        if raw.isdigit() and len(raw) < 19:
            unit = units.filter(pk=int(raw)).first()
            if unit is None:
                raise Http404(_("Not found."))
        if unit is None:
            staff = getattr(user, "staff", None)
            unit = (
                units.filter(pk=staff.unit_id).first() if staff is not None else None
            ) or units.order_by("depth", "path").first()
        data = (
            selectors_wellbeing.team_aggregates(user=user, unit=unit, as_of=timezone.localdate())
            if unit
            else None
        )
        context = {
            "title": _("Team wellbeing"),
            "data": data,
            "unit": unit,
            "units": units[:500],
        }
        return render(request, self.template_name, context)
