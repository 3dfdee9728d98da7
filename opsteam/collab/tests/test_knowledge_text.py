"""The knowledge base's pure text helpers: tags, highlighting, snippets and diffs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from opsteam.collab.selectors_knowledge import (
    diff_rows,
    diff_stats,
    highlight,
    normalise_tags,
    snippet,
    unified_diff,
)

LINES = st.lists(st.text(alphabet="上新主图审核标准<>&ab 12", max_size=12), max_size=8)


def _unescape(html: str) -> str:
    for tag in ("<del>", "</del>", "<ins>", "</ins>"):
        html = html.replace(tag, "")
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@settings(deadline=None)  # a loaded CI machine must not fail a pure check
@given(LINES, LINES)
def test_side_by_side_rows_give_back_both_texts(old, new):
    rows = diff_rows("\n".join(old), "\n".join(new))
    left = [_unescape(row.left) for row in rows if row.left_number is not None]
    right = [_unescape(row.right) for row in rows if row.right_number is not None]
    assert left == "\n".join(old).splitlines()
    assert right == "\n".join(new).splitlines()


@settings(deadline=None)  # a loaded CI machine must not fail a pure check
@given(LINES)
def test_a_text_compared_with_itself_has_no_changes(lines):
    rows = diff_rows("\n".join(lines), "\n".join(lines))
    assert diff_stats(rows) == {"added": 0, "removed": 0, "changed": 0}


def test_chinese_line_change_is_marked_character_by_character():
    rows = diff_rows("提报后 3 天内上架", "提报后 2 天内上架")
    assert rows[0].kind == "replace"
    assert rows[0].left == "提报后 <del>3</del> 天内上架"
    assert rows[0].right == "提报后 <ins>2</ins> 天内上架"


def test_diff_escapes_markup():
    rows = diff_rows("", "<script>alert(1)</script>")
    assert "<script>" not in rows[0].right
    assert "&lt;script&gt;" in rows[0].right


def test_unified_diff_names_versions():
    text = unified_diff("一\n二", "一\n三", old_label="v1", new_label="v2")
    assert "--- v1" in text
    assert "-二" in text
    assert "+三" in text


def test_tags_are_trimmed_deduplicated_and_accept_chinese_commas():
    assert normalise_tags(" 大促，值班, 大促 、618 ") == ",大促,值班,618,"
    assert normalise_tags(["A", "a", " "]) == ",A,"
    assert normalise_tags("") == ""


@settings(deadline=None)  # a loaded CI machine must not fail a pure check
@given(st.text(max_size=40), st.lists(st.text(min_size=1, max_size=4), max_size=3))
def test_highlight_never_lets_markup_through(text, terms):
    html = str(highlight(text, terms)).replace("<mark>", "").replace("</mark>", "")
    assert "<" not in html
    assert ">" not in html


def test_snippet_centres_on_the_first_match_and_marks_it():
    text = "前言。" * 100 + "退款金额不超过 100 元的可直接同意。" + "结尾。" * 100
    piece = snippet(text, ["直接同意"])
    assert "<mark>直接同意</mark>" in piece
    assert piece.startswith("…")
    assert piece.endswith("…")
