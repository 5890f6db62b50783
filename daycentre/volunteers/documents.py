"""Printable documents: the contract and its annexes, the certificate (PDF), the register (XLSX)."""

from io import BytesIO
from pathlib import Path

from flask import Response, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from daycentre.localtime import today

PDF_LANGUAGES = ("ro", "hu")  # the contract is in Romanian; Hungarian when asked
FORMULA_STARTS = ("=", "+", "-", "@")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StaticFilesOnly(URLFetcher):
    """The PDF may use the app's own static files, nothing from the network or the disk."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=("file",))
        self.prefix = Path(static_folder).resolve().as_uri() + "/"

    def fetch(self, url, headers=None):
        if not url.startswith(self.prefix) or ".." in url:
            raise ValueError(f"refused to fetch {url}")
        return super().fetch(url, headers)


def render_pdf(template: str, language: str | None, **context) -> bytes:
    language = language if language in PDF_LANGUAGES else "ro"
    with force_locale(language):
        html = render_template(template, language=language, **context)
    base_url = Path(current_app.static_folder).resolve().as_uri() + "/"
    fetcher = StaticFilesOnly(current_app.static_folder)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf()


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def contract_pdf(contract, language: str | None = None) -> bytes:
    return render_pdf(
        "volunteers/pdf_contract.html",
        language,
        contract=contract,
        volunteer=contract.volunteer,
        centre=contract.centre,
    )


def contract_response(contract, language: str | None) -> Response:
    return _pdf_response(
        contract_pdf(contract, language), f"contract-voluntariat-{contract.number}.pdf"
    )


def certificate_pdf(certificate, language: str | None = None) -> bytes:
    """The certificate as it was issued: later approvals do not change it."""
    return render_pdf(
        "volunteers/pdf_certificate.html",
        language,
        certificate=certificate,
        volunteer=certificate.volunteer,
        contract=certificate.contract,
        centre=certificate.centre,
        rows=certificate.rows,
    )


def certificate_response(certificate, language: str | None) -> Response:
    return _pdf_response(
        certificate_pdf(certificate, language), f"certificat-voluntariat-{certificate.number}.pdf"
    )


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def register_workbook(contracts) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Volunteer contracts")[:31]
    headers = [
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
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for contract in contracts:
        volunteer = contract.volunteer
        sheet.append(
            [
                safe_cell(value)
                for value in (
                    contract.number,
                    contract.centre.name,
                    f"{volunteer.family_name} {volunteer.given_name}",
                    volunteer.birth_date,
                    contract.signed_on,
                    contract.starts_on,
                    contract.ends_on,
                    str(contract.status.label),
                    contract.closed_on,
                    contract.termination_reason or "",
                    contract.activities,
                )
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.is_date:
                cell.number_format = "DD.MM.YYYY"
    for column, width in zip(
        "ABCDEFGHIJK", (8, 30, 25, 12, 12, 12, 12, 14, 12, 25, 40), strict=True
    ):
        sheet.column_dimensions[column].width = width
    stream = BytesIO()
    book.save(stream)
    return stream.getvalue()


def register_response(contracts) -> Response:
    return Response(
        register_workbook(contracts),
        mimetype=XLSX,
        headers={
            "Content-Disposition": (
                f'attachment; filename="registru-contracte-voluntariat-{today().isoformat()}.xlsx"'
            )
        },
    )
