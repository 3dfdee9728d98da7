"""The one anonymity rule: never release a group below the threshold, directly or by
subtraction."""

from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.surveys.anonymity import GroupCount, decide_release, effective_threshold


def test_group_below_threshold_is_withheld():
    release = decide_release([GroupCount("peer", 2), GroupCount("direct_report", 4)])

    assert release.released == {"direct_report"}
    assert release.withheld == {"peer"}


def test_threshold_is_never_below_three():
    assert effective_threshold(1) == 3
    assert decide_release([GroupCount("peer", 2)], threshold=2).released == frozenset()


def test_overall_that_would_reveal_a_withheld_group_is_withheld_too():
    # peers 4 (released) + customers 1 (withheld): overall - peers = the one customer's answer
    release = decide_release([GroupCount("peer", 4), GroupCount("internal_customer", 1)])

    assert not release.overall_released
    assert "subtraction" in release.reasons["overall"]


def test_overall_is_released_when_withheld_answers_are_pooled_enough():
    release = decide_release(
        [GroupCount("peer", 4), GroupCount("internal_customer", 2), GroupCount("direct_report", 2)]
    )

    assert release.withheld == {"internal_customer", "direct_report"}
    assert release.overall_released


def test_self_and_manager_are_named_not_anonymous():
    release = decide_release(
        [
            GroupCount("self", 1, named=True),
            GroupCount("manager", 1, named=True),
            GroupCount("peer", 1),
        ]
    )

    assert release.released == {"self", "manager"}
    assert not release.overall_released


groups = st.lists(
    st.tuples(
        st.sampled_from(
            ["peer", "direct_report", "internal_customer", "external_customer", "project_lead"]
        ),
        st.integers(0, 8),
    ),
    unique_by=lambda g: g[0],
    max_size=5,
)


@settings(max_examples=400)
@given(groups, st.integers(-5, 10))
def test_no_released_figure_ever_rests_on_fewer_answers_than_the_threshold(pairs, configured):
    counts = [GroupCount(name, n) for name, n in pairs]

    release = decide_release(counts, threshold=configured)

    limit = release.threshold
    assert limit >= 3
    assert all(n >= limit for name, n in pairs if name in release.released)
    hidden = sum(n for name, n in pairs if name in release.withheld)
    if release.overall_released:
        assert sum(n for _name, n in pairs) >= limit
        assert hidden == 0 or hidden >= limit
