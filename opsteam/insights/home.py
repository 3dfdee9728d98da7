"""The role home page's sections contributed by other modules.

Each entry names a function ``home_sections(*, user) -> list[dict]``; every section is::

    {"key": "announcements-to-ack",      # stable id, used in tests and the page's anchors
     "title": "Announcements to acknowledge",  # already translated
     "count": 3,                          # how many there are in all (the list may be cut)
     "items": [{"title": str, "url": str, "due": date | None, "meta": str}],  # at most 5
     "more_url": "/collab/announcements/?unacknowledged=1"}

A function runs a bounded number of queries whatever the data size, and returns no section
when there is nothing to show (the home page stays short).
"""

from __future__ import annotations

SECTION_SOURCES: tuple[str, ...] = (
    "opsteam.collab.selectors_announcements.home_sections",
    "opsteam.collab.selectors_knowledge.home_sections",
    "opsteam.collab.selectors_meetings.home_sections",
    "opsteam.collab.selectors_reports.home_sections",
    "opsteam.collab.selectors_suggestions.home_sections",
    "opsteam.surveys.selectors_pulse.home_sections",
)
