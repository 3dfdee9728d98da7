import datetime as dt

import factory

from opsteam.org import models
from opsteam.org.choices import LevelTrack, UnitKind


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Units get their materialised path after insert, like the service does."""

    class Meta:
        model = models.OrgUnit
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"团队{n}")
    name_en = factory.Sequence(lambda n: f"Team {n}")
    kind = UnitKind.TEAM
    parent = None

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        if not create:
            return
        parent_path = obj.parent.path if obj.parent_id else ""
        obj.path = parent_path + models.OrgUnit.path_segment(obj.pk)
        obj.depth = obj.parent.depth + 1 if obj.parent_id else 0
        obj.save(update_fields=["path", "depth"])


class RoleFamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleFamily
        django_get_or_create = ("code",)

    code = "store_ops"
    name = "店铺运营"
    name_en = "Store operations"


class JobLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.JobLevel
        django_get_or_create = ("code",)

    code = "P2"
    name = "运营专员"
    name_en = "Operator"
    track = LevelTrack.PROFESSIONAL
    rank = 2


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Position

    code = factory.Sequence(lambda n: f"POS{n:04d}")
    name = factory.Sequence(lambda n: f"运营岗位{n}")
    name_en = factory.Sequence(lambda n: f"Operations position {n}")
    family = factory.SubFactory(RoleFamilyFactory)


class StaffFactory(factory.django.DjangoModelFactory):
    """Creates the open assignment too, as ``services.staff_create`` does."""

    class Meta:
        model = models.Staff
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    name_en = factory.Sequence(lambda n: f"Staff {n}")
    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    hire_date = dt.date(2023, 1, 1)
    unit = factory.SubFactory(OrgUnitFactory)
    position = factory.SubFactory(PositionFactory)
    level = factory.SubFactory(JobLevelFactory)

    @factory.post_generation
    def open_assignment(obj, create, extracted, **kwargs):
        if create:
            models.Assignment.objects.create(
                staff=obj,
                start_date=obj.hire_date,
                unit=obj.unit,
                position=obj.position,
                level=obj.level,
                manager=obj.manager,
                reason="hire",
            )


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Skill

    code = factory.Sequence(lambda n: f"SK{n:03d}")
    name = factory.Sequence(lambda n: f"技能{n}")
    name_en = factory.Sequence(lambda n: f"Skill {n}")
    category = "professional"


class JobDescriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.JobDescription

    position = factory.SubFactory(PositionFactory)
    version = 1
    status = "published"
    purpose = "负责店铺日常运营"
    purpose_en = "Run the store day to day"


class JobDutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.JobDuty

    job_description = factory.SubFactory(JobDescriptionFactory)
    title = factory.Sequence(lambda n: f"职责{n}")
    title_en = factory.Sequence(lambda n: f"Duty {n}")
    time_share = 20


class ProcessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Process

    code = factory.Sequence(lambda n: f"PR{n:03d}")
    name = factory.Sequence(lambda n: f"流程{n}")
    name_en = factory.Sequence(lambda n: f"Process {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Activity

    process = factory.SubFactory(ProcessFactory)
    code = factory.Sequence(lambda n: f"ACT{n:04d}")
    name = factory.Sequence(lambda n: f"活动{n}")
    name_en = factory.Sequence(lambda n: f"Activity {n}")


class RaciAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RaciAssignment

    activity = factory.SubFactory(ActivityFactory)
    position = factory.SubFactory(PositionFactory)
    role = "R"
