from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from daycentre.auth.roles import Role, role_has
from daycentre.core.database import UTCDateTime, stored_enum, utcnow
from daycentre.core.i18n import person_name
from daycentre.extensions import db, login_manager, normalised_username

user_centres = Table(
    "user_centres",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("centre_id", ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True),
)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class User(UserMixin, db.Model):
    __tablename__ = "users"
    audit_label = _l("User account")

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(stored_enum(Role, 20))
    password_hash: Mapped[str] = mapped_column(String(255), info={"audit": False})
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Bumped on logout, password change and deactivation: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1, info={"audit": False})
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    # Set only for the first administrator's generated password; cleared when it is changed.
    password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, info={"audit": False})
    version: Mapped[int] = mapped_column(default=1, server_default="1", info={"audit": False})

    centres = relationship("Centre", secondary=user_centres, order_by="Centre.name")
    second_factor: Mapped["SecondFactor | None"] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The version changes only when the account is edited (see auth.services), not when the user
    # signs in or picks a language; every UPDATE still checks it, so concurrent edits are caught.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"

    @property
    def full_name(self) -> str:
        return person_name(self.family_name, self.given_name)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def password_expired(self, now: datetime) -> bool:
        return self.password_expires_at is not None and now >= self.password_expires_at

    def end_all_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def can(self, permission: str) -> bool:
        return role_has(self.role, permission)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def centre_ids(self) -> set[int]:
        return {centre.id for centre in self.centres}

    def sees_centre(self, centre_id: int) -> bool:
        return self.is_admin or centre_id in self.centre_ids

    @property
    def second_factor_required(self) -> bool:
        """Whether this user must have a second factor: always in production for the listed roles."""
        config = current_app.config
        required = config["ENV_NAME"] == "production" or config["SECOND_FACTOR_REQUIRED"]
        return required and self.role.value in config["SECOND_FACTOR_ROLES"]

    @property
    def second_factor_missing(self) -> bool:
        return self.second_factor_required and self.second_factor is None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session cookie, which names the account and its session version."""
    user_id, _sep, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    # A cookie from before a logout, password change or deactivation names an older version.
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


class SecondFactor(db.Model):
    """A user's authenticator app (TOTP): the shared secret, encrypted, and the last step used."""

    __tablename__ = "second_factors"
    audit_label = _l("Second factor")

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(String(255), info={"audit": False})
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A code is accepted only for a later 30-second step than this one: each code works once.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger, info={"audit": False})

    user: Mapped[User] = relationship(back_populates="second_factor")


class RecoveryCode(db.Model):
    """One of the single-use codes given at enrolment, kept only as a hash."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), info={"audit": False})
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(
        db.select(User).where(func.lower(User.username) == normalised_username(username))
    )
