"""List tables rendered a row at a time produce the markup the per-cell loop produced."""

import datetime as dt

from django.template import Context, Template

from opsteam.core.tables import Column, Table

# The row body object_table.html looped over before ``{% render_row %}``.
CELL_LOOP = (
    '{% load opsteam %}{% for column in table.columns %}{% if not column.css == "d-none" %}'
    '<td class="{{ column.css }}">{% render_cell column row %}</td>{% endif %}{% endfor %}'
)


class Row:
    def __init__(self, pk, name, hired, active, note):
        self.pk, self.name, self.hired, self.active, self.note = pk, name, hired, active, note

    def get_absolute_url(self):
        return f"/rows/{self.pk}/?a=1&b=<2>"


def test_render_row_matches_the_cell_loop():
    table = Table(
        columns=(
            Column("pk", "Id", link=True),
            Column("name", "Name", css="text-<wrap>"),
            Column("hired", "Hired"),
            Column("active", "Active", css="d-none d-xl-table-cell"),
            Column("note", "Note", css="d-none"),
            Column("empty", "Empty", accessor=lambda row: None, link=True),
        )
    )
    rows = [
        Row(1, '王 <b>"x"</b> & 李', dt.date(2024, 3, 1), True, "hidden"),
        Row(2, "", None, False, None),
    ]
    for row in rows:
        context = {"table": table, "row": row}
        rendered = Template("{% load opsteam %}{% render_row table row %}").render(Context(context))
        assert rendered == Template(CELL_LOOP).render(Context(context))
        assert "hidden" not in rendered


def test_select_renders_what_djangos_templates_render():
    from django import forms

    from opsteam.core.filters import SELECT, Select

    choices = [
        ("", "---------"),
        (1, '王 <"一">'),
        ("b&c", "B & C"),
        ("Group <g>", [("x", "X"), ("y", "Y <y>")]),
        (None, "None"),
    ]
    for widget in (Select(attrs={"class": "form-select"}, choices=choices), SELECT):
        for value in (None, "", 1, "b&c", "y", ["x", "y"]):
            for attrs in (None, {"id": "id_f", "required": True, "disabled": False}):
                widget.choices = choices
                expected = forms.Select.render(widget, 'f"<', value, attrs)
                assert widget.render('f"<', value, attrs) == expected
    multiple = forms.SelectMultiple(attrs={"class": "x"}, choices=choices)
    assert Select.render(multiple, "m", ["x", 1]) == forms.SelectMultiple.render(
        multiple, "m", ["x", 1]
    )
