from decimal import Decimal

from daycentre.core.templating import plural_count


def test_plural_count_gives_gettext_an_integer():
    assert plural_count(Decimal("1.00")) == 1
    assert plural_count(Decimal("20")) == 20
    assert plural_count(Decimal("1.5")) == 2  # "1,5 ore", "1,5 hours"
    assert isinstance(plural_count(Decimal("3.00")), int)
