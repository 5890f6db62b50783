"""The base form every area uses: WTForms' own messages in the user's language."""

from functools import cache

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.i18n import get_translations
from wtforms.widgets import CheckboxInput, ListWidget

from daycentre.i18n import current_language


@cache
def _wtforms_translations(language: str):
    return get_translations([language])


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_language())


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
