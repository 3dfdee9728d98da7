"""The knowledge base (知识库): versioned markdown documents (SOPs, playbooks, meeting notes)
with attachments, linked from job descriptions and process steps."""

from __future__ import annotations
