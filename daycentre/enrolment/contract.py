"""The service contract (contract de furnizare a serviciilor sociale) an enrolment is signed with.

One document for the child's file and the family's copy: the staff print it from the enrolment,
the family's legal representatives from their parent account. Each copy taken is an export in
the audit trail, as every document naming a child.
"""

from flask import Response
from flask_babel import force_locale
from flask_babel import gettext as _

from daycentre.audit import services as audit
from daycentre.core.documents import PDF, download, render_pdf
from daycentre.enrolment.models import Enrolment


def contract_download(enrolment: Enrolment, *, language: str, actor) -> Response:
    """The contract in ``language`` as a download named in that language, and its printing in
    the audit trail (the caller commits)."""
    child = enrolment.person
    pdf = render_pdf(
        "enrolment/pdf_contract.html",
        language=language,
        enrolment=enrolment,
        centre=enrolment.centre,
        child=child,
        family=child.family,
        representatives=child.family.legal_representatives,
    )
    audit.record(
        audit.EXPORT,
        enrolment,
        actor=actor,
        centre_id=enrolment.centre_id,
        person_id=child.id,
        changes={"document": "service contract", "format": "pdf", "language": language},
    )
    with force_locale(language):
        name = _("Service contract")
    return download(pdf, PDF, f"{name} {enrolment.contract_number} {child.full_name}.pdf")
