"""Forms of the portal pages: catalogue search, the SKM questionnaire, the IKM period picker."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.core.forms import Form

from . import periods, skm
from .models import Category


class CatalogueSearchForm(Form):
    q = forms.CharField(
        label=_("Search for a service"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. KTP, billboard, building permit"), "autocomplete": "off"}
        ),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=None, empty_label=_("All agencies"), to_field_name="code"
    )
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["category"].choices = [("", _("All categories")), *Category.choices]


class SurveyForm(Form):
    """The nine SKM questions as radio groups (fieldset + legend each), and suggestions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, question in enumerate(skm.QUESTIONS, start=1):
            field = forms.TypedChoiceField(
                label=question.text,
                choices=question.choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={
                    "required": _("Choose one of the four answers for “%(element)s”.") % {"element": question.element},
                    "invalid_choice": _("The answer for “%(element)s” is one of the four choices (1 to 4).")
                    % {"element": question.element},
                },
            )
            field.number = number
            field.question = question
            self.fields[question.key] = field
        self.fields["suggestions"] = forms.CharField(
            label=_("Suggestions for improvement (optional)"),
            required=False,
            max_length=skm.SUGGESTIONS_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_("Do not write your name or other personal details: the survey is anonymous."),
        )

    def question_fields(self):
        return [self[question.key] for question in skm.QUESTIONS]

    def scores(self) -> dict[str, int]:
        return {key: self.cleaned_data[key] for key in skm.KEYS}


class PeriodForm(Form):
    kind = forms.ChoiceField(label=_("Period"), choices=[(k, periods.KIND_LABELS[k]) for k in periods.KINDS])
    period = forms.ChoiceField(label=_("Which one"), required=False)
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=None, empty_label=_("Whole city"), to_field_name="code"
    )

    def __init__(self, *args, period_choices=(), agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = list(period_choices)
        self.fields["agency"].queryset = agencies
