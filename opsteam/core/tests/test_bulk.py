import datetime as dt

from django.utils import timezone

from opsteam.core import bulk
from opsteam.core.models import AuditEntry
from opsteam.org.models import Staff
from opsteam.org.tests.factories import PositionFactory


def test_inserted_rows_read_back_exactly_through_the_orm(org_tree):
    position = PositionFactory()
    now = timezone.now().replace(microsecond=123456)

    count = bulk.insert_rows(
        Staff,
        (
            "employee_no",
            "name",
            "name_en",
            "email",
            "phone",
            "hire_date",
            "status",
            "unit_id",
            "position_id",
            "created_at",
            "updated_at",
        ),
        [
            (
                f"B{i}",
                f"批量{i}",
                "",
                "",
                "",
                dt.date(2024, 1, 2),
                "active",
                org_tree.t1.pk,
                position.pk,
                now,
                now,
            )
            for i in range(3)
        ],
    )

    rows = list(Staff.objects.order_by("employee_no"))
    assert count == 3
    assert [r.employee_no for r in rows] == ["B0", "B1", "B2"]
    assert rows[0].created_at == now
    assert rows[0].hire_date == dt.date(2024, 1, 2)
    assert rows[0].unit == org_tree.t1


def test_json_columns_are_serialised(db):
    bulk.insert_rows(
        AuditEntry,
        (
            "at",
            "actor_label",
            "action",
            "source",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "changed_fields",
            "note",
        ),
        [
            (
                timezone.now(),
                "system",
                "create",
                "import",
                "org.staff",
                "1",
                "张三",
                None,
                {"name": "张三", "hire_date": "2024-01-02"},
                ["name"],
                "",
            )
        ],
    )

    entry = AuditEntry.objects.get()
    assert entry.after == {"name": "张三", "hire_date": "2024-01-02"}
    assert entry.before is None
    assert entry.changed_fields == ["name"]


def test_update_rows_sets_values_by_primary_key(org_tree):
    from opsteam.org.tests.factories import StaffFactory

    boss, report = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t1)

    report.manager_id = boss.pk
    bulk.update_rows(Staff, [report], ["manager"])

    report.refresh_from_db()
    assert report.manager == boss


def test_rows_may_come_from_a_lazy_query_on_the_same_connection(org_tree):
    from opsteam.org.tests.factories import StaffFactory

    people = [StaffFactory(unit=org_tree.t1) for _ in range(3)]

    written = bulk.insert_rows(
        AuditEntry,
        (
            "at",
            "actor_label",
            "action",
            "source",
            "object_type",
            "object_id",
            "object_repr",
            "changed_fields",
            "note",
        ),
        (
            (timezone.now(), "system", "create", "import", "org.staff", str(pk), name, [], "")
            for pk, name in Staff.objects.values_list("pk", "name")
        ),
        batch_size=2,
    )

    assert written == 3
    assert set(AuditEntry.objects.values_list("object_id", flat=True)) == {
        str(p.pk) for p in people
    }
