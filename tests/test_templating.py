from decimal import Decimal

from daycentre.core.templating import plural_count


def test_plural_count_gives_gettext_an_integer():
    assert plural_count(Decimal("1.00")) == 1
    assert plural_count(Decimal("20")) == 20
    assert plural_count(Decimal("1.5")) == 2  # "1,5 ore", "1,5 hours"
    assert isinstance(plural_count(Decimal("3.00")), int)


def test_template_labels_are_translated_and_their_variables_escaped(app):
    """``_()`` in templates keeps a label without variables once translated, per language."""
    from flask import render_template_string
    from flask_babel import force_locale

    source = '{{ _("Allergies") }}|{{ _("The menu contains: %(allergens)s", allergens="<b>") }}'
    with app.test_request_context():
        with force_locale("ro"):
            romanian = render_template_string(source)
            assert render_template_string(source) == romanian
        with force_locale("hu"):
            hungarian = render_template_string(source)
        with force_locale("en"):
            english = render_template_string(source)
    assert english == "Allergies|The menu contains: &lt;b&gt;"
    assert romanian.startswith("Alergii|") and "&lt;b&gt;" in romanian
    assert hungarian != romanian and "&lt;b&gt;" in hungarian
