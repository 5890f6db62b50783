"""A file's row as checked: its values, what the import will do with it, and its problems."""

from dataclasses import dataclass, field


@dataclass
class Problem:
    column: str | None  # the column's key; None when the problem is the row's as a whole
    message: object


@dataclass
class CheckedRow:
    number: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    # What the import will do beyond storing the row as it is ("joins the family ...").
    notes: list = field(default_factory=list)
    # The row's values as they will be stored (dates read, the group found, ...).
    parsed: dict = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return not self.problems
