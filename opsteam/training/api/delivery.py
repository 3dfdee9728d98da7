"""Training API: delivery. Sessions (register, cancel, close, check-in, attendance, .ics),
registrations (approve, reject, cancel), self-learning (submit, approve, reject) and
certificates (list, upload external). Reads are scoped by the policy; writes call
``services_delivery`` with explicitly declared input fields.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from opsteam.core import policy
from opsteam.core.api.serializers import MAX_ID
from opsteam.core.api.viewsets import ScopedModelViewSet
from opsteam.core.exceptions import PolicyDenied
from opsteam.org.models import Staff
from opsteam.training import selectors_delivery as selectors
from opsteam.training import services_delivery as services
from opsteam.training.choices import (
    ApprovalStatus,
    CourseStatus,
    RegistrationStatus,
    SessionStatus,
)
from opsteam.training.models import Certificate, Course, Registration, SelfLearning, Session

# Serializers ------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    course_code = serializers.CharField(source="course.code", read_only=True)
    course_name = serializers.CharField(source="course.display_name", read_only=True)
    instructor_name = serializers.CharField(source="instructor_label", read_only=True)
    status = serializers.CharField(read_only=True, help_text="scheduled, completed or cancelled")
    registered = serializers.IntegerField(source="registered_count", read_only=True)
    waitlisted = serializers.IntegerField(source="waitlist_count", read_only=True)
    pending = serializers.IntegerField(source="pending_count", read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "course",
            "course_code",
            "course_name",
            "instructor",
            "external_instructor",
            "instructor_name",
            "starts_at",
            "ends_at",
            "location",
            "online_url",
            "capacity",
            "status",
            "registered",
            "waitlisted",
            "pending",
        ]
        read_only_fields = fields


class SessionInputSerializer(serializers.Serializer):
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.filter(status=CourseStatus.ACTIVE)
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    instructor = serializers.PrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True
    )
    external_instructor = serializers.CharField(max_length=200, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    online_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class SessionUpdateInputSerializer(SessionInputSerializer):
    course = serializers.PrimaryKeyRelatedField(
        queryset=Course.objects.filter(status=CourseStatus.ACTIVE), required=False
    )
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)


class RegistrationSerializer(serializers.ModelSerializer):
    staff = serializers.IntegerField(source="enrolment.staff_id", read_only=True)
    staff_name = serializers.CharField(source="enrolment.staff.display_name", read_only=True)
    course = serializers.IntegerField(source="session.course_id", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="pending, registered, waitlisted, rejected or cancelled"
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "enrolment",
            "staff",
            "staff_name",
            "course",
            "status",
            "attended",
            "checked_in_at",
            "created_at",
        ]
        read_only_fields = fields


class RegisterInputSerializer(serializers.Serializer):
    staff = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Omit to register yourself."
    )


class SessionCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CheckInInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=12)


class AttendanceItemSerializer(serializers.Serializer):
    registration = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    attended = serializers.BooleanField()


class AttendanceInputSerializer(serializers.Serializer):
    attendance = AttendanceItemSerializer(many=True)


class SeatDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SelfLearningSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="submitted, approved or rejected")
    has_evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = SelfLearning
        fields = [
            "id",
            "staff",
            "staff_name",
            "kind",
            "title",
            "provider",
            "hours",
            "completed_on",
            "evidence_url",
            "has_evidence_file",
            "summary",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_has_evidence_file(self, record: SelfLearning) -> bool:
        return bool(record.evidence)


class SelfLearningInputSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=20,
        help_text="book, external_course, conference, mentoring or other",
    )
    title = serializers.CharField(max_length=200)
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0.5"), max_value=Decimal("500")
    )
    completed_on = serializers.DateField()
    evidence = serializers.FileField(required=False, allow_null=True)
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)


class CertificateSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.display_name", read_only=True)
    source = serializers.CharField(read_only=True, help_text="course or external")
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "staff",
            "staff_name",
            "course",
            "source",
            "name",
            "issuer",
            "number",
            "issued_on",
            "expires_on",
            "has_file",
        ]
        read_only_fields = fields

    def get_has_file(self, certificate: Certificate) -> bool:
        return bool(certificate.file)


class CertificateInputSerializer(serializers.Serializer):
    staff = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Omit for yourself (HR: anyone)."
    )
    name = serializers.CharField(max_length=200)
    issuer = serializers.CharField(max_length=200, required=False, allow_blank=True)
    number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField(required=False, allow_null=True)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs) -> dict:
    data = serializer_class(data=request.data, **kwargs)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _staff(request: Request, pk: int | None) -> Staff | None:
    if pk is None:
        return None
    return policy.scoped_get(Staff.objects.all(), request.user, "view", pk=pk)


# Viewsets ---------------------------------------------------------------------------------

SESSION_FILTERS = [
    OpenApiParameter("when", str, enum=["upcoming", "past"], description="Default: all."),
    OpenApiParameter("course", int, description="Course id."),
    OpenApiParameter("month", str, description="YYYY-MM: sessions starting that month."),
]


def _seat_counts(queryset):
    return queryset.annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
        ),
        waitlist_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
        pending_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.PENDING)
        ),
    )


@extend_schema(parameters=SESSION_FILTERS)
class SessionViewSet(ScopedModelViewSet):
    """Training sessions with seat counts; HR schedules, changes and cancels them."""

    queryset = Session.objects.select_related("course", "instructor")
    serializer_class = SessionSerializer
    ordering = ["starts_at", "id"]
    policy_actions = {
        "register": "view",
        "cancel": "change",
        "close": "view",
        "check_in": "view",
        "attendance": "view",
        "ics": "view",
    }

    def get_queryset(self):
        queryset = _seat_counts(super().get_queryset())
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if (
            params.get("when") in {"upcoming", "past"}
            or params.get("course")
            or params.get("month")
        ):
            course = params.get("course", "")
            ids = selectors.session_list(
                user=self.request.user,
                when=params.get("when", ""),
                course=int(course) if course.isdigit() and len(course) < 10 else None,
                month=selectors.parse_month(params.get("month", "")),
            ).values("pk")
            queryset = queryset.filter(pk__in=ids)
        return queryset.order_by("starts_at", "pk")

    def _out(self, session: Session, code: int = status.HTTP_200_OK) -> Response:
        fresh = _seat_counts(Session.objects.select_related("course", "instructor")).get(
            pk=session.pk
        )
        return Response(SessionSerializer(fresh).data, status=code)

    @extend_schema(request=SessionInputSerializer, responses={201: SessionSerializer})
    def create(self, request: Request) -> Response:
        session = services.session_create(
            actor=request.user, **_valid(SessionInputSerializer, request)
        )
        return self._out(session, status.HTTP_201_CREATED)

    @extend_schema(request=SessionUpdateInputSerializer, responses=SessionSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        session = self.get_object()
        data = _valid(SessionUpdateInputSerializer, request, partial=True)
        return self._out(services.session_update(actor=request.user, session=session, **data))

    @extend_schema(request=RegisterInputSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str | None = None) -> Response:
        """Register yourself (or, as a manager or HR, ``staff``): registered, waiting or
        awaiting approval (409 when the session is not bookable or you already hold a place)."""
        session = self.get_object()
        data = _valid(RegisterInputSerializer, request)
        registration = services.registration_request(
            actor=request.user, session=session, staff=_staff(request, data.get("staff"))
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SessionCancelInputSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the session: every place is cancelled and its holder told."""
        session = services.session_cancel(
            actor=request.user,
            session=self.get_object(),
            reason=_valid(SessionCancelInputSerializer, request).get("reason", ""),
        )
        return self._out(session)

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Mark the session held (instructor, HR): absentees are recorded."""
        session = self.get_object()
        return self._out(services.session_close(actor=request.user, session=session))

    @extend_schema(request=CheckInInputSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        """Check yourself in with the session's code during the session."""
        registration = services.self_check_in(
            actor=request.user,
            session=self.get_object(),
            code=_valid(CheckInInputSerializer, request)["code"],
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=AttendanceInputSerializer, responses=RegistrationSerializer(many=True))
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Record attendance of registered people (instructor, HR); returns the changed rows."""
        session = self.get_object()
        if not selectors.can_take_attendance(request.user, session):
            raise PolicyDenied()
        items = _valid(AttendanceInputSerializer, request)["attendance"]
        changed = services.attendance_record(
            actor=request.user,
            session=session,
            attended={item["registration"]: item["attended"] for item in items},
        )
        return Response(RegistrationSerializer(changed, many=True).data)

    @extend_schema(request=None, responses={(200, "text/calendar"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def ics(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The session as an iCalendar file."""
        session = self.get_object()
        method = "CANCEL" if session.status == SessionStatus.CANCELLED else "PUBLISH"
        response = HttpResponse(
            services.session_ics([session], method=method),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="training-session-{session.pk}.ics"'
        )
        return response


@extend_schema(
    parameters=[
        OpenApiParameter("session", int),
        OpenApiParameter("status", str, enum=list(RegistrationStatus.values)),
        OpenApiParameter("mine", bool),
    ]
)
class RegistrationViewSet(ScopedModelViewSet):
    """Places in sessions: yours, your people's (managers) or all (HR, auditors)."""

    queryset = Registration.objects.select_related("enrolment__staff", "session")
    serializer_class = RegistrationSerializer
    ordering = ["session", "created_at", "id"]
    policy_actions = {"approve": "approve", "reject": "approve", "cancel": "cancel"}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        session = params.get("session", "")
        if session.isdigit() and len(session) < 19:
            queryset = queryset.filter(session_id=int(session))
        if params.get("status") in RegistrationStatus.values:
            queryset = queryset.filter(status=params["status"])
        if params.get("mine") in {"1", "true"}:
            queryset = queryset.filter(enrolment__staff__user=self.request.user)
        return queryset.order_by("session_id", "created_at", "pk")

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a pending registration (the person's manager or HR)."""
        registration = services.registration_approve(
            actor=request.user, registration=self.get_object()
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=SeatDecisionInputSerializer, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        registration = services.registration_reject(
            actor=request.user,
            registration=self.get_object(),
            note=_valid(SeatDecisionInputSerializer, request).get("note", ""),
        )
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Give up a place; the first on the waiting list gets it."""
        registration = services.registration_cancel(
            actor=request.user, registration=self.get_object()
        )
        return Response(RegistrationSerializer(registration).data)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=list(ApprovalStatus.values)),
        OpenApiParameter("mine", bool),
    ]
)
class SelfLearningViewSet(ScopedModelViewSet):
    """Self-learning records: submit your own; managers and HR approve or reject."""

    queryset = SelfLearning.objects.select_related("staff")
    serializer_class = SelfLearningSerializer
    ordering = ["-completed_on", "-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    policy_actions = {"approve": "approve", "reject": "approve"}

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        if params.get("status") in ApprovalStatus.values:
            queryset = queryset.filter(status=params["status"])
        if params.get("mine") in {"1", "true"}:
            queryset = queryset.filter(staff__user=self.request.user)
        return queryset.order_by("-completed_on", "-pk")

    @extend_schema(request=SelfLearningInputSerializer, responses={201: SelfLearningSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(SelfLearningInputSerializer, request)
        record = services.selflearning_submit(actor=request.user, **data)
        return Response(SelfLearningSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SeatDecisionInputSerializer, responses=SelfLearningSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        record = services.selflearning_decide(
            actor=request.user,
            record=self.get_object(),
            approve=True,
            note=_valid(SeatDecisionInputSerializer, request).get("note", ""),
        )
        return Response(SelfLearningSerializer(record).data)

    @extend_schema(request=SeatDecisionInputSerializer, responses=SelfLearningSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject with a note (400 without one)."""
        record = services.selflearning_decide(
            actor=request.user,
            record=self.get_object(),
            approve=False,
            note=_valid(SeatDecisionInputSerializer, request).get("note", ""),
        )
        return Response(SelfLearningSerializer(record).data)


@extend_schema(
    parameters=[
        OpenApiParameter("scope", str, enum=["mine", "team"]),
        OpenApiParameter("expiring", bool, description="Only those expiring within 60 days."),
    ]
)
class CertificateViewSet(ScopedModelViewSet):
    """Certificates: yours, your people's (managers) or all (HR, auditors); upload external."""

    queryset = Certificate.objects.select_related("staff")
    serializer_class = CertificateSerializer
    ordering = ["-issued_on", "-id"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action != "list":
            return queryset
        params = self.request.query_params
        scope = params.get("scope", "")
        expiring = params.get("expiring") in {"1", "true"}
        ids = selectors.certificate_list(
            user=self.request.user,
            scope=scope if scope in {"mine", "team"} else "",
            expiring_days=selectors.EXPIRY_WARNING_DAYS if expiring else None,
        ).values("pk")
        return queryset.filter(pk__in=ids).order_by(
            "expires_on" if expiring else "-issued_on", "pk"
        )

    @extend_schema(request=CertificateInputSerializer, responses={201: CertificateSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(CertificateInputSerializer, request)
        data["staff"] = _staff(request, data.get("staff"))
        certificate = services.certificate_upload(actor=request.user, **data)
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


def register(router: DefaultRouter) -> None:
    """Add this area's viewsets to the training router."""
    router.register("sessions", SessionViewSet, basename="training-session")
    router.register("registrations", RegistrationViewSet, basename="training-registration")
    router.register("self-learning", SelfLearningViewSet, basename="training-selflearning")
    router.register("certificates", CertificateViewSet, basename="training-certificate")
