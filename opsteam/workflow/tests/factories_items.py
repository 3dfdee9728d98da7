"""Factories of the work-item tests: a process with a published three-step map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from opsteam.org.tests.factories import ProcessFactory
from opsteam.workflow.tests.factories import ProcessMapFactory, StepFactory, TransitionFactory


@dataclass
class Flow:
    """A process whose published map runs intake → handle → review, with review → handle
    (rework); ``close`` has no way in (only a jump reaches it)."""

    process: Any
    map: Any
    intake: Any
    handle: Any
    review: Any
    close: Any


def make_flow(*, owner_unit: Any = None, code: str | None = None, **process_fields: Any) -> Flow:
    """A process (owned by ``owner_unit``) with a published map of four steps."""
    if code is not None:
        process_fields["code"] = code
    process = ProcessFactory(owner_unit=owner_unit, **process_fields)
    published = ProcessMapFactory(process=process)
    intake = StepFactory(map=published, code="intake", name="受理", name_en="Intake", order=1)
    handle = StepFactory(
        map=published, code="handle", name="处理", name_en="Handle", order=2, target_minutes=120
    )
    review = StepFactory(map=published, code="review", name="复核", name_en="Review", order=3)
    close = StepFactory(map=published, code="close", name="归档", name_en="Archive", order=4)
    TransitionFactory(map=published, source=intake, target=handle)
    TransitionFactory(map=published, source=handle, target=review)
    TransitionFactory(map=published, source=review, target=handle)
    return Flow(process, published, intake, handle, review, close)
