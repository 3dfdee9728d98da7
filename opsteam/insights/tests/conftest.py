import datetime as dt

import pytest

from opsteam.insights.tests.factories import SystemReviewFactory


@pytest.fixture
def quarter_review(db):
    """The 2026 Q3 review, a draft."""
    return SystemReviewFactory(
        title="2026 Q3 体系评估", period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30)
    )


@pytest.fixture
def director(user_as, org_tree):
    """A manager granted on department D1: a director, who runs reviews like HR."""
    return user_as("manager", unit=org_tree.d1, username="director")
