"""Pages of training delivery: sessions, registration, attendance, invitations, self-learning
and certificates. Thin views over ``services_delivery`` and ``selectors_delivery``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from opsteam.core import exports, policy
from opsteam.core.exceptions import NotVisible, OpsTeamError, PolicyDenied
from opsteam.core.tables import Column, Table
from opsteam.core.views import PolicyMixin, ScopedDetailView, ScopedListView, ServiceFormView
from opsteam.org.models import Staff
from opsteam.training import files, reaction
from opsteam.training import selectors_delivery as selectors
from opsteam.training import services_delivery as services
from opsteam.training.choices import (
    ApprovalStatus,
    RegistrationStatus,
    SessionStatus,
)
from opsteam.training.forms_delivery import (
    CertificateForm,
    CheckInCodeForm,
    DecisionForm,
    RegisterOtherForm,
    SelfLearningForm,
    SessionCancelForm,
    SessionForm,
)
from opsteam.training.models import (
    Certificate,
    Course,
    Registration,
    SelfLearning,
    Session,
)


def _user_errors(request, call):
    """Run ``call``; domain errors the user can act on become messages (policy errors pass)."""
    try:
        return call()
    except (PolicyDenied, NotVisible):
        raise
    except OpsTeamError as exc:
        messages.error(request, exc.message)
        return None


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


SESSION_TABLE = Table(
    columns=(
        Column(
            "starts_at",
            gettext_lazy("When"),
            accessor=lambda s: _local(s.starts_at),
            order_by="starts_at",
            link=True,
        ),
        Column(
            "course",
            gettext_lazy("Course"),
            accessor="course.display_name",
            order_by="course__code",
        ),
        Column("instructor", gettext_lazy("Instructor"), accessor="instructor_label"),
        Column(
            "where",
            gettext_lazy("Place"),
            accessor=lambda s: s.location or (_("Online") if s.online_url else ""),
        ),
        Column(
            "seats",
            gettext_lazy("Registered / seats"),
            accessor=lambda s: f"{s.registered_count} / {s.capacity}",
        ),
        Column("waitlist_count", gettext_lazy("Waiting")),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
    ),
    default_order="starts_at",
    searchable=False,
)


class SessionListView(ScopedListView):
    """Upcoming sessions by default; ``when=past|all``, ``course``, ``month=YYYY-MM``."""

    model = Session
    table = SESSION_TABLE
    title = gettext_lazy("Training sessions")
    export_stem = "training-sessions"
    create_url = "training:session_create"
    template_name = "training/delivery/session_list.html"
    empty_hint = gettext_lazy(
        "No sessions match. HR schedules sessions of the catalogue's courses."
    )

    def filters(self):
        params = self.request.GET
        when = (
            params.get("when") if params.get("when") in {"upcoming", "past", "all"} else "upcoming"
        )
        course = params.get("course", "")
        return {
            "when": when,
            "course": int(course) if course.isdigit() and len(course) < 10 else None,
            "month": selectors.parse_month(params.get("month", "")),
        }

    def base_queryset(self, action="view"):
        filters = self.filters()
        queryset = selectors.session_list(
            user=self.request.user,
            when="" if filters["when"] == "all" else filters["when"],
            course=filters["course"],
            month=filters["month"],
        )
        if filters["when"] == "past" and not self.request.GET.get("sort"):
            queryset = queryset.order_by("-starts_at", "pk")
        return queryset

    def get_queryset(self):
        self.filterset = None
        queryset = self.base_queryset()
        ordering = self.table.ordering_for(self.request.GET.get("sort"))
        if ordering:
            return queryset.order_by(*ordering)
        if self.filters()["when"] == "past":
            return queryset
        return queryset.order_by("starts_at", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = self.filters()
        context.update(
            when=filters["when"],
            course_id=filters["course"],
            month=self.request.GET.get("month", ""),
            courses=Course.objects.order_by("code").only("pk", "code", "name", "name_en"),
            pending_count=selectors.pending_approvals(user=self.request.user).count()
            if policy.can(self.request.user, "approve", Registration)
            else 0,
        )
        return context


def _session_fields(form):
    return dict(form.cleaned_data)


class SessionCreateView(ServiceFormView):
    form_class = SessionForm
    title = gettext_lazy("Schedule a session")
    model = Session
    policy_action = "add"
    success_message = gettext_lazy("Session scheduled.")

    def get_initial(self, obj):
        course = self.request.GET.get("course", "")
        return {"course": course} if course.isdigit() else {}

    def perform(self, form, obj):
        return services.session_create(actor=self.request.user, **_session_fields(form))


class SessionUpdateView(ServiceFormView):
    form_class = SessionForm
    title = gettext_lazy("Change session")
    model = Session
    success_message = gettext_lazy("Session saved; registered people get the new invitation.")

    def get_initial(self, obj):
        initial = super().get_initial(obj)
        initial["starts_at"] = timezone.localtime(obj.starts_at)
        initial["ends_at"] = timezone.localtime(obj.ends_at)
        return initial

    def perform(self, form, obj):
        return services.session_update(
            actor=self.request.user, session=obj, **_session_fields(form)
        )


class SessionDetailView(ScopedDetailView):
    model = Session
    template_name = "training/delivery/session_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("course", "instructor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session, user = self.object, self.request.user
        full = selectors.can_take_attendance(user, session)
        roster = list(selectors.session_roster(user=user, session=session, full=full))
        mine = selectors.my_registration(user=user, session=session)
        now = timezone.now()
        bookable = session.status == SessionStatus.SCHEDULED and session.starts_at > now
        can_register_others = bookable and selectors.can_register_others(user)
        context.update(
            title=session.course.display_name,
            seats=selectors.session_seats(session),
            roster=[r for r in roster if r.status == RegistrationStatus.REGISTERED],
            waiting=[r for r in roster if r.status == RegistrationStatus.WAITLISTED],
            pending=[r for r in roster if r.status == RegistrationStatus.PENDING],
            others=[
                r
                for r in roster
                if r.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED)
            ],
            approvable={
                r.pk for r in selectors.pending_approvals(user=user).filter(session=session)
            },
            mine=mine,
            mine_active=mine is not None and mine.status in services.ACTIVE,
            waitlist_position=selectors.waitlist_position(mine) if mine else None,
            bookable=bookable,
            can_take_attendance=full,
            check_in_code=services.session_check_in_code(session) if full else "",
            check_in_open=services.check_in_window_open(session),
            can_close=full
            and session.status == SessionStatus.SCHEDULED
            and session.starts_at <= now,
            can_cancel=context["can_change"] and session.status == SessionStatus.SCHEDULED,
            register_form=RegisterOtherForm(user=user) if can_register_others else None,
            cancel_form=SessionCancelForm(),
            is_past=session.ends_at < now,
            reaction=reaction.reaction_results(session=session)
            if full and session.reaction_campaign_id
            else None,
            can_send_reaction=full and session.status == SessionStatus.COMPLETED,
        )
        return context


def _session(request, pk, action="view"):
    return policy.scoped_get(Session.objects.select_related("course"), request.user, action, pk=pk)


class SessionRegisterView(PolicyMixin, View):
    """POST: register yourself, or (``staff``) a person you manage."""

    def post(self, request, pk):
        session = _session(request, pk)
        staff = None
        staff_id = request.POST.get("staff", "")
        if staff_id:
            if not staff_id.isdigit() or len(staff_id) > 10:
                raise Http404
            staff = policy.scoped_get(Staff.objects.all(), request.user, "view", pk=int(staff_id))
        registration = _user_errors(
            request,
            lambda: services.registration_request(actor=request.user, session=session, staff=staff),
        )
        if registration is not None:
            messages.success(request, _status_message(registration))
        return redirect(session.get_absolute_url())


def _status_message(registration: Registration) -> str:
    return {
        RegistrationStatus.REGISTERED: _("Registered; the calendar invitation is on its way."),
        RegistrationStatus.WAITLISTED: _("The session is full: on the waiting list."),
        RegistrationStatus.PENDING: _("Registered; awaiting approval."),
    }.get(registration.status, _("Saved."))


class SessionCancelView(PolicyMixin, View):
    def post(self, request, pk):
        session = _session(request, pk, "change")
        form = SessionCancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        done = _user_errors(
            request,
            lambda: services.session_cancel(actor=request.user, session=session, reason=reason),
        )
        if done is not None:
            messages.success(request, _("Session cancelled; everyone registered was told."))
        return redirect(session.get_absolute_url())


class SessionCloseView(PolicyMixin, View):
    def post(self, request, pk):
        session = _session(request, pk)
        done = _user_errors(
            request, lambda: services.session_close(actor=request.user, session=session)
        )
        if done is not None:
            messages.success(request, _("Session marked held; absentees recorded."))
        return redirect(session.get_absolute_url())


class SessionReactionView(PolicyMixin, View):
    """Send the reaction survey to everyone who attended (again: only the newly attended)."""

    def post(self, request, pk):
        session = _session(request, pk)
        campaign = _user_errors(
            request, lambda: reaction.reaction_survey_open(actor=request.user, session=session)
        )
        if campaign is not None:
            messages.success(request, _("The reaction survey was sent to everyone who attended."))
        return redirect(session.get_absolute_url())


class SessionAttendanceView(PolicyMixin, View):
    """The instructor's or HR's roster with check boxes; POST saves them all at once."""

    template_name = "training/delivery/session_attendance.html"

    def _load(self, request, pk):
        session = _session(request, pk)
        if not selectors.can_take_attendance(request.user, session):
            raise PolicyDenied()
        return session

    def get(self, request, pk):
        session = self._load(request, pk)
        roster = selectors.session_roster(user=request.user, session=session, full=True).filter(
            status=RegistrationStatus.REGISTERED
        )
        return render(
            request,
            self.template_name,
            {
                "title": _("Attendance: {course}").format(course=session.course.display_name),
                "session": session,
                "roster": roster,
                "check_in_code": services.session_check_in_code(session),
                "check_in_open": services.check_in_window_open(session),
            },
        )

    def post(self, request, pk):
        session = self._load(request, pk)
        ids = [int(v) for v in request.POST.getlist("registration") if v.isdigit() and len(v) < 10]
        present = {int(v) for v in request.POST.getlist("attended") if v.isdigit() and len(v) < 10}
        changed = _user_errors(
            request,
            lambda: services.attendance_record(
                actor=request.user,
                session=session,
                attended={pk_: pk_ in present for pk_ in ids},
            ),
        )
        if changed is not None:
            messages.success(
                request, _("Attendance saved ({count} changed).").format(count=len(changed))
            )
        return redirect("training:session_attendance", pk=session.pk)


class SessionCheckInView(PolicyMixin, View):
    """Self check-in with the code the instructor shows."""

    template_name = "training/delivery/session_check_in.html"

    def get(self, request, pk):
        session = _session(request, pk)
        return self._render(request, session, CheckInCodeForm())

    def _render(self, request, session, form, status=200):
        mine = selectors.my_registration(user=request.user, session=session)
        return render(
            request,
            self.template_name,
            {
                "title": _("Check in"),
                "session": session,
                "form": form,
                "mine": mine,
                "window_open": services.check_in_window_open(session),
            },
            status=status,
        )

    def post(self, request, pk):
        session = _session(request, pk)
        form = CheckInCodeForm(request.POST)
        if form.is_valid():
            try:
                services.self_check_in(
                    actor=request.user, session=session, code=form.cleaned_data["code"]
                )
            except (PolicyDenied, NotVisible):
                raise
            except OpsTeamError as exc:
                form.add_error("code" if exc.field == "code" else None, exc.message)
            else:
                messages.success(request, _("Checked in. Enjoy the session!"))
                return redirect(session.get_absolute_url())
        return self._render(request, session, form, status=400)


def _ics_response(text: str, stem: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.ics"'
    return response


class SessionIcsView(PolicyMixin, View):
    def get(self, request, pk):
        session = _session(request, pk)
        staff = Staff.objects.filter(user=request.user).first()
        mine = selectors.my_registration(user=request.user, session=session)
        attendees = [staff] if staff is not None and mine is not None else []
        method = "CANCEL" if session.status == SessionStatus.CANCELLED else "PUBLISH"
        return _ics_response(
            services.session_ics([session], method=method, attendees=attendees),
            f"training-session-{session.pk}",
        )


ATTENDANCE_COLUMNS = (
    gettext_lazy("Employee number"),
    gettext_lazy("Name"),
    gettext_lazy("Unit"),
    gettext_lazy("Status"),
    gettext_lazy("Attended"),
    gettext_lazy("Checked in at"),
)


class SessionAttendanceExportView(PolicyMixin, View):
    """The session's roster with attendance as a spreadsheet (attendance takers; managers get
    their own people through the policy's export scope)."""

    def get(self, request, pk):
        session = _session(request, pk)
        policy.require(request.user, "export", Registration)
        full = selectors.can_take_attendance(request.user, session)
        rows = selectors.session_roster(user=request.user, session=session, full=full)
        if not full:
            rows = rows.filter(pk__in=Registration.objects.restrict(request.user, "export"))

        def cells():
            for r in rows:
                staff = r.enrolment.staff
                yield [
                    staff.employee_no,
                    str(staff.display_name),
                    str(staff.unit.display_name),
                    r.get_status_display(),
                    "" if r.attended is None else (_("yes") if r.attended else _("no")),
                    timezone.localtime(r.checked_in_at).replace(tzinfo=None)
                    if r.checked_in_at
                    else "",
                ]

        return exports.spreadsheet_response(
            stem=f"attendance-{session.pk}",
            file_format="csv" if request.GET.get("format") == "csv" else "xlsx",
            header=[str(c) for c in ATTENDANCE_COLUMNS],
            rows=cells(),
        )


def _registration(request, pk, action):
    return policy.scoped_get(
        Registration.objects.select_related("session", "enrolment"), request.user, action, pk=pk
    )


def _back(request, fallback):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


class RegistrationApproveView(PolicyMixin, View):
    def post(self, request, pk):
        registration = _registration(request, pk, "approve")
        done = _user_errors(
            request,
            lambda: services.registration_approve(actor=request.user, registration=registration),
        )
        if done is not None:
            messages.success(request, _("Approved."))
        return _back(request, registration.session.get_absolute_url())


class RegistrationRejectView(PolicyMixin, View):
    def post(self, request, pk):
        registration = _registration(request, pk, "approve")
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        done = _user_errors(
            request,
            lambda: services.registration_reject(
                actor=request.user, registration=registration, note=note
            ),
        )
        if done is not None:
            messages.success(request, _("Turned down; the person was told."))
        return _back(request, registration.session.get_absolute_url())


class RegistrationCancelView(PolicyMixin, View):
    def post(self, request, pk):
        registration = _registration(request, pk, "cancel")
        done = _user_errors(
            request,
            lambda: services.registration_cancel(actor=request.user, registration=registration),
        )
        if done is not None:
            messages.success(request, _("Place cancelled."))
        return _back(request, registration.session.get_absolute_url())


class RegistrationApprovalsView(PolicyMixin, TemplateView):
    """Registrations waiting for the user's approval (managers: their people; HR: all)."""

    template_name = "training/delivery/registration_approvals.html"

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "approve", Registration)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": _("Registrations to approve"),
            "pending": selectors.pending_approvals(user=self.request.user)[:500],
            "learning": selectors.selflearning_list(
                user=self.request.user, status=ApprovalStatus.SUBMITTED
            )
            .filter(pk__in=SelfLearning.objects.restrict(self.request.user, "approve"))
            .exclude(staff__user=self.request.user)[:500],
        }


class MySessionsView(PolicyMixin, TemplateView):
    template_name = "training/delivery/my_sessions.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        rows = list(selectors.my_sessions(user=self.request.user)[:500])
        upcoming = [
            r
            for r in rows
            if r.session.ends_at >= now
            and r.status in services.ACTIVE
            and r.session.status == SessionStatus.SCHEDULED
        ]
        upcoming.sort(key=lambda r: r.session.starts_at)
        return {
            **super().get_context_data(**kwargs),
            "title": _("My training sessions"),
            "upcoming": upcoming,
            "past": [r for r in rows if r not in upcoming],
        }


class MySessionsIcsView(PolicyMixin, View):
    """A calendar file of the user's upcoming sessions (registered seats)."""

    def get(self, request):
        staff = Staff.objects.filter(user=request.user).first()
        sessions = [
            r.session
            for r in selectors.my_sessions(user=request.user).filter(
                status=RegistrationStatus.REGISTERED,
                session__status=SessionStatus.SCHEDULED,
                session__ends_at__gte=timezone.now(),
            )
        ]
        text = services.session_ics(
            sessions,
            attendees=[staff] if staff is not None else [],
            name=_("My training sessions"),
        )
        return _ics_response(text, "my-training")


SELF_LEARNING_TABLE = Table(
    columns=(
        Column(
            "link",
            gettext_lazy("Title"),
            accessor=lambda r: format_html(
                '<a href="{}">{}</a>', reverse("training:selflearning_detail", args=[r.pk]), r.title
            ),
            order_by="title",
            export=False,
        ),
        Column("title", gettext_lazy("Title"), css="d-none"),
        Column(
            "staff",
            gettext_lazy("Person"),
            accessor="staff.display_name",
            order_by="staff__employee_no",
        ),
        Column("kind", gettext_lazy("Kind"), accessor="get_kind_display", order_by="kind"),
        Column("hours", gettext_lazy("Hours"), order_by="hours"),
        Column("completed_on", gettext_lazy("Completed on"), order_by="completed_on"),
        Column("status", gettext_lazy("Status"), accessor="get_status_display", order_by="status"),
    ),
    default_order="-completed_on",
    searchable=False,
)


class SelfLearningListView(ScopedListView):
    model = SelfLearning
    table = SELF_LEARNING_TABLE
    title = gettext_lazy("Self-learning")
    export_stem = "self-learning"
    create_url = "training:selflearning_create"
    template_name = "training/delivery/selflearning_list.html"
    empty_hint = gettext_lazy(
        "Record books, external courses, conferences and mentoring: approved hours count."
    )

    def base_queryset(self, action="view"):
        params = self.request.GET
        queryset = SelfLearning.objects.restrict(self.request.user, action).select_related("staff")
        if params.get("mine") == "1":
            queryset = queryset.filter(staff__user=self.request.user)
        if params.get("status") in ApprovalStatus.values:
            queryset = queryset.filter(status=params["status"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("status", "")
        context["mine"] = self.request.GET.get("mine") == "1"
        context["statuses"] = ApprovalStatus.choices
        return context


class SelfLearningCreateView(ServiceFormView):
    form_class = SelfLearningForm
    title = gettext_lazy("Record self-learning")
    model = SelfLearning
    policy_action = "add"
    success_message = gettext_lazy("Recorded; your manager will review it.")

    def get_initial(self, obj):
        return {"completed_on": timezone.localdate()}

    def perform(self, form, obj):
        return services.selflearning_submit(actor=self.request.user, **form.cleaned_data)

    def success_url(self, result):
        return reverse("training:selflearning_detail", args=[result.pk])


class SelfLearningDetailView(ScopedDetailView):
    model = SelfLearning
    template_name = "training/delivery/selflearning_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, user = self.object, self.request.user
        context.update(
            title=record.title,
            can_decide=record.status == ApprovalStatus.SUBMITTED
            and record.staff.user_id != user.pk
            and policy.can(user, "approve", record),
            decision_form=DecisionForm(),
        )
        return context


class SelfLearningDecideView(PolicyMixin, View):
    def post(self, request, pk):
        record = policy.scoped_get(SelfLearning.objects.all(), request.user, "approve", pk=pk)
        approve = request.POST.get("decision") == "approve"
        form = DecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        done = _user_errors(
            request,
            lambda: services.selflearning_decide(
                actor=request.user, record=record, approve=approve, note=note
            ),
        )
        if done is not None:
            messages.success(request, _("Approved.") if approve else _("Rejected."))
        return _back(request, reverse("training:selflearning_detail", args=[record.pk]))


class SelfLearningEvidenceView(PolicyMixin, View):
    def get(self, request, pk):
        record = policy.scoped_get(SelfLearning.objects.all(), request.user, "view", pk=pk)
        return files.file_response(record.evidence, f"evidence-{record.pk}")


CERTIFICATE_TABLE = Table(
    columns=(
        Column("name", gettext_lazy("Certificate"), order_by="name"),
        Column(
            "staff",
            gettext_lazy("Person"),
            accessor="staff.display_name",
            order_by="staff__employee_no",
        ),
        Column("issuer", gettext_lazy("Issuer")),
        Column("number", gettext_lazy("Certificate number")),
        Column("issued_on", gettext_lazy("Issued on"), order_by="issued_on"),
        Column("expires_on", gettext_lazy("Expires on"), order_by="expires_on"),
        Column("source", gettext_lazy("Source"), accessor="get_source_display"),
        Column(
            "file",
            gettext_lazy("File"),
            accessor=lambda c: (
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("training:certificate_download", args=[c.pk]),
                    _("Download"),
                )
                if c.file
                else ""
            ),
            export=False,
        ),
    ),
    default_order="-issued_on",
    searchable=False,
)


class CertificateListView(ScopedListView):
    """Certificates: ``scope=mine|team`` (default all the user may see)."""

    model = Certificate
    table = CERTIFICATE_TABLE
    title = gettext_lazy("Certificates")
    export_stem = "certificates"
    create_url = "training:certificate_create"
    template_name = "training/delivery/certificate_list.html"
    empty_hint = gettext_lazy("Certificates appear when a course issues one or one is uploaded.")
    expiring = False

    def base_queryset(self, action="view"):
        scope = self.request.GET.get("scope", "")
        queryset = selectors.certificate_list(
            user=self.request.user,
            scope=scope if scope in {"mine", "team"} else "",
            expiring_days=selectors.EXPIRY_WARNING_DAYS if self.expiring else None,
        )
        if action != "view":
            queryset = queryset.filter(
                pk__in=Certificate.objects.restrict(self.request.user, action)
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["scope"] = self.request.GET.get("scope", "")
        context["expiring"] = self.expiring
        context["today"] = timezone.localdate()
        return context


class CertificateExpiringView(CertificateListView):
    """Certificates expiring within 60 days (HR, auditors; managers for their people)."""

    title = gettext_lazy("Certificates expiring soon")
    expiring = True
    export_stem = "certificates-expiring"
    table = Table(columns=CERTIFICATE_TABLE.columns, default_order="expires_on", searchable=False)

    def get(self, request, *args, **kwargs):
        policy.require(request.user, "export", Certificate)
        return super().get(request, *args, **kwargs)


class CertificateCreateView(ServiceFormView):
    form_class = CertificateForm
    title = gettext_lazy("Upload a certificate")
    model = Certificate
    policy_action = "add"
    success_message = gettext_lazy("Certificate recorded.")

    def form_kwargs(self, obj):
        return {
            "user": self.request.user,
            "may_choose_person": policy.can(self.request.user, "change", Certificate),
        }

    def perform(self, form, obj):
        data = dict(form.cleaned_data)
        return services.certificate_upload(actor=self.request.user, **data)

    def success_url(self, result):
        return reverse("training:certificate_list") + "?scope=mine"


class CertificateDownloadView(PolicyMixin, View):
    def get(self, request, pk):
        certificate = policy.scoped_get(Certificate.objects.all(), request.user, "view", pk=pk)
        return files.file_response(certificate.file, f"certificate-{certificate.pk}")
