"""Forms of the quote editor: they parse input; the rules live in line_services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chantier.core import formatting
from chantier.core.forms import FrenchDecimalsMixin
from chantier.core.models import Company
from chantier.quotes.line_services import LineData
from chantier.quotes.models import Chapter, Quote, QuoteLine
from chantier.quotes.selectors import EditorFilter

VAT_CHOICES = [("20.00", "20 %"), ("10.00", "10 %"), ("5.50", "5,5 %"), ("0.00", "0 %")]
TOP_LEVEL = ""
ITEM_CHOICES_ID = "catalogue-choices"
COST_FIELDS = ("unit_labour_hours", "unit_labour_cost", "unit_supply_cost")


class ChapterSelect(forms.Select):
    """A <select> rendered in Python: Django renders each <option> through a template,
    and the editor shows several lists of every chapter (50 chapters: 150 options)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


def chapter_choices(
    chapters: list[Chapter], *, empty_label: str, exclude: Chapter | None = None
) -> list[tuple[str, str]]:
    """Chapters in tree order, indented by depth; `exclude` and its sub-chapters left out."""
    choices = [(TOP_LEVEL, empty_label)]
    for chapter in chapters:
        if exclude is not None and (
            chapter.pk == exclude.pk or chapter.sort_key.startswith(f"{exclude.sort_key}.")
        ):
            continue
        indent = "\u2003" * (chapter.depth - 1)
        choices.append((str(chapter.pk), f"{indent}{chapter.number} {chapter.title}"))
    return choices


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _chapter_of(value: str, chapters: list[Chapter]) -> Chapter | None:
    if value in (None, TOP_LEVEL):
        return None
    return next((chapter for chapter in chapters if str(chapter.pk) == str(value)), None)


def _trimmed(value: Decimal | None, places: int) -> str:
    """An initial value as a French number without trailing zeros ("12,5", "1 234")."""
    return "" if value is None else formatting.trimmed(value, places)


class LineForm(FrenchDecimalsMixin, forms.Form):
    """A line's fields; numbers typed the French way (1 234,56)."""

    reference = forms.CharField(label=_("Reference"), max_length=50, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False)
    unit_price = forms.DecimalField(label=_("Unit price excl. VAT"), required=False)
    vat_rate = forms.TypedChoiceField(
        label=_("VAT"), choices=VAT_CHOICES, coerce=Decimal, empty_value=None
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=QuoteLine.Kind.choices, initial=QuoteLine.Kind.ITEM
    )
    optional = forms.BooleanField(
        label=_("Optional line"),
        required=False,
        help_text=_("Shown with its price, not counted in the total."),
    )
    price_mode = forms.ChoiceField(
        label=_("Pricing"), choices=QuoteLine.PriceMode.choices, initial="entered"
    )
    unit_labour_hours = forms.DecimalField(label=_("Labour hours per unit"), required=False)
    unit_labour_cost = forms.DecimalField(label=_("Labour cost per unit"), required=False)
    unit_supply_cost = forms.DecimalField(label=_("Supply cost per unit"), required=False)

    MAIN_FIELDS = ("reference", "description", "unit", "quantity", "unit_price", "vat_rate")
    MORE_FIELDS = ("kind", "optional", "price_mode", *COST_FIELDS)

    def __init__(self, *args: Any, line: QuoteLine | None = None, **kwargs: Any) -> None:
        if line is not None:
            kwargs.setdefault("initial", self.initial_of(line))
        kwargs.setdefault("auto_id", f"line-{line.pk}-%s" if line is not None else "id_%s")
        super().__init__(*args, **kwargs)
        self.localize_decimals()
        self.fields["unit_price"].help_text = _("A discount line has a negative price.")

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MAIN_FIELDS]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        """Shown folded: kind, option, pricing from cost and the unit direct cost."""
        return [self[name] for name in self.MORE_FIELDS]

    @property
    def more_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE_FIELDS)

    @staticmethod
    def initial_of(line: QuoteLine) -> dict[str, Any]:
        return {
            "reference": line.reference,
            "description": line.description,
            "unit": line.unit,
            "quantity": _trimmed(line.quantity, 3),
            "unit_price": _trimmed(line.entered_price, 2),
            "vat_rate": f"{line.vat_rate:.2f}",
            "kind": line.kind,
            "optional": line.optional,
            "price_mode": line.price_mode,
            "unit_labour_hours": _trimmed(line.unit_labour_hours, 4),
            "unit_labour_cost": _trimmed(line.unit_labour_cost, 4),
            "unit_supply_cost": _trimmed(line.unit_supply_cost, 4),
        }

    def line_data(self) -> LineData:
        """The service's input (line_services.LineData) from the cleaned fields."""
        data = self.cleaned_data
        result: LineData = {
            "reference": data.get("reference", ""),
            "description": data.get("description", ""),
            "unit": data.get("unit", ""),
            "kind": data.get("kind") or QuoteLine.Kind.ITEM,
            "optional": bool(data.get("optional")),
            "price_mode": data.get("price_mode") or QuoteLine.PriceMode.ENTERED,
        }
        if result["kind"] == QuoteLine.Kind.TEXT:
            return result  # text only: the service clears quantity and price
        result["quantity"] = data.get("quantity")
        result["unit_price"] = data.get("unit_price")
        if data.get("vat_rate") is not None:
            result["vat_rate"] = data["vat_rate"]
        for name in COST_FIELDS:
            if name in self.data:  # not posted: the line keeps its direct cost
                result[name] = data.get(name) or Decimal(0)  # type: ignore[literal-required]
        return result


class NewLineForm(LineForm):
    """A new line: free text, a catalogue item, or quick entry from the reference field.

    Seed 001: "<assembly prefix>words" in the reference lists the matching assemblies;
    "<chapter prefix>Title" opens a new chapter titled "Title".
    """

    chapter = forms.ChoiceField(label=_("Chapter"), required=False, widget=ChapterSelect)
    item = forms.CharField(
        label=_("Catalogue item"),
        max_length=50,
        required=False,
        help_text=_("Type a reference or words of the name, then choose in the list."),
    )

    field_order = ["chapter", "item", "reference", "description", "unit", "quantity"]

    def __init__(
        self, *args: Any, quote: Quote, company: Company, chapters: list[Chapter], **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "new-line-%s")
        super().__init__(*args, **kwargs)
        self.chapters = chapters
        choice_field(self, "chapter").choices = chapter_choices(
            chapters, empty_label=str(_("(no chapter)"))
        )
        # Empty VAT: the catalogue item's rate, or the company's default for a free line.
        choice_field(self, "vat_rate").choices = [("", _("default")), *VAT_CHOICES]
        self.fields["vat_rate"].required = False
        self.fields["price_mode"].required = False
        self.fields["kind"].required = False
        self.initial.setdefault("quantity", "1")
        prefixes = company
        self.fields["reference"].help_text = _(
            "%(assembly)s followed by words searches the assemblies; %(chapter)s followed "
            "by a title opens a new chapter."
        ) % {
            "assembly": prefixes.assembly_search_prefix,
            "chapter": prefixes.chapter_entry_prefix,
        }
        self.fields["item"].widget.attrs.update(
            {
                "list": ITEM_CHOICES_ID,
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse("quotes:item_search", kwargs={"pk": quote.pk}),
                "hx-trigger": "input changed delay:250ms, focus once",
                "hx-target": f"#{ITEM_CHOICES_ID}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
            }
        )
        self.fields["reference"].widget.attrs.update({"autocomplete": "off"})

    def chapter_row(self) -> Chapter | None:
        return _chapter_of(self.cleaned_data.get("chapter") or TOP_LEVEL, self.chapters)

    def item_data(self) -> LineData:
        """Over a catalogue item, only what the user typed replaces the item's values."""
        data = self.cleaned_data
        result: LineData = {"quantity": data.get("quantity"), "optional": bool(data["optional"])}
        for name in ("description", "unit"):
            if data.get(name):
                result[name] = data[name]
        if data.get("unit_price") is not None:
            result["unit_price"] = data["unit_price"]
        if data.get("vat_rate") is not None:
            result["vat_rate"] = data["vat_rate"]
        return result


class ChapterForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=250,
        required=False,
        help_text=_('Left empty, the chapter is titled "Chapter level n".'),
    )
    parent = forms.ChoiceField(label=_("Inside"), required=False, widget=ChapterSelect)

    def __init__(self, *args: Any, chapters: list[Chapter], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "new-chapter-%s")
        super().__init__(*args, **kwargs)
        self.chapters = chapters
        choice_field(self, "parent").choices = chapter_choices(
            chapters, empty_label=str(_("(top level)"))
        )

    def parent_row(self) -> Chapter | None:
        return _chapter_of(self.cleaned_data.get("parent") or TOP_LEVEL, self.chapters)


class ChapterRenameForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250, required=False)


class ChapterMoveForm(forms.Form):
    parent = forms.ChoiceField(label=_("Inside"), required=False, widget=ChapterSelect)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("1 places it first; left empty, it goes last."),
    )

    def __init__(self, *args: Any, chapter: Chapter, chapters: list[Chapter], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.chapters = chapters
        choice_field(self, "parent").choices = chapter_choices(
            chapters, empty_label=str(_("(top level)")), exclude=chapter
        )
        self.initial.setdefault("parent", str(chapter.parent_id or TOP_LEVEL))
        self.initial.setdefault("position", chapter.position)

    def parent_row(self) -> Chapter | None:
        return _chapter_of(self.cleaned_data.get("parent") or TOP_LEVEL, self.chapters)


class LineMoveForm(forms.Form):
    chapter = forms.ChoiceField(label=_("Chapter"), required=False, widget=ChapterSelect)
    position = forms.IntegerField(
        label=_("Position"),
        min_value=1,
        required=False,
        help_text=_("1 places it first; left empty, it goes last."),
    )

    def __init__(self, *args: Any, line: QuoteLine, chapters: list[Chapter], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.chapters = chapters
        choice_field(self, "chapter").choices = chapter_choices(
            chapters, empty_label=str(_("(no chapter)"))
        )
        self.initial.setdefault("chapter", str(line.chapter_id or TOP_LEVEL))
        self.initial.setdefault("position", line.position)

    def chapter_row(self) -> Chapter | None:
        return _chapter_of(self.cleaned_data.get("chapter") or TOP_LEVEL, self.chapters)


PRICING_DECIMALS = (
    "labour_coefficient",
    "supply_coefficient",
    "difficulty_coefficient",
    "overhead_coefficient",
    "site_costs_rate",
    "overheads_rate",
    "profit_rate",
)


class PricingForm(FrenchDecimalsMixin, forms.Form):
    """How the lines priced from cost get their price (seed 001; french-rules §11.1)."""

    pricing_method = forms.ChoiceField(label=_("Method"), choices=Quote.PricingMethod.choices)
    labour_coefficient = forms.DecimalField(label=_("Labour coefficient"))
    supply_coefficient = forms.DecimalField(label=_("Supply coefficient"))
    difficulty_coefficient = forms.DecimalField(label=_("Difficulty coefficient"))
    overhead_coefficient = forms.DecimalField(label=_("Overhead coefficient"))
    site_costs_rate = forms.DecimalField(label=_("Site costs (% of direct cost)"))
    overheads_rate = forms.DecimalField(label=_("Overheads (% of price)"))
    profit_rate = forms.DecimalField(label=_("Profit (% of price)"))
    k_multipliers = forms.CharField(
        label=_("K multipliers"),
        max_length=200,
        required=False,
        help_text=_("Separated by spaces, e.g. 1,10 1,15 1,05."),
    )

    def __init__(self, *args: Any, quote: Quote, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "pricing-%s")
        initial = {"pricing_method": quote.pricing_method, "k_multipliers": quote.k_multipliers}
        initial.update({name: _trimmed(getattr(quote, name), 4) for name in PRICING_DECIMALS})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.localize_decimals()


class FilterForm(forms.Form):
    """The filter bar (GET): words, chapter, kind, optional; and the cost columns toggle."""

    q = forms.CharField(label=_("Search the lines"), required=False)
    chapter = forms.CharField(label=_("Chapter"), required=False, widget=ChapterSelect)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    optional = forms.ChoiceField(
        label=pgettext_lazy("filter", "Options"),
        required=False,
        choices=[
            ("", _("all lines")),
            ("yes", _("optional lines only")),
            ("no", _("without optional lines")),
        ],
    )
    costs = forms.BooleanField(label=_("Show the costs"), required=False)

    def __init__(self, data: Any, *, chapters: list[Chapter] | None = None) -> None:
        super().__init__(data, auto_id="filter-%s")
        if chapters is not None:  # parsing needs no chapter; showing the bar lists them
            self.fields["chapter"].widget.choices = chapter_choices(
                chapters, empty_label=str(_("all chapters"))
            )
        choice_field(self, "kind").choices = [("", _("all kinds")), *QuoteLine.Kind.choices]

    def clean_chapter(self) -> str:
        value = self.cleaned_data.get("chapter") or ""
        return value if value.isdigit() else ""

    def _clean(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}

    def selection(self) -> EditorFilter:
        data = self._clean()
        chapter = data.get("chapter") or ""
        optional = {"yes": True, "no": False}.get(data.get("optional") or "")
        return EditorFilter(
            text=(data.get("q") or "").strip(),
            chapter=int(chapter) if chapter.isdigit() else None,
            kind=data.get("kind") or "",
            optional=optional,
        )

    @property
    def show_costs(self) -> bool:
        return bool(self._clean().get("costs"))

    def querystring(self) -> str:
        """The filter as a query string (links and forms keep it; no page number)."""
        data = self._clean()
        params = {
            "q": (data.get("q") or "").strip(),
            "chapter": data.get("chapter") or "",
            "kind": data.get("kind") or "",
            "optional": data.get("optional") or "",
            "costs": "1" if data.get("costs") else "",
        }
        return urlencode({key: value for key, value in params.items() if value})
