"""Job descriptions as Word documents (python-docx), in the reader's language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from opsteam.core.models import localized
from opsteam.org.models import JobDescription


def job_description_docx(jd: JobDescription) -> bytes:
    """Return a .docx of ``jd``: header facts, each section, duties, skills and relations."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Microsoft YaHei"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Microsoft YaHei")

    position = jd.position
    document.add_heading(_("Job description: {position}").format(position=position.display_name), 0)
    facts = document.add_table(rows=0, cols=2)
    facts.style = "Light List"
    for label, value in (
        (_("Position code"), position.code),
        (_("Role family"), position.family.display_name),
        (_("Home unit"), position.unit.display_name if position.unit else "—"),
        (_("Version"), f"v{jd.version} ({jd.get_status_display()})"),
        (_("Effective from"), jd.effective_from.isoformat() if jd.effective_from else "—"),
    ):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = str(label), str(value)

    titles = {
        "purpose": _("Purpose"),
        "scope": _("Scope"),
        "authority": _("Authority and permissions"),
        "objectives": _("Objectives"),
        "qualifications": _("Qualifications and experience"),
    }
    for field in JobDescription.TEXT_FIELDS:
        text = localized(jd, field)
        if text:
            document.add_heading(str(titles[field]), level=1)
            document.add_paragraph(text)

    duties = list(jd.duties.all())
    if duties:
        document.add_heading(_("Duties"), level=1)
        table = document.add_table(rows=1, cols=4)
        table.style = "Light Grid"
        header = table.rows[0].cells
        for cell, label in zip(
            header,
            (_("Duty"), _("Share of time (%)"), _("Work standard"), _("SOP link")),
            strict=True,
        ):
            cell.text = str(label)
        for duty in duties:
            cells = table.add_row().cells
            cells[0].text = localized(duty, "title") + (
                "\n" + localized(duty, "description") if localized(duty, "description") else ""
            )
            cells[1].text = str(duty.time_share)
            cells[2].text = localized(duty, "standard")
            cells[3].text = duty.sop_url

    skills = list(jd.skill_requirements.select_related("skill"))
    if skills:
        document.add_heading(_("Required skills and knowledge"), level=1)
        for requirement in skills:
            suffix = "" if requirement.is_required else " " + _("(preferred)")
            document.add_paragraph(
                f"{requirement.skill.display_name} ≥ {requirement.level}/5{suffix}",
                style="List Bullet",
            )

    relations = list(jd.relations.select_related("position", "unit"))
    if relations:
        document.add_heading(_("Collaboration"), level=1)
        for relation in relations:
            document.add_paragraph(
                f"{relation.counterpart}: {localized(relation, 'description')}", style="List Bullet"
            )

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
