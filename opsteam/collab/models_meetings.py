"""Meetings (会议): recurring team meetings, cross-department meetings and brainstorms, with agenda, attendance, minutes, decisions, action items and the idea board."""

from __future__ import annotations
