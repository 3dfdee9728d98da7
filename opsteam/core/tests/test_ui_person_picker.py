"""The person picker in Debian's Chromium: an operator finds a colleague by typing part of
their name, picks them and gives kudos; the page never listed the whole company."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from opsteam.accounts.models import User
from opsteam.incentives.models import Kudos
from opsteam.performance.tests.test_ui_appraisal import SHOTS, browser, signed_in

pytestmark = pytest.mark.browser
__all__ = ["browser"]


def test_an_operator_finds_a_colleague_by_name_and_gives_kudos(browser, live_server):
    call_command("load_demo", verbosity=0)
    base = live_server.url
    colleague = User.objects.get(username="operator2").staff

    page = signed_in(browser, base, "operator")
    page.goto(f"{base}/incentives/recognition/kudos/")
    picker = "#id_recipient"
    # Only the empty choice until the user searches.
    assert page.locator(f"{picker} option").count() == 1
    search = page.locator("input[data-picker-search=recipient]")
    search.fill(colleague.name[1:])  # part of the name
    option = page.locator(f"{picker} option[value='{colleague.pk}']")
    option.wait_for(state="attached")
    assert colleague.name in option.inner_text()
    page.select_option(picker, str(colleague.pk))
    page.select_option("#id_value", index=1)
    page.fill("#id_message", "帮我排查了大促库存同步的问题")
    page.screenshot(path=str(SHOTS / "core-person-picker.png"), full_page=True)
    page.click("#kudos-form button[type=submit]")
    page.wait_for_load_state()

    kudos = Kudos.objects.get(message="帮我排查了大促库存同步的问题")
    assert kudos.recipient_id == colleague.pk
