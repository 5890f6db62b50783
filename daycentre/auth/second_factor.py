"""The second factor at sign-in: an authenticator app's 30-second codes (TOTP) and recovery codes.

The shared secret is stored encrypted with a key derived from SECRET_KEY (changing SECRET_KEY
therefore means every user enrols again after an administrator resets them). Only the present
30-second step's code is accepted, never the step before, so a code lives at most 30 seconds.
Each code works once: the last step used is kept per user and only a later step is accepted, with
an atomic UPDATE so that two requests racing with one code cannot both pass. Recovery codes are random
(80 bits), so a plain SHA-256 keeps them safe; a slow password hash would add nothing.
"""

import base64
import hashlib
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import delete, func, or_, update

from daycentre.audit import services as audit
from daycentre.auth.models import RecoveryCode, SecondFactor, User
from daycentre.core.database import utcnow
from daycentre.core.errors import Refused
from daycentre.extensions import db

ISSUER = "daycentre"
STEP_SECONDS = 30
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 16  # 16 characters of 31: about 79 bits


def is_enrolled(user: User) -> bool:
    return user.second_factor is not None


# --- the secret --------------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"daycentre second factor"
    ).derive(current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str | None) -> str | None:
    """The secret, or None when the token was not made with this installation's key."""
    try:
        return _fernet().decrypt((token or "").encode()).decode()
    except (InvalidToken, ValueError):
        return None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The QR code as inline SVG: drawn here, no image request, nothing for the CSP to allow."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
    return Markup(svg)  # noqa: S704 - segno's own markup; the URI is encoded into path data


def display_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- codes -------------------------------------------------------------------------------------


def _normalised(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The present 30-second step if ``code`` is its code; a code lives at most 30 s (ASVS 6.5.5)."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    current = int(now // STEP_SECONDS)
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    return current if secrets.compare_digest(totp.generate_otp(current), code) else None


def _claim_step(user: User, step: int) -> bool:
    """Record ``step`` as used unless it, or a later one, already was; True if this call won."""
    claimed = db.session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.user_id == user.id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)))
    return [f"{code[:4]}-{code[4:8]}-{code[8:12]}-{code[12:]}" for code in codes]


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return used.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        db.select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def _record_failure(user: User, *, address: str | None) -> None:
    audit.record(audit.SECOND_FACTOR_FAILED, user, actor=None, changes={"address": address})


# --- the services ------------------------------------------------------------------------------


def enrol(
    user: User, secret: str, code: str, *, address: str | None, now: float | None = None
) -> list[str]:
    """Turn the second factor on once a code from the app proves it holds ``secret``.

    Returns the recovery codes, in clear this once; only their hashes are kept.
    """
    if is_enrolled(user):
        raise Refused(_l("A second factor is already set up for this account."))
    step = _matching_step(secret, _normalised(code), time.time() if now is None else now)
    if step is None:  # a typo by someone already signed in: no attack, nothing to audit
        raise Refused(_l("The code is not correct. Check the time on your phone and try again."))
    user.second_factor = SecondFactor(secret_encrypted=encrypt_secret(secret), last_used_step=step)
    # Sessions opened with the password alone (another device, or whoever else knew it) end here.
    user.end_all_sessions()
    db.session.flush()
    codes = _new_recovery_codes(user)
    audit.record(audit.SECOND_FACTOR_ENROLLED, user, actor=user, changes={"address": address})
    return codes


def verify(user: User, code: str, *, address: str | None, now: float | None = None) -> bool:
    """Whether ``code`` is a fresh code from the user's app or an unused recovery code.

    Either is then spent. A failure is written to the audit trail.
    """
    factor = user.second_factor
    normalised = _normalised(code)
    secret = decrypt_secret(factor.secret_encrypted) if factor else None
    if secret is not None:
        step = _matching_step(secret, normalised, time.time() if now is None else now)
        if step is not None and _claim_step(user, step):
            return True
    if (
        factor is not None
        and len(normalised) == _RECOVERY_LENGTH
        and _use_recovery_code(user, normalised)
    ):
        audit.record(
            audit.RECOVERY_CODE_USED,
            user,
            actor=user,
            changes={"address": address, "left": recovery_codes_left(user)},
        )
        return True
    _record_failure(user, address=address)
    return False


def renew_recovery_codes(user: User, code: str, *, address: str | None) -> list[str]:
    """New recovery codes replace the old ones, after a fresh code from the app."""
    if not is_enrolled(user) or not verify(user, code, address=address):
        raise Refused(_l("The code is not correct. Check the time on your phone and try again."))
    codes = _new_recovery_codes(user)
    audit.record(audit.UPDATE, user, actor=user, changes={"recovery_codes": ["***", "renewed"]})
    return codes


def reset(user: User, *, actor: User) -> None:
    """An administrator removes a lost second factor; the user enrols again at the next sign-in."""
    if user.id == actor.id:
        raise Refused(_l("Another administrator must reset your own second factor."))
    if not is_enrolled(user):
        raise Refused(_l("This account has no second factor to reset."))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.second_factor = None
    user.end_all_sessions()
    user.version = (user.version or 0) + 1
    audit.record(audit.SECOND_FACTOR_RESET, user, actor=actor)
