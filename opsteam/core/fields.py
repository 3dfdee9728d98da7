"""Encrypted model fields for identity numbers and bank accounts (encrypted at rest).

Keys come from OPSTEAM_FIELD_KEYS (comma-separated Fernet keys, the first encrypts, every one
decrypts: rotate by putting a new key first, then run ``opsteam rotate-field-keys``). Without
keys (development) one is derived from the secret key. Values are not searchable.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...], secret: str) -> MultiFernet:
    if not keys:
        derived = base64.urlsafe_b64encode(
            hashlib.sha256(f"opsteam-fields:{secret}".encode()).digest()
        )
        keys = (derived.decode(),)
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "OPSTEAM_FIELD_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
            "make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`"
        ) from exc


def cipher() -> MultiFernet:
    """The current key ring."""
    return _fernet(tuple(settings.OPSTEAM_FIELD_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return PREFIX + cipher().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # a value written before encryption was turned on
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the configured OPSTEAM_FIELD_KEYS "
            "(was a key removed before `opsteam rotate-field-keys` ran?)"
        ) from exc


def rotate(stored: str) -> str:
    """Re-encrypt a stored value with the first (current) key."""
    if not stored.startswith(PREFIX):
        return encrypt(stored) if stored else stored
    return PREFIX + cipher().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedCharField(models.TextField):
    """A short secret (ID card, bank account) stored encrypted; empty stays empty."""

    def __init__(self, *args: Any, max_length: int | None = None, **kwargs: Any) -> None:
        self.plain_max_length = max_length
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        # A database default too, so set-based inserts that do not name the column still work.
        kwargs.setdefault("db_default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[Any, ...]:
        name, path, args, kwargs = super().deconstruct()
        if self.plain_max_length is not None:
            kwargs["max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.CharField(max_length=self.plain_max_length, required=not self.blank, **kwargs)
