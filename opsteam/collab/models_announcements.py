"""Announcements (公告) with targeting, read receipts and acknowledgement, and the knowledge base (知识库) of versioned markdown documents."""

from __future__ import annotations
