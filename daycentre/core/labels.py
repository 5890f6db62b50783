"""How every enum names its members to a reader: the translated label is declared beside each
member, ``ACTIVE = "active", _l("Active")``, and read as ``member.label`` in templates, forms'
choices, exports, PDFs and the audit trail. The value alone is what the database stores."""

import enum


class LabelledEnum(enum.StrEnum):
    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label  # a lazy_gettext string: translated when shown
        return member

    @property
    def label(self):
        return self._label

    @classmethod
    def choices(cls) -> list[tuple[str, object]]:
        """(value, label) of every member, in their order, for a form's select."""
        return [(member.value, member.label) for member in cls]
