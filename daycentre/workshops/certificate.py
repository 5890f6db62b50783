"""The certificate of participation in a parenting workshop, printed by the staff or by the
participant's parent. Each copy names the participant: it is an export in the audit trail."""

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from daycentre.audit import services as audit
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.core.localtime import today
from daycentre.workshops.models import WorkshopRegistration
from daycentre.workshops.services import Progress


def certificate_download(
    registration: WorkshopRegistration, progress: Progress, *, language: str, actor
) -> Response:
    """The certificate in ``language`` as a download named in that language, and its printing
    in the audit trail (the caller commits)."""
    workshop = registration.workshop
    person = registration.person
    pdf = render_pdf(
        "workshops/pdf_certificate.html",
        language=language,
        workshop=workshop,
        person=person,
        progress=progress,
        centre=workshop.centre,
        issued_on=today(),
    )
    audit.record(
        audit.EXPORT,
        registration,
        actor=actor,
        centre_id=workshop.centre_id,
        person_id=person.id,
        changes={"document": "certificate", "format": "pdf", "language": language},
    )
    with force_locale(language):
        title = _("Certificate of participation")
    return download(pdf, PDF, f"{title} {person.full_name}.pdf")
