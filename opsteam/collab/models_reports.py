"""Work reports (日报/周报) from team templates with the manager's comments, and wellbeing check-ins (关注工作状态)."""

from __future__ import annotations
