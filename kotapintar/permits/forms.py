"""Forms of the permit pages. Services do the checking that matters; forms shape the input."""

from __future__ import annotations

import uuid

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotapintar.core.forms import Form

from . import uploads
from .fields import CommaDecimalField
from .models import Application, PermitType, Recommendation
from .services import draft_form_class


def new_client_key() -> str:
    return uuid.uuid4().hex


def document_help(requirement) -> str:
    kinds = ", ".join(uploads.KIND_LABELS.get(k, k.upper()) for k in requirement.kinds)
    text = _("%(kinds)s, at most %(size)s.") % {"kinds": kinds, "size": filesizeformat(requirement.max_bytes)}
    if requirement.help_text:
        text = f"{requirement.help_text} {text}"
    return text


def _accept(requirement) -> str:
    mapping = {"pdf": "application/pdf,.pdf", "jpeg": "image/jpeg,.jpg,.jpeg", "png": "image/png,.png"}
    return ",".join(mapping[k] for k in requirement.kinds if k in mapping)


def application_form(
    permit_type: PermitType,
    *,
    application: Application | None = None,
    data=None,
    files=None,
    client_key: str = "",
    current: dict | None = None,
    missing: list[str] | None = None,
):
    """The application form: holder, the type's questions, one file input per required document.

    Nothing is required here (a draft may be half done); submission checks completeness in
    the service and its errors are put back on these fields.
    """
    base = draft_form_class(permit_type, draft=True)
    attrs: dict = {"client_key": forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)}
    current = current or {}
    missing = missing or []
    for requirement in permit_type.documents.all():
        help_text = document_help(requirement)
        uploaded = current.get(requirement.pk)
        if uploaded is not None:
            help_text += " " + _("Uploaded: %(name)s. Choose a file only to replace it.") % {
                "name": uploaded.original_name
            }
        if requirement.key in missing:
            help_text = _("The office asked for a new version of this document.") + " " + help_text
        attrs[f"doc_{requirement.key}"] = forms.FileField(
            label=requirement.label + ("" if requirement.mandatory else " " + _("(optional)")),
            required=False,
            help_text=help_text,
            widget=forms.ClearableFileInput(attrs={"accept": _accept(requirement)}),
        )
    form_class = type("ApplicationForm", (base,), attrs)
    initial = {"client_key": client_key}
    if application is not None:
        initial["holder_name"] = application.holder_name
        initial["holder_address"] = application.holder_address
        from .fields import to_form_value

        for f in permit_type.fields.all():
            stored = application.data.get(f.key)
            if stored is not None:
                initial[f"f_{f.key}"] = stored if f.kind == "boolean" else to_form_value(f, stored)
    form = form_class(data=data, files=files, initial=initial)
    form.document_fields = [form[f"doc_{r.key}"] for r in permit_type.documents.all()]
    form.answer_fields = [form[name] for name in form.fields if name.startswith("f_") or name.startswith("holder_")]
    return form


class NoteForm(Form):
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(Form):
    missing_documents = forms.MultipleChoiceField(
        label=gettext_lazy("Documents to upload again"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=gettext_lazy("What is missing or wrong (the applicant reads this)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, permit_type: PermitType, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing_documents"].choices = [(d.key, d.label) for d in permit_type.documents.all()]  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean() or {}
        if not cleaned.get("missing_documents") and not (cleaned.get("note") or "").strip():
            raise forms.ValidationError(_("Say what is missing: tick the documents or write a note for the applicant."))
        return cleaned


class ReviewForm(Form):
    recommendation = forms.ChoiceField(
        label=gettext_lazy("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Review note (required when recommending rejection)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    survey_report = forms.FileField(
        label=gettext_lazy("Site-survey report (optional)"),
        required=False,
        help_text=gettext_lazy("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("recommendation") == Recommendation.REJECT and not (cleaned.get("note") or "").strip():
            self.add_error("note", _("Give the reasons for recommending rejection."))
        return cleaned


class FeeForm(Form):
    amount = CommaDecimalField(
        label=gettext_lazy("Fee (Rp)"),
        max_digits=16,
        decimal_places=0,
        min_value=0,
        help_text=gettext_lazy("Computed from the permit type's rule. Change it only with a reason."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for changing the amount"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, computed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.computed = computed

    def clean(self):
        cleaned = super().clean() or {}
        amount = cleaned.get("amount")
        if (
            self.computed is not None
            and amount is not None
            and amount != self.computed
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("The amount differs from the computed fee: give the reason."))
        return cleaned


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reasons (required to reject; the applicant reads them)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reasons for the rejection."))
        return cleaned


class ManualPaymentForm(Form):
    amount = CommaDecimalField(label=gettext_lazy("Amount received (Rp)"), max_digits=16, decimal_places=2, min_value=0)
    reference = forms.CharField(
        label=gettext_lazy("Payment reference (bank receipt, transaction number)"), max_length=100
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class RevokeForm(Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the revocation (shown on the public verification page)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    effective_on = forms.DateField(
        label=gettext_lazy("Revoked from"),
        required=False,
        help_text=gettext_lazy("Empty: today."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class WithdrawForm(Form):
    reason = forms.CharField(label=gettext_lazy("Reason (optional)"), required=False, max_length=500)
