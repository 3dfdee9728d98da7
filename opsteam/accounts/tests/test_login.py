import pytest
from django.test import override_settings
from django.urls import reverse

from opsteam.accounts.models import ApiToken, SecurityEvent
from opsteam.accounts.tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def _login(client, username, password, addr="10.0.0.1"):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=addr
    )


@pytest.mark.django_db
def test_correct_password_logs_in_and_is_recorded(client):
    UserFactory(username="wang")

    response = _login(client, "wang", PASSWORD)

    assert response.status_code == 302
    assert SecurityEvent.objects.filter(kind="login_succeeded", username="wang").exists()


@pytest.mark.django_db
def test_fifth_failure_blocks_that_user_from_that_address_with_429(client):
    UserFactory(username="wang")
    for _ in range(5):
        assert _login(client, "wang", "wrong").status_code == 200

    blocked = _login(client, "wang", PASSWORD)

    assert blocked.status_code == 429
    assert "15" in blocked.content.decode()
    assert SecurityEvent.objects.filter(kind="login_throttled").count() == 1


@pytest.mark.django_db
def test_attacker_elsewhere_cannot_lock_the_real_user_out(client):
    UserFactory(username="wang")
    for _ in range(6):
        _login(client, "wang", "wrong", addr="203.0.113.9")

    response = _login(client, "wang", PASSWORD, addr="10.0.0.1")

    assert response.status_code == 302


@pytest.mark.django_db
def test_cool_off_ends_after_the_configured_time(client):
    UserFactory(username="wang")
    with override_settings(OPSTEAM_LOGIN_COOLOFF_SECONDS=0):
        for _ in range(5):
            _login(client, "wang", "wrong")

        response = _login(client, "wang", PASSWORD)

    assert response.status_code == 302


@pytest.mark.django_db
def test_security_log_never_contains_the_password(client, caplog):
    UserFactory(username="wang")

    _login(client, "wang", "S3cret-typo-password")

    assert "S3cret-typo-password" not in caplog.text
    assert not SecurityEvent.objects.filter(username__icontains="S3cret").exists()


@pytest.mark.django_db
def test_login_rotates_the_session_key(client):
    UserFactory(username="wang")
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key

    _login(client, "wang", PASSWORD)

    assert client.session.session_key != before


@pytest.mark.django_db
def test_deactivation_ends_sessions_and_revokes_tokens(client):
    from opsteam.accounts import services

    user = UserFactory(username="wang")
    _login(client, "wang", PASSWORD)
    token = ApiToken.objects.create(user=user, name="bi", prefix="p1", key_hash="1" * 64)

    services.user_deactivate(actor=None, user=user)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("insights:home")).status_code == 302


def test_api_token_authenticates_and_revocation_is_immediate(db, user_as):
    from rest_framework.test import APIClient

    from opsteam.accounts import services

    hr = user_as("hr")
    token, secret = services.api_token_create(actor=hr, name="sync")
    api = APIClient()

    ok = api.get(reverse("accounts-me"), HTTP_AUTHORIZATION=f"Token {secret}")
    services.api_token_revoke(actor=hr, token=token)
    refused = api.get(reverse("accounts-me"), HTTP_AUTHORIZATION=f"Token {secret}")

    assert ok.status_code == 200
    assert ok.json()["roles"] == ["hr"]
    assert refused.status_code in (401, 403)
    assert refused.json()["type"] == "client_error"
    assert ApiToken.objects.get().key_hash != secret


@pytest.mark.django_db
def test_unauthenticated_api_answers_json_not_a_login_page(client):
    response = client.get("/api/org/staff/")

    assert response.status_code in (401, 403)
    assert response.json()["type"] == "client_error"


@pytest.mark.django_db
def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "not_found", "detail": response.json()["errors"][0]["detail"], "attr": None}
        ],
    }


@pytest.mark.django_db
def test_pages_need_a_login(client):
    response = client.get(reverse("org:staff_list"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
