"""Pages rendered in Python for speed produce the markup their templates used to produce."""

import pytest
from django.template import Context, Engine, Template

from opsteam.org.choices import RaciRole
from opsteam.org.models import Activity, Position

# The cell template the matrix included once per cell before ``{% raci_cells %}``.
INCLUDED_CELL = (
    '<td class="raci-cell{% if role %} raci-{{ role }}{% endif %}" '
    'id="cell-{{ activity.pk }}-{{ position.pk }}">{% if can_edit %}<select name="role" '
    'class="form-select form-select-sm border-0 bg-transparent px-1" '
    'aria-label="{{ activity }} / {{ position }}" '
    'hx-post="{% url \'org:raci_cell\' activity.pk position.pk %}" hx-trigger="change" '
    'hx-target="closest td" hx-swap="outerHTML"><option value=""></option>'
    '{% for code, label in roles %}<option value="{{ code }}"{% if code == role %} selected'
    "{% endif %}>{{ code }}</option>{% endfor %}</select>{% else %}{{ role }}{% endif %}</td>\n"
)


@pytest.mark.parametrize("can_edit", [True, False])
def test_raci_cells_match_the_included_cell_template(can_edit):
    activity = Activity(pk=12, name='审批 <"A&B">', name_en="Approve")
    positions = [
        Position(pk=3, code="P3", name="店长 <b>", name_en=""),
        Position(pk=1234, code="P4", name="客服", name_en="CS"),
        Position(pk=7, code="P7", name="运营", name_en="Ops"),
    ]
    row = {"activity": activity, "cells": list(zip(positions, ["A", "", "R"], strict=True))}
    context = {"can_edit": can_edit, "roles": RaciRole.choices, "row": row}

    rendered = Template("{% load org_html %}{% raci_cells row %}").render(Context(context))

    included = "".join(
        Template(INCLUDED_CELL).render(
            Context({**context, "activity": activity, "position": position, "role": role})
        )
        for position, role in row["cells"]
    )
    assert rendered == included
    single = Template("{% load org_html %}{% raci_cell activity position role %}").render(
        Context({**context, "activity": activity, "position": positions[0], "role": "A"})
    )
    assert single + "\n" == Template(INCLUDED_CELL).render(
        Context({**context, "activity": activity, "position": positions[0], "role": "A"})
    )


def test_who_does_what_names_holders_as_the_loop_did(client_as, org_tree):
    from django.urls import reverse

    from opsteam.org.tests.factories import ActivityFactory, RaciAssignmentFactory, StaffFactory

    loop = Template(
        "{% for person in holders %}{{ person }}{% if not forloop.last %}, {% endif %}{% endfor %}"
    )
    first = StaffFactory(unit=org_tree.t1, name="王<一>", name_en="Wang <1>", employee_no="E1")
    StaffFactory(
        unit=org_tree.t1, position=first.position, name="李&二", name_en="Li & 2", employee_no="E2"
    )
    for code in ("X1", "X2"):  # the same position in two activities
        RaciAssignmentFactory(activity=ActivityFactory(code=code), position=first.position)

    response = client_as("hr").get(reverse("org:who_does_what"))

    cells = [cell for item in response.context["results"] for cell in item["cells"]]
    assert len(cells) == 2
    for cell in cells:
        expected = loop.render(Context({"holders": cell["holders"]}))
        assert expected in {"王&lt;一&gt;, 李&amp;二", "Wang &lt;1&gt;, Li &amp; 2"}
        assert f": {expected}" in response.content.decode()


# The outline template the org chart included once per unit before ``{% unit_outline %}``.
INCLUDED_OUTLINE = (
    '<ul class="list-unstyled ms-3 mb-0">{% for node in nodes %}\n'
    '<li><a href="{{ node.url }}">{{ node.name }}</a> <span class="text-secondary small">'
    "{% if node.lead %}{{ node.lead }} · {% endif %}{{ node.total }}</span>\n"
    '{% if node.children %}{% include "outline" with nodes=node.children %}{% endif %}</li>\n'
    "{% endfor %}</ul>\n"
)


def test_unit_outline_matches_the_included_outline_template():
    def node(pk, name, lead, total, children=()):
        url = f"/org/units/{pk}/"
        return {"url": url, "name": name, "lead": lead, "total": total, "children": list(children)}

    tree = [
        node(
            1,
            "公司 <Co>",
            "陈 & 李",
            12345,
            [node(2, "运营部", "", 10, [node(3, "店铺组", "王", 10)]), node(4, "人事", "", 0)],
        )
    ]
    old = Engine(loaders=[("django.template.loaders.locmem.Loader", {"outline": INCLUDED_OUTLINE})])

    rendered = Template("{% load org_html %}{% unit_outline tree %}").render(
        Context({"tree": tree})
    )

    assert rendered == old.get_template("outline").render(Context({"nodes": tree}))
