"""Forms of the assessment pages: starting one, answering a section, setting the phase by hand.

Nothing in a section is required: a question left out is skipped, and "prefer not to answer" is an
answer of its own (never a 0). The section form turns what the browser sends into the values the
engine stores: numbers as numbers, the markers "na" and "declined", None for a skipped question.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qadam.assessments.engine import DECLINED, NA, Instrument, Item
from qadam.assessments.engine.definition import Section
from qadam.assessments.engine.faa import Phase
from qadam.assessments.models import InstrumentVersion
from qadam.cases.models import Case
from qadam.families.models import Person

SKIP = "skip"  # "leave it for now": unselects an answer given before, without JavaScript
CHOICE_WIDGET_TYPES = ("scale", "single", "anchored", "yesno")


class InstrumentField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return instrument_label(obj)


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class StartForm(forms.Form):
    instrument = InstrumentField(
        label=_("Instrument"), queryset=InstrumentVersion.objects.filter(offered=True).order_by("key")
    )
    informant = PersonField(
        label=_("Who answers"), queryset=Person.objects.none(), required=False, empty_label=_("the family together")
    )
    language = forms.ChoiceField(label=_("Language of the questions"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        informant = self.fields["informant"]
        assert isinstance(informant, forms.ModelChoiceField)
        informant.queryset = Person.objects.filter(memberships__family=case.family).order_by("birth_date")
        head = case.family.head
        self.initial.setdefault("language", getattr(head, "preferred_language", "") or "kk")


def instrument_label(version: InstrumentVersion) -> str:
    from django.utils.translation import get_language

    title, _fallback = Instrument.text(version.title, get_language() or "en")
    status = version.definition.get("status")
    if status == "practice_tool":
        return str(_("%(title)s %(version)s: practice tool, not a validated scale")) % {
            "title": title,
            "version": version.version,
        }
    if status == "screen":
        return str(_("%(title)s %(version)s: screening, not a diagnosis")) % {
            "title": title,
            "version": version.version,
        }
    return f"{title} {version.version}"


@dataclass
class Question:
    """One question of the section page with what the template shows beside it."""

    item: Item
    field: forms.BoundField
    text: str
    hint: str
    fallback: bool
    prefilled: bool
    only_if: str
    declined_field: forms.BoundField | None = None


def _choice_label(item: Item, value: Any, language: str) -> tuple[str, bool]:
    if item.type == "anchored":
        return Instrument.text(item.anchors.get(int(value)), language)
    if item.type == "yesno":
        return (str(_("Yes")) if value == 1 else str(_("No"))), False
    return Instrument.text(item.label_of(value), language)


def _markers(item: Item) -> list[tuple[str, str]]:
    choices = []
    if item.allow_na:
        choices.append((NA, str(_("Not applicable"))))
    if item.allow_declined:
        choices.append((DECLINED, str(_("Prefer not to answer"))))
    return choices


class SectionForm(forms.Form):
    """The questions of one section; `answers()` gives what to save, item id -> value or None."""

    def __init__(
        self,
        *args: Any,
        section: Section,
        instrument: Instrument,
        language: str,
        saved: dict[str, Any],
        previous: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.section, self.instrument, self.language = section, instrument, language
        self.prefilled: set[str] = set()
        for item in section.items:
            if not item.answerable:
                continue
            self.fields[item.id] = self._field(item)
            if item.type in ("number", "date", "text") and item.allow_declined:
                self.fields[f"{item.id}__declined"] = forms.BooleanField(
                    label=_("Prefer not to answer"), required=False
                )
            value = saved.get(item.id)
            if value is None and not section.private and previous.get(item.id) is not None:
                value = previous[item.id]
                self.prefilled.add(item.id)
            if value is not None:
                self._set_initial(item, value)

    def _field(self, item: Item) -> forms.Field:
        if item.type in CHOICE_WIDGET_TYPES:
            choices = [(str(v), self._label(item, v)) for v in item.values or ()]
            choices += [*_markers(item), (SKIP, str(_("Skip for now")))]
            return forms.ChoiceField(choices=choices, required=False, widget=forms.RadioSelect)
        if item.type == "multiple":
            choices = [(str(v), self._label(item, v)) for v in item.values or ()] + _markers(item)
            return forms.MultipleChoiceField(choices=choices, required=False, widget=forms.CheckboxSelectMultiple)
        if item.type == "number":
            return forms.FloatField(required=False, min_value=item.min, max_value=item.max)
        if item.type == "date":
            return forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
        return forms.CharField(required=False, max_length=500)

    def _label(self, item: Item, value: Any) -> str:
        text, fallback = _choice_label(item, value, self.language)
        return f"{text} ({_('translation needed')})" if fallback else text

    def _set_initial(self, item: Item, value: Any) -> None:
        if item.type in ("number", "date", "text") and value in (NA, DECLINED):
            self.initial[f"{item.id}__declined"] = value == DECLINED
        elif item.type == "multiple":
            self.initial[item.id] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        else:
            self.initial[item.id] = str(value)

    def questions(self) -> list[Question]:
        rows = []
        for item in self.section.items:
            text, fallback = Instrument.text(item.text, self.language)
            hint, hint_fallback = Instrument.text(item.hint, self.language) if item.hint else ("", False)
            if not item.answerable:
                rows.append(Question(item, None, text, hint, fallback, False, ""))  # type: ignore[arg-type]
                continue
            declined = f"{item.id}__declined"
            rows.append(
                Question(
                    item=item,
                    field=self[item.id],
                    text=text,
                    hint=hint,
                    fallback=fallback or hint_fallback,
                    prefilled=item.id in self.prefilled,
                    only_if=self._only_if(item),
                    declined_field=self[declined] if declined in self.fields else None,
                )
            )
        return rows

    def _only_if(self, item: Item) -> str:
        condition = item.relevant
        if condition is None or condition.item not in self.instrument.items:
            return ""
        other = self.instrument.items[condition.item]
        question = Instrument.text(other.text, self.language)[0]
        answers = ", ".join(_choice_label(other, v, self.language)[0] for v in condition.values)
        return str(_("Only if the answer to “%(question)s” is “%(answer)s”.")) % {
            "question": question,
            "answer": answers,
        }

    def answers(self) -> dict[str, Any]:
        """The cleaned answers of the section; call after is_valid()."""
        data: dict[str, Any] = {}
        for item in self.section.items:
            if item.answerable:
                data[item.id] = self._value(item, self.cleaned_data.get(item.id))
        return data

    def _value(self, item: Item, raw: Any) -> Any:
        if self.cleaned_data.get(f"{item.id}__declined"):
            return DECLINED
        if raw in (None, "", [], SKIP):
            return None
        if raw in (NA, DECLINED):
            return raw
        if item.type == "multiple":
            if DECLINED in raw:
                return DECLINED
            if NA in raw:
                return NA
            return [self._typed(item, v) for v in raw]
        if item.type in CHOICE_WIDGET_TYPES:
            return self._typed(item, raw)
        if item.type == "number":
            return int(raw) if float(raw).is_integer() else raw
        if item.type == "date":
            return raw.isoformat()
        return raw.strip() or None

    @staticmethod
    def _typed(item: Item, raw: str) -> Any:
        """The option's own value (a number stays a number) for the text the browser sent back."""
        return next((v for v in item.values or () if str(v) == raw), raw)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    reason = forms.CharField(label=_("Why you set the phase"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


INSTRUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")
INSTRUMENT_MAX_BYTES = 5 * 1024 * 1024


class InstrumentUploadForm(forms.Form):
    """An instrument pack (YAML or JSON, in the format of qadam/assessments/instruments/README.md) or an
    XLSForm spreadsheet, sent by a system administrator."""

    file = forms.FileField(
        label=_("Instrument file"),
        help_text=_("An instrument pack (.yaml, .json) or an XLSForm (.xlsx), at most 5 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(INSTRUMENT_SUFFIXES):
            raise forms.ValidationError(
                _("Qadam reads instrument packs (.yaml, .yml, .json) and XLSForms (.xlsx); this file is neither.")
            )
        if upload.size > INSTRUMENT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; an instrument is much smaller."))
        return upload
