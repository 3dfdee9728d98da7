"""Model validation for services: Django's errors become one ``ValidationFailed`` naming the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from opsteam.core.exceptions import ValidationFailed


def full_clean(obj: Any, *, exclude: Iterable[str] = (), validate_constraints: bool = True) -> None:
    """Run ``obj.full_clean``; raise ValidationFailed with the first field's messages."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=validate_constraints)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(
            " ".join(messages), field=None if name == "__all__" else name
        ) from exc
