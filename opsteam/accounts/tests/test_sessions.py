import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from opsteam.accounts.middleware import SESSION_LAST_SEEN, SESSION_SIGNED_IN_AT
from opsteam.accounts.models import ApiToken, UserSession
from opsteam.accounts.tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def _signed_in_client(username="wang"):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _age_session(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


@pytest.mark.django_db
def test_idle_session_ends_after_thirty_minutes():
    UserFactory(username="wang")
    client = _signed_in_client()
    assert client.get(reverse("insights:home")).status_code == 200

    _age_session(client, SESSION_LAST_SEEN, 31 * 60)
    response = client.get(reverse("insights:home"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert client.get(reverse("insights:home")).status_code == 302
    assert not UserSession.objects.exists()


@pytest.mark.django_db
def test_active_session_still_ends_after_twelve_hours():
    UserFactory(username="wang")
    client = _signed_in_client()

    _age_session(client, SESSION_SIGNED_IN_AT, 12 * 3600 + 1)
    response = client.get(reverse("insights:home"))

    assert response.status_code == 302


@pytest.mark.django_db
def test_timeouts_are_settings(settings):
    settings.OPSTEAM_SESSION_IDLE_SECONDS = 10
    UserFactory(username="wang")
    client = _signed_in_client()

    _age_session(client, SESSION_LAST_SEEN, 11)

    assert client.get(reverse("insights:home")).status_code == 302


@pytest.mark.django_db
def test_logout_ends_every_session_and_revokes_every_token():
    user = UserFactory(username="wang")
    laptop, phone = _signed_in_client(), _signed_in_client()
    token = ApiToken.objects.create(user=user, name="bi", prefix="p9", key_hash="9" * 64)

    laptop.post(reverse("accounts:logout"))

    token.refresh_from_db()
    assert phone.get(reverse("insights:home")).status_code == 302
    assert token.revoked_at is not None
    assert not UserSession.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_deactivation_ends_sessions_on_every_device():
    from opsteam.accounts import services

    user = UserFactory(username="wang")
    laptop, phone = _signed_in_client(), _signed_in_client()

    services.user_deactivate(actor=None, user=user)

    assert laptop.get(reverse("insights:home")).status_code == 302
    assert phone.get(reverse("insights:home")).status_code == 302


@pytest.mark.django_db
def test_password_rotation_is_off_by_default_and_enforced_when_set(settings):
    user = UserFactory(username="wang")
    user.password_changed_at = timezone.now() - timezone.timedelta(days=400)
    user.save()
    client = _signed_in_client()
    assert client.get(reverse("insights:home")).status_code == 200

    settings.OPSTEAM_PASSWORD_MAX_AGE_DAYS = 90
    response = client.get(reverse("insights:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    assert client.get(reverse("accounts:password_change")).status_code == 200


@pytest.mark.django_db
def test_changing_the_password_resets_the_rotation_clock(settings):
    settings.OPSTEAM_PASSWORD_MAX_AGE_DAYS = 90
    user = UserFactory(username="wang")
    user.password_changed_at = timezone.now() - timezone.timedelta(days=400)
    user.save()
    client = _signed_in_client()

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-Passw0rd",
            "new_password2": "a-much-longer-Passw0rd",
        },
    )

    assert client.get(reverse("insights:home")).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("_case", "https"), [("intranet http", False), ("https", True)])
def test_session_cookie_flags(settings, _case, https):
    settings.SESSION_COOKIE_SECURE = https
    UserFactory(username="wang")
    client = Client()

    response = client.post(reverse("accounts:login"), {"username": "wang", "password": PASSWORD})

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert bool(cookie["secure"]) is https
