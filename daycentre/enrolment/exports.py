"""The beneficiary register's columns, for its XLSX and CSV downloads (see daycentre.core.documents)."""

from flask_babel import gettext as _

from daycentre.enrolment.models import Enrolment


def register_headers() -> list[str]:
    return [
        _("No."),
        _("Family name"),
        _("Given name"),
        _("Date of birth"),
        _("CNP"),
        _("Group"),
        _("Application date"),
        _("Status"),
        _("Service contract number"),
        _("Contract date"),
        _("Start date"),
        _("Exit date"),
        _("Reason for exit"),
    ]


def register_rows(entries: list[Enrolment]) -> list[list]:
    return [
        [
            entry.number,
            entry.person.family_name,
            entry.person.given_name,
            entry.person.birth_date,
            entry.person.cnp,
            entry.group.name,
            entry.applied_on,
            str(entry.status.label),
            entry.contract_number,
            entry.contract_date,
            entry.start_date,
            entry.exit_date,
            entry.exit_reason,
        ]
        for entry in entries
    ]
