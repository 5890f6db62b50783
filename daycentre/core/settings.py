"""Installation-wide facts kept in the database (for instance that the demo data were loaded)."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from daycentre.extensions import db


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get_setting(key: str, default: str | None = None) -> str | None:
    setting = db.session.get(Setting, key)
    return setting.value if setting else default


def put_setting(key: str, value: str) -> None:
    setting = db.session.get(Setting, key) or Setting(key=key)
    setting.value = value
    db.session.add(setting)
