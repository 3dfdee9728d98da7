import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.performance.formula import FormulaError, explain, parse_formula

VARIABLES = {"kpi", "competency", "manager"}


def test_weighted_formula_evaluates_for_everyone_at_once():
    formula = parse_formula("0.7 * kpi + 0.3 * competency", variables=VARIABLES)

    result = formula.evaluate(
        {"kpi": np.array([100.0, 80.0]), "competency": np.array([90.0, 60.0])}
    )

    np.testing.assert_allclose(result, [97.0, 74.0])
    assert formula.variables == {"kpi", "competency"}


def test_each_term_is_explained():
    formula = parse_formula("0.6*kpi + 0.2*competency + 0.2*manager", variables=VARIABLES)

    shares = explain(formula, {"kpi": 100.0, "competency": 80.0, "manager": 90.0})

    assert shares == pytest.approx({"kpi": 60.0, "competency": 16.0, "manager": 18.0})


def test_functions_are_allowed():
    formula = parse_formula("clip(max(kpi, competency) - 5, 0, 100)", variables=VARIABLES)

    np.testing.assert_allclose(
        formula.evaluate({"kpi": np.array([103.0]), "competency": np.array([1.0])}), [98.0]
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os').system('rm -rf /')", "only the functions"),
        ("kpi.__class__", "Attribute"),
        ("kpi ** 2", "only"),
        ("salary * 2", "unknown variable 'salary'"),
        ("[kpi]", "List"),
        ("'a' + kpi", "numbers"),
        ("lambda: kpi", "Lambda"),
        ("0.7 * ", "not a valid formula"),
        ("42", "none of the scores"),
        ("", "empty"),
        ("kpi if kpi else 0", "IfExp"),
    ],
)
def test_anything_but_arithmetic_is_refused(source, message):
    with pytest.raises(FormulaError, match=message):
        parse_formula(source, variables=VARIABLES)


def test_division_by_zero_gives_no_score_instead_of_crashing():
    formula = parse_formula("kpi / competency", variables=VARIABLES)

    assert np.isnan(formula.evaluate({"kpi": np.array([1.0]), "competency": np.array([0.0])})[0])


@settings(max_examples=200)
@given(
    st.floats(0, 1),
    st.lists(st.floats(0, 120), min_size=1, max_size=20),
    st.lists(st.floats(0, 120), min_size=1, max_size=20),
)
def test_weighted_sum_matches_plain_arithmetic(weight, kpis, competencies):
    size = min(len(kpis), len(competencies))
    formula = parse_formula(f"{weight} * kpi + {1 - weight} * competency", variables=VARIABLES)

    result = formula.evaluate(
        {"kpi": np.array(kpis[:size]), "competency": np.array(competencies[:size])}
    )

    expected = weight * np.array(kpis[:size]) + (1 - weight) * np.array(competencies[:size])
    np.testing.assert_allclose(result, expected, atol=1e-6)
