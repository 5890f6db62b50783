"""The standard clauses of a volunteer contract, and the language a clause prints in.

A new contract is drafted with the standard clauses in the coordinator's language. Printed in
another language, a clause still as drafted prints in that language, from the catalog; a clause
someone rewrote prints as written (it is the signed text).
"""

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

STANDARD_CLAUSES = {
    "rights_and_obligations": _l(
        "The volunteer has the rights and obligations set by Legea 78/2014: to be informed and "
        "trained for the activity, to work in safe conditions, to be insured against the risks of "
        "the activity when required, to receive a certificate of volunteering, to keep the "
        "confidentiality of the information about the beneficiaries, and to follow the "
        "coordinator's instructions and the centre's rules."
    ),
    "termination_conditions": _l(
        "The contract ends at its term, by agreement of the parties, or by written notice of "
        "either party 15 days in advance; the host may end it at once if the volunteer breaks "
        "the rules on the protection of children or the confidentiality of personal data."
    ),
    "requirements": _l(
        "A behavioural-integrity certificate (Legea 118/2019) that is valid, and a medical "
        "certificate stating that the volunteer is fit for the activity."
    ),
}


def _words(text: str | None) -> str:
    return " ".join((text or "").split())


def standard_clause(field: str) -> str:
    """The standard clause in the current language."""
    return str(STANDARD_CLAUSES[field])


def printed_clause(contract, field: str) -> str:
    """The clause in the current (print) language when it is a standard one, else as stored."""
    stored = getattr(contract, field)
    if field not in STANDARD_CLAUSES:
        return stored
    in_print_language = standard_clause(field)
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            if _words(standard_clause(field)) == _words(stored):
                return in_print_language
    return stored
