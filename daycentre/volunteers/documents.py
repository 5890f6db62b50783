"""The volunteer's documents: the contract and its annexes, the certificate, the register."""

from flask import Response
from flask_babel import gettext as _

from daycentre.core.documents import PDF, XLSX, download, render_pdf, spreadsheet
from daycentre.core.localtime import today
from daycentre.volunteers.clauses import printed_clause

PDF_LANGUAGES = ("ro", "hu")  # the contract is in Romanian; Hungarian when asked


def printed_language(language: str | None) -> str:
    return language if language in PDF_LANGUAGES else "ro"


def contract_pdf(contract, language: str | None = None) -> bytes:
    return render_pdf(
        "volunteers/pdf_contract.html",
        language=printed_language(language),
        contract=contract,
        volunteer=contract.volunteer,
        centre=contract.centre,
        printed_clause=printed_clause,
    )


def contract_response(contract, language: str | None) -> Response:
    return download(
        contract_pdf(contract, language), PDF, f"contract-voluntariat-{contract.number}.pdf"
    )


def certificate_pdf(certificate, language: str | None = None) -> bytes:
    """The certificate as it was issued: later approvals do not change it."""
    return render_pdf(
        "volunteers/pdf_certificate.html",
        language=printed_language(language),
        certificate=certificate,
        volunteer=certificate.volunteer,
        contract=certificate.contract,
        centre=certificate.centre,
        rows=certificate.rows,
    )


def certificate_response(certificate, language: str | None) -> Response:
    return download(
        certificate_pdf(certificate, language),
        PDF,
        f"certificat-voluntariat-{certificate.number}.pdf",
    )


def register_headers() -> list[str]:
    return [
        _("Number"),
        _("Centre"),
        _("Volunteer"),
        _("Date of birth"),
        _("Signed on"),
        _("Starts on"),
        _("Ends on"),
        _("Status"),
        _("Closed on"),
        _("Reason"),
        _("Description of the activities"),
    ]


def register_rows(contracts) -> list[list]:
    return [
        [
            contract.number,
            contract.centre.name,
            f"{contract.volunteer.family_name} {contract.volunteer.given_name}",
            contract.volunteer.birth_date,
            contract.signed_on,
            contract.starts_on,
            contract.ends_on,
            str(contract.status.label),
            contract.closed_on,
            contract.termination_reason or "",
            contract.activities,
        ]
        for contract in contracts
    ]


def register_response(contracts) -> Response:
    content = spreadsheet(_("Volunteer contracts"), register_headers(), register_rows(contracts))
    return download(content, XLSX, f"registru-contracte-voluntariat-{today().isoformat()}.xlsx")
