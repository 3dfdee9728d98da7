"""User-written markdown renders as HTML people expect and can never inject markup."""

from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from opsteam.core import markdown


def test_common_markdown_renders():
    html = markdown.render(
        "# 标题\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**粗体** [链接](https://example.com)"
    )
    assert "<h1>标题</h1>" in html
    assert "<li>一</li>" in html
    assert "<table>" in html
    assert "<td>1</td>" in html
    assert "<strong>粗体</strong>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer"' in html


def test_scripts_handlers_and_javascript_links_are_removed():
    html = markdown.render(
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '[x](javascript:alert(3)) <a href="#" onclick="alert(4)">y</a><style>p{}</style>'
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<style" not in html


def test_plain_text_preview_is_cut_with_an_ellipsis():
    assert markdown.plain("**重要**：明天 9 点开会") == "重要：明天 9 点开会"
    assert markdown.plain("一二三四五六", limit=4) == "一二三…"
    assert markdown.render("") == ""
    assert markdown.plain(None) == ""


def test_template_filter():
    rendered = Template("{% load opsteam %}{{ text|markdown }}").render(
        Context({"text": "*好*<script>x</script>"})
    )
    assert "<em>好</em>" in rendered
    assert "<script>" not in rendered


@given(st.text(max_size=300))
def test_no_text_ever_yields_script_or_event_handlers(text):
    html = str(markdown.render(text + "<script>")).lower()
    assert "<script" not in html
    assert " onerror=" not in html
    assert " onload=" not in html
