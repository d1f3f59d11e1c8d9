"""Ids printed in templates stay plain digits in French (they end up in URLs and htmx
targets), while amounts keep their French grouping through the explicit filters."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def test_an_id_above_999_is_printed_without_a_separator() -> None:
    template = Template('<tbody id="line-{{ pk }}"><a href="?client={{ pk }}">')
    with translation.override("fr"):
        html = template.render(Context({"pk": 11022}))
    assert html == '<tbody id="line-11022"><a href="?client=11022">'


def test_amounts_keep_the_french_grouping() -> None:
    template = Template("{% load chantier %}{{ amount|eur }}")
    with translation.override("fr"):
        assert template.render(Context({"amount": Decimal("1234.5")})) == "1\xa0234,50\xa0€"


def test_french_numbers_with_grouping_are_read_by_the_forms() -> None:
    from django import forms

    from chantier.core.forms import FrenchDecimalsMixin

    class PriceForm(FrenchDecimalsMixin, forms.Form):
        price = forms.DecimalField(max_digits=14, decimal_places=2)

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.localize_decimals()

    with translation.override("fr"):
        for typed in ("2 500,00", "2\xa0500,00", "2\u202f500,00", "2500,5", " 2500 "):
            form = PriceForm({"price": typed})
            assert form.is_valid(), (typed, form.errors)
        form = PriceForm({"price": "2 500,00"})
        form.is_valid()
        assert form.cleaned_data["price"] == Decimal("2500.00")
        assert not PriceForm({"price": "deux mille"}).is_valid()
