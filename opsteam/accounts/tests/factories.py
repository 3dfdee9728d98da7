import factory

from opsteam.accounts import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "operator"
    unit = None
