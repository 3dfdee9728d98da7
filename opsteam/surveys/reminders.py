"""Reminders of this area, run hourly by ``collab.reminders_scan`` (see collab/reminders.py).

Pulse surveys: the scan first runs the scheduler (close waves past their last day, open the
waves that are due), then reminds people who have not answered an open wave: once halfway
through, and once on its last day ("closing soon"). Each reminder goes once per person and
wave (``remind_once`` keys), in the person's language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from opsteam.surveys import services_pulse


def scan(*, today: dt.date) -> int:
    """Send what is due today through ``collab.services.remind_once``; returns people notified."""
    services_pulse.schedule_tick(today=today)
    return pulse_reminders(today=today)


def pulse_reminders(*, today: dt.date) -> int:
    from opsteam.collab import services as collab
    from opsteam.collab.reminders import language_of
    from opsteam.surveys.choices_pulse import WaveStatus
    from opsteam.surveys.models_pulse import PulseParticipation, PulseWave

    sent = 0
    for wave in PulseWave.objects.filter(status=WaveStatus.OPEN, opens_on__lt=today).select_related(
        "survey"
    ):
        halfway = wave.opens_on + (wave.closes_on - wave.opens_on) / 2
        if today == wave.closes_on:
            stage = "closing"
        elif today >= halfway:
            stage = "halfway"
        else:
            continue
        groups: dict[str, list[int]] = defaultdict(list)
        for user_id, language in PulseParticipation.objects.filter(
            wave=wave, responded=False, staff__user__is_active=True
        ).values_list("staff__user_id", "staff__user__language"):
            groups[language_of(language)].append(user_id)
        url = reverse("surveys:pulse_respond", args=[wave.pk])
        for language, user_ids in groups.items():
            with translation.override(language):
                if stage == "closing":
                    title = _("Last day to answer: %(name)s") % {"name": wave.survey.display_name}
                else:
                    title = _("A few minutes, anonymous: %(name)s") % {
                        "name": wave.survey.display_name
                    }
            for user_id in user_ids:
                sent += collab.remind_once(
                    key=f"pulse:{stage}:{wave.pk}:{user_id}",
                    recipients=[user_id],
                    kind="survey",
                    title=title,
                    url=url,
                )
    return sent
