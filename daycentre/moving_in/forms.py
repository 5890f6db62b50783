from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField

from daycentre.core.forms import Form


class UploadForm(Form):
    spreadsheet = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(_l("Choose the file to import."))],
    )
    submit = SubmitField(_l("Read the file"))


class ConfirmForm(Form):
    submit = SubmitField(_l("Import the rows without problems"))


class CancelForm(Form):
    submit = SubmitField(_l("Cancel this import"))


class UndoForm(Form):
    submit = SubmitField(_l("Undo the import"))


def columns_form(headers: list[str], choices: list[tuple[str, str]], chosen: list[str | None]):
    """One choice per column of the file: which column of the register it holds, or none."""

    class ColumnsForm(Form):
        submit = SubmitField(_l("Use these columns"))

    for index, header in enumerate(headers):
        setattr(ColumnsForm, f"column_{index}", SelectField(header or f"#{index + 1}", choices=[]))
    form = ColumnsForm()
    for index in range(len(headers)):
        field = form[f"column_{index}"]
        field.choices = [("", _l("(not imported)")), *choices]
        if not form.is_submitted():
            field.data = chosen[index] or ""
    return form
