"""The report's assembly: providers' answers are normalised, failures isolated, changes compared."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsteam.insights import review

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON)
def test_any_answer_normalises_to_a_section_or_none(raw):
    section = review.normalise(raw)

    assert section is None or isinstance(section["figures"], list)


@given(
    st.dictionaries(
        st.sampled_from(["figures", "flags", "links", "rows", "chart", "explanation"]), JSON
    )
)
def test_wrong_shapes_of_known_keys_never_raise(raw):
    review.normalise(raw)


def test_top_level_numbers_become_figures_and_links_stay_on_site():
    section = review.normalise(
        {
            "responses": 42,
            "enps": 12.5,
            "bad": float("nan"),
            "links": [
                {"label": "ok", "url": "/surveys/"},
                {"label": "evil", "url": "javascript:alert(1)"},
            ],
        }
    )

    assert [f["key"] for f in section["figures"]] == ["responses", "enps"]
    assert section["links"] == [{"label": "ok", "url": "/surveys/"}]


def test_compare_reports_the_change_of_each_numeric_figure():
    now = {"sections": {"training": {"figures": [{"key": "completion", "value": 80.0}]}}}
    before = {"sections": {"training": {"figures": [{"key": "completion", "value": 72.5}]}}}

    assert review.compare(now, before) == {"training": {"completion": 7.5}}
    assert review.compare(now, None) == {}


@pytest.mark.django_db
def test_a_failing_provider_is_reported_unavailable(monkeypatch):
    def boom(*, start, end):
        raise RuntimeError("provider bug")

    monkeypatch.setattr("opsteam.collab.selectors_suggestions.review_section", boom)

    figures = review.assemble(start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))

    assert figures["unavailable"] == ["suggestions"]
    assert set(figures["sections"]) == set(review.SECTION_KEYS)
