"""The person picker: forms render only the chosen person, the search answers within the
user's scope, and the form still decides who may be chosen."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from opsteam.core.widgets import PeoplePicker, PersonPicker
from opsteam.org.models import Staff
from opsteam.org.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


class _OneForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Staff.objects.all(), widget=PersonPicker())


class _ManyForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=Staff.objects.all(), widget=PeoplePicker(scope="list")
    )


def _pick(client, term, scope="directory"):
    return client.get(reverse("org:staff_pick"), {"q": term, "scope": scope})


def test_the_form_renders_only_the_chosen_person_and_the_search_address(org_tree):
    people = StaffFactory.create_batch(30, unit=org_tree.t1)
    chosen = people[7]
    html = str(_OneForm(initial={"person": chosen.pk})["person"])
    assert html.count("<option") == 2  # the empty choice and the chosen person
    assert f'value="{chosen.pk}" selected' in html
    assert chosen.display_name in html
    assert 'data-staff-picker="/org/staff/pick/?scope=directory"' in html
    assert people[8].display_name not in html


def test_an_empty_form_renders_no_one(org_tree):
    StaffFactory.create_batch(5, unit=org_tree.t1)
    html = str(_OneForm()["person"])
    assert html.count("<option") == 1


def test_several_chosen_people_render_without_an_empty_choice(org_tree):
    people = StaffFactory.create_batch(6, unit=org_tree.t1)
    form = _ManyForm(data={"people": [people[0].pk, people[3].pk]})
    html = str(form["people"])
    assert html.count("<option") == 2
    assert "multiple" in html
    assert 'scope=list"' in html


def test_the_form_still_validates_against_its_own_queryset(org_tree):
    inside, outside = StaffFactory(unit=org_tree.t1), StaffFactory(unit=org_tree.t3)

    class TeamForm(forms.Form):
        person = forms.ModelChoiceField(
            queryset=Staff.objects.filter(unit=org_tree.t1), widget=PersonPicker(scope="view")
        )

    assert TeamForm(data={"person": inside.pk}).is_valid()
    refused = TeamForm(data={"person": outside.pk})
    assert not refused.is_valid()
    assert "person" in refused.errors


def test_search_finds_by_name_and_employee_number(client_as, org_tree):
    client = client_as("hr")
    StaffFactory(name="王晓雯", name_en="", employee_no="E9001", unit=org_tree.t1)
    StaffFactory(name="李昊然", name_en="", employee_no="E9002", unit=org_tree.t3)
    labels = [row["label"] for row in _pick(client, "晓雯", "list").json()["results"]]
    assert labels == ["王晓雯 · E9001 · Store Ops"]
    by_number = _pick(client, "e900", "list").json()["results"]
    assert {row["label"].split(" · ")[0] for row in by_number} == {"王晓雯", "李昊然"}


def test_a_managers_search_stays_inside_their_subtree(client_as, org_tree):
    client = client_as("manager", unit=org_tree.t1)
    StaffFactory(name="张同组", name_en="", unit=org_tree.t1)
    StaffFactory(name="张别部", name_en="", unit=org_tree.t3)
    names = [row["label"].split(" · ")[0] for row in _pick(client, "张", "view").json()["results"]]
    assert names == ["张同组"]


def test_the_directory_shows_everyone_by_name_without_employee_numbers(client_as, org_tree):
    client = client_as("operator")
    StaffFactory(name="赵其他", name_en="", employee_no="E7777", unit=org_tree.t3)
    rows = _pick(client, "赵其他").json()["results"]
    assert [row["label"] for row in rows] == ["赵其他 · Settlement"]
    assert "E7777" not in _pick(client, "赵其他").content.decode()


def test_an_operator_cannot_browse_colleagues_through_the_list_scope(client_as, org_tree):
    client = client_as("operator")
    StaffFactory(name="钱同事", name_en="", unit=org_tree.t1)
    response = _pick(client, "钱", "list")
    assert response.status_code in {403, 404}
    assert "钱同事" not in response.content.decode()


def test_people_who_left_are_not_offered_and_results_are_capped(client_as, org_tree):
    client = client_as("hr")
    StaffFactory(name="孙离职", name_en="", status="left", unit=org_tree.t1)
    StaffFactory.create_batch(25, name="孙在职", name_en="", unit=org_tree.t1)
    rows = _pick(client, "孙", "list").json()["results"]
    assert len(rows) == 20
    assert all("孙在职" in row["label"] for row in rows)


def test_an_unknown_scope_or_empty_term_answers_plainly(client_as):
    client = client_as("hr")
    assert _pick(client, "x", "salary").status_code == 400
    assert _pick(client, "").json() == {"results": []}


def test_search_runs_a_fixed_number_of_queries(client_as, org_tree, django_assert_max_num_queries):
    client = client_as("hr")
    StaffFactory.create_batch(40, name="周", name_en="", unit=org_tree.t2)
    _pick(client, "周", "list")
    with django_assert_max_num_queries(8):
        assert len(_pick(client, "周", "list").json()["results"]) == 20
