"""Forms of the staff pages (verifier desk, agency inbox, overview).

Forms only shape the input; the services check what matters and their ReportInvalid field
errors are put back on these forms' fields (`add_service_errors`). Every action form has a
prefix, so that several forms on one page never share an element id.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kotapintar.agencies.models import Agency
from kotapintar.core.forms import Form

from . import selectors
from .errors import ReportInvalid
from .models import Category, SetAsideReason, Status
from .photos import MAX_PHOTOS
from .services import MAX_NOTE

TRACKING_RE = re.compile(r"^[A-Za-z0-9-]{6,24}$")


def add_service_errors(form: forms.Form, exc: ReportInvalid, field_map: dict[str, str] | None = None) -> None:
    """Put a service's per-field messages on the form (unknown fields: on the whole form)."""
    field_map = field_map or {}
    for name, messages in exc.fields.items():
        target = field_map.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
    if not exc.fields:
        form.add_error(None, exc.message)


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.display_name) for c in selectors.categories_active()]


def _districts() -> list[tuple[str, str]]:
    from kotapintar.regions.selectors import city_districts

    return [(d.code, d.name) for d in city_districts()]


def _active_agencies():
    return Agency.objects.filter(is_active=True).order_by("name")


class _Textarea(forms.Textarea):
    def __init__(self, rows: int = 3, **attrs: Any):
        super().__init__(attrs={"rows": rows, "maxlength": MAX_NOTE, **attrs})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input (the service checks their content, size and number)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# --- filters (GET) ---------------------------------------------------------------------------------


class _FilterForm(Form):
    """A list's filters: every field optional; an invalid value is ignored, not an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("Kecamatan"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("Tracking number or words")})
        self.fields["category"].choices = [("", _("All categories")), *_categories()]
        self.fields["district"].choices = [("", _("All kecamatan")), *_districts()]

    def filters(self) -> dict[str, Any]:
        """The selector filters of the valid fields (invalid ones are dropped)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        found: dict[str, Any] = {}
        for name in ("q", "category", "district", "created_from", "created_to"):
            if data.get(name):
                found[name] = data[name]
        if data.get("overdue"):
            found["overdue"] = True
        return found

    def value(self, name: str, default: str = "") -> Any:
        """The cleaned value of one field (the default when absent or invalid)."""
        if not self.is_bound:
            return default
        self.is_valid()
        return self.cleaned_data.get(name) or default


class TriageFilterForm(_FilterForm):
    status = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[
            ("", _("All waiting")),
            (Status.SUBMITTED, _("Awaiting verification")),
            (Status.VERIFIED, _("Verified, not yet routed")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("due", _("Deadline first")), ("oldest", _("Oldest first")), ("newest", _("Newest first"))],
    )

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        if self.value("status"):
            found["status"] = self.value("status")
        return found


INBOX_STATUS_CHOICES = [
    ("", _("Open (routed or being handled)")),
    (Status.DISPOSITIONED, _("Routed, no follow-up yet")),
    (Status.IN_PROGRESS, _("Being handled")),
    (Status.RESOLVED, _("Resolved")),
    (Status.CLOSED, _("Closed")),
    ("all", _("All")),
]


class _DateRangeMixin(forms.Form):
    created_from = forms.DateField(
        label=_("Filed from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    created_to = forms.DateField(
        label=_("Filed until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class InboxFilterForm(_DateRangeMixin, _FilterForm):
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=INBOX_STATUS_CHOICES)
    assigned = forms.ChoiceField(
        label=_("Officer"),
        required=False,
        choices=[("", _("Everybody")), ("me", _("Assigned to me")), ("none", _("Not assigned yet"))],
    )
    escalated = forms.BooleanField(label=_("Escalated to the agency head"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("due", _("Deadline first")),
            ("updated", _("Recently changed")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
        ],
    )
    field_order = [
        "agency",
        "q",
        "status",
        "category",
        "district",
        "assigned",
        "created_from",
        "created_to",
        "overdue",
        "escalated",
        "sort",
    ]

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a.code, a.name) for a in agencies]
        if len(agencies) <= 1:
            self.fields["agency"].widget = forms.HiddenInput()


class OverviewFilterForm(_DateRangeMixin, _FilterForm):
    status = forms.ChoiceField(label=_("Status"), required=False)
    agency = forms.ChoiceField(label=_("Responsible agency"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")), ("updated", _("Recently changed"))],
    )
    field_order = ["q", "status", "agency", "category", "district", "created_from", "created_to", "overdue", "sort"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *list(Status.choices)]
        self.fields["agency"].choices = [("", _("All agencies"))] + [(a.code, a.name) for a in _active_agencies()]

    def filters(self) -> dict[str, Any]:
        found = super().filters()
        if self.value("status"):
            found["status"] = self.value("status")
        return found


# --- the desk's actions ---------------------------------------------------------------------------


class _CategoryChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.display_name


def _category_field(label, *, required: bool, help_text="") -> _CategoryChoice:
    return _CategoryChoice(
        queryset=Category.objects.filter(is_active=True).order_by("order", "name"),
        to_field_name="code",
        label=label,
        required=required,
        help_text=help_text,
        empty_label=_("— keep the current category —") if not required else _("— choose —"),
    )


class VerifyForm(Form):
    prefix = "verify"
    category = _category_field(_("Correct the category (optional)"), required=False)
    note = forms.CharField(label=_("Note to the reporter (optional, public)"), required=False, widget=_Textarea(2))


class SetAsideForm(Form):
    prefix = "aside"
    reason = forms.ChoiceField(label=_("Reason"), choices=SetAsideReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Explanation for the reporter"),
        required=False,
        widget=_Textarea(3),
        help_text=_("Say where the reporter can turn instead, or what is missing."),
    )


class RecategoriseForm(Form):
    prefix = "category"
    category = _category_field(_("New category"), required=True)
    note = forms.CharField(label=_("Note (optional, public)"), required=False, widget=_Textarea(2))


class _AgencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class _AgencyMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.name


class DispositionForm(Form):
    prefix = "route"
    agency = _AgencyChoice(
        queryset=_active_agencies(),
        to_field_name="code",
        label=_("Responsible agency"),
        empty_label=_("— choose —"),
        help_text=_("Preselected from the category and the location."),
    )
    others = _AgencyMultipleChoice(
        queryset=_active_agencies(),
        to_field_name="code",
        label=_("Supporting agencies (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Instruction for the agency (public)"), required=False, widget=_Textarea(2))

    def __init__(self, *args: Any, adding: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _active_agencies()
        self.fields["others"].queryset = _active_agencies()
        if adding:
            # The report is already with an agency: the form adds supporting agencies.
            self.fields["agency"].label = _("Add an agency")
            self.fields["agency"].help_text = ""

    def agencies(self) -> list[Agency]:
        chosen = [self.cleaned_data["agency"], *self.cleaned_data.get("others", [])]
        return list(dict.fromkeys(chosen))


class MergeForm(Form):
    """Merge one report (the duplicate) into another (the original); one of them is the
    report of the page."""

    prefix = "merge"
    duplicate = forms.CharField(widget=forms.HiddenInput, max_length=24)
    original = forms.CharField(
        label=_("Tracking number of the original report"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    note = forms.CharField(label=_("Note (optional, public)"), required=False, widget=_Textarea(2))

    def clean_original(self) -> str:
        value = self.cleaned_data["original"].strip().upper()
        if not TRACKING_RE.match(value):
            raise forms.ValidationError(_("Enter a tracking number such as LPR-26-7K3QX9."))
        return value


class PrivacyForm(Form):
    prefix = "privacy"
    privacy = forms.ChoiceField(
        label=_("Who may see the report"),
        widget=forms.RadioSelect,
        choices=[
            ("public", _("Public")),
            ("anonymous", _("Public, reporter hidden (anonymous)")),
            ("confidential", _("Not public (confidential)")),
        ],
    )


# --- shared and agency actions ------------------------------------------------------------------


class RequestInfoForm(Form):
    prefix = "ask"
    text = forms.CharField(
        label=_("Question for the reporter"),
        widget=_Textarea(3),
        help_text=_("The reporter is told and answers on their report page."),
    )


class NoteForm(Form):
    prefix = "note"
    text = forms.CharField(
        label=_("Internal note"),
        widget=_Textarea(3),
        help_text=_("Staff only: never shown to the reporter or the public."),
    )


class AssignForm(Form):
    prefix = "assign"
    officer = forms.ModelChoiceField(queryset=None, label=_("Officer"), empty_label=_("— choose —"))

    def __init__(self, *args: Any, officers=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["officer"].queryset = officers if officers is not None else get_user_model().objects.none()


class _PhotosMixin(forms.Form):
    photos_before = MultiplePhotoField(
        label=_("Photos before (optional)"),
        help_text=_("JPEG, PNG or WebP, at most 10 MB each; at most %(n)d photos in all.") % {"n": MAX_PHOTOS},
    )
    photos_after = MultiplePhotoField(label=_("Photos after (optional)"))

    def photo_items(self) -> list[tuple[Any, str]]:
        return [(f, "before") for f in self.cleaned_data.get("photos_before") or []] + [
            (f, "after") for f in self.cleaned_data.get("photos_after") or []
        ]


class FollowUpForm(_PhotosMixin, Form):
    prefix = "followup"
    text = forms.CharField(
        label=_("Follow-up (public)"),
        widget=_Textarea(4),
        help_text=_("What the agency did or will do. The reporter and the public read it."),
    )
    field_order = ["text", "photos_before", "photos_after"]


class ResolveForm(_PhotosMixin, Form):
    prefix = "resolve"
    text = forms.CharField(
        label=_("How the problem was resolved (public)"),
        widget=_Textarea(4),
        help_text=_("Required. The reporter may confirm, rate, or reopen the report."),
    )
    field_order = ["text", "photos_before", "photos_after"]


class RerouteForm(Form):
    prefix = "reroute"
    to_agency = _AgencyChoice(
        queryset=_active_agencies(), to_field_name="code", label=_("Hand over to"), empty_label=_("— choose —")
    )
    reason = forms.CharField(
        label=_("Reason (public)"),
        widget=_Textarea(3),
        help_text=_("Why this agency is not the right one; the reporter reads it."),
    )

    def __init__(self, *args: Any, exclude_ids=(), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = _active_agencies().exclude(pk__in=list(exclude_ids))


class RevealForm(Form):
    prefix = "reveal"
    reason = forms.CharField(
        label=_("Why do you need to see the reporter?"),
        max_length=300,
        help_text=_("Your name, the time and this reason are recorded in the audit log."),
    )


# --- bulk actions --------------------------------------------------------------------------------


class TrackingNumbersField(forms.Field):
    """The tracking numbers of the ticked rows (checkboxes of the list, outside the form)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Tick at least one report in the list.")}

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        numbers = [str(v).strip().upper() for v in values]
        return [n for n in dict.fromkeys(numbers) if TRACKING_RE.match(n)]


class BulkForm(Form):
    """One action on the ticked reports of a list (each through its own service call)."""

    prefix = "bulk"
    action = forms.ChoiceField(label=_("Action for the selected reports"))
    reports = TrackingNumbersField()
    officer = forms.ModelChoiceField(
        queryset=None, label=_("Officer"), required=False, empty_label=_("— choose an officer —")
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False, choices=[("", _("— choose a reason —"))])
    text = forms.CharField(label=_("Text (public)"), required=False, widget=_Textarea(2))

    ACTION_LABELS = {
        "assign": _("Assign to an officer"),
        "follow_up": _("Post the same follow-up"),
        "resolve": _("Resolve with the same note"),
        "verify": _("Verify"),
        "disposition": _("Route to the default agency"),
        "set_aside": _("Set aside with a reason"),
    }

    def __init__(self, *args: Any, actions: list[str], officers=None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["action"].choices = [("", _("— choose an action —"))] + [
            (a, self.ACTION_LABELS[a]) for a in actions
        ]
        self.fields["officer"].queryset = officers if officers is not None else get_user_model().objects.none()
        if officers is None:
            del self.fields["officer"]
        if "set_aside" in actions:
            self.fields["reason"].choices += list(SetAsideReason.choices)
        else:
            del self.fields["reason"]
        if not ({"follow_up", "resolve"} & set(actions)):
            del self.fields["text"]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("officer"):
            self.add_error("officer", _("Choose the officer."))
        if action in ("follow_up", "resolve") and not (data.get("text") or "").strip():
            self.add_error("text", _("Write the text that every selected report gets."))
        if action == "set_aside" and not data.get("reason"):
            self.add_error("reason", _("Choose a reason."))
        return data

    def params(self) -> dict[str, Any]:
        action = self.cleaned_data["action"]
        if action == "assign":
            return {"officer": self.cleaned_data["officer"]}
        if action in ("follow_up", "resolve"):
            return {"text": self.cleaned_data["text"]}
        if action == "set_aside":
            return {"reason": self.cleaned_data["reason"]}
        return {}
