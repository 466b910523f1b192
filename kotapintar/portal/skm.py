"""The SKM questionnaire (Lampiran PermenPANRB 14/2017): one question per element, four answers.

The Indonesian catalogue carries the regulation's own wording of each question and of its
four answers (a = 1 … d = 4); the English msgids are faithful translations of it. The
order follows `ikm.ELEMENTS` (U1 … U9), so answer i of an element scores i.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .ikm import ELEMENTS


@dataclass(frozen=True)
class Question:
    key: str  # the element key of ikm.ELEMENTS
    code: str  # U1 … U9
    element: Promise  # the element's name
    text: Promise  # the question put to the respondent
    answers: tuple[Promise, Promise, Promise, Promise]  # scores 1, 2, 3, 4

    @property
    def choices(self) -> list[tuple[int, Promise]]:
        return [(score, answer) for score, answer in enumerate(self.answers, start=1)]


_TEXTS: dict[str, tuple[Promise, tuple[Promise, Promise, Promise, Promise]]] = {
    "requirements": (
        _("How well do the service requirements match the kind of service?"),
        (
            pgettext_lazy("skm answer", "Not appropriate"),
            pgettext_lazy("skm answer", "Less appropriate"),
            pgettext_lazy("skm answer", "Appropriate"),
            pgettext_lazy("skm answer", "Very appropriate"),
        ),
    ),
    "procedure": (
        _("How easy was the service procedure of this unit?"),
        (
            pgettext_lazy("skm answer", "Not easy"),
            pgettext_lazy("skm answer", "Less easy"),
            pgettext_lazy("skm answer", "Easy"),
            pgettext_lazy("skm answer", "Very easy"),
        ),
    ),
    "service_time": (
        _("How fast was the service delivered?"),
        (
            pgettext_lazy("skm answer", "Not fast"),
            pgettext_lazy("skm answer", "Less fast"),
            pgettext_lazy("skm answer", "Fast"),
            pgettext_lazy("skm answer", "Very fast"),
        ),
    ),
    "fee": (
        _("How fair was the cost or tariff of the service?"),
        (
            pgettext_lazy("skm answer", "Very expensive"),
            pgettext_lazy("skm answer", "Rather expensive"),
            pgettext_lazy("skm answer", "Cheap"),
            pgettext_lazy("skm answer", "Free of charge"),
        ),
    ),
    "product": (
        _("How well did the result you received match the product listed in the service standard?"),
        (
            pgettext_lazy("skm answer", "Not appropriate"),
            pgettext_lazy("skm answer", "Less appropriate"),
            pgettext_lazy("skm answer", "Appropriate"),
            pgettext_lazy("skm answer", "Very appropriate"),
        ),
    ),
    "staff_competence": (
        _("How competent were the staff who served you?"),
        (
            pgettext_lazy("skm answer", "Not competent"),
            pgettext_lazy("skm answer", "Less competent"),
            pgettext_lazy("skm answer", "Competent"),
            pgettext_lazy("skm answer", "Very competent"),
        ),
    ),
    "staff_behaviour": (
        _("How polite and friendly were the staff who served you?"),
        (
            pgettext_lazy("skm answer", "Not polite and friendly"),
            pgettext_lazy("skm answer", "Less polite and friendly"),
            pgettext_lazy("skm answer", "Polite and friendly"),
            pgettext_lazy("skm answer", "Very polite and friendly"),
        ),
    ),
    "complaints": (
        _("How were complaints, suggestions and feedback from service users handled?"),
        (
            pgettext_lazy("skm answer", "There is no way to complain"),
            pgettext_lazy("skm answer", "There is one, but it does not work"),
            pgettext_lazy("skm answer", "It works, but not fully"),
            pgettext_lazy("skm answer", "Well managed"),
        ),
    ),
    "facilities": (
        _("How good were the facilities and infrastructure?"),
        (
            pgettext_lazy("skm answer", "Poor"),
            pgettext_lazy("skm answer", "Fair"),
            pgettext_lazy("skm answer", "Good"),
            pgettext_lazy("skm answer", "Very good"),
        ),
    ),
}

QUESTIONS: tuple[Question, ...] = tuple(
    Question(key=key, code=f"U{i}", element=name, text=_TEXTS[key][0], answers=_TEXTS[key][1])
    for i, (key, name) in enumerate(ELEMENTS, start=1)
)
KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)
SUGGESTIONS_MAX_LENGTH = 2000
