"""The suggestion box (建议箱): open or anonymous suggestions, votes, comments and the status workflow."""

from __future__ import annotations
