"""The report form's inlined critical CSS (reports/critical_css.py): which rules are kept."""

from __future__ import annotations

from django.test import override_settings

from kotapintar.reports.critical_css import classes_in, critical_style, subset

CSS = (
    '@charset "UTF-8";/* comment */:root{--x:1}body{margin:0}'
    ".btn{color:red}.btn-lg{font-size:2em}.card .btn{x:1}.a,.btn-sm{y:2}"
    ".collapse:not(.show){display:none}"
    "@media (min-width:576px){.col-sm-6{width:50%}.col-md-4{width:33%}}"
    "@media print{.d-print-none{display:none}}"
    "@keyframes spin{to{transform:rotate(1turn)}}"
    "@supports (position:sticky){.sticky-top{position:sticky}}"
)


def test_only_rules_for_known_classes_are_kept():
    kept = subset(CSS, {"btn", "collapse", "col-sm-6"})
    assert ":root{--x:1}" in kept and "body{margin:0}" in kept  # no class: always applies
    assert ".btn{color:red}" in kept
    assert ".btn-lg" not in kept and ".card .btn" not in kept and ".btn-sm" not in kept
    assert ".collapse:not(.show){display:none}" in kept  # classes inside :not() need not be present
    assert "@media (min-width:576px){.col-sm-6{width:50%}}" in kept
    assert "print" not in kept and "keyframes" not in kept and "sticky" not in kept
    assert "comment" not in kept and "@charset" not in kept


def test_a_selector_list_keeps_only_its_matching_selectors():
    assert subset(".a,.btn-sm{y:2}", {"btn-sm"}) == ".btn-sm{y:2}"


def test_class_names_come_from_templates_and_scripts():
    found = classes_in(['<p class="mb-0 {% if x %}is-on{% endif %}">', 'el.classList.toggle("kp-open", on)'])
    assert {"mb-0", "is-on", "kp-open"} <= found


@override_settings(DEBUG=True)
def test_the_style_element_is_built_from_static_files():
    style = str(critical_style(["reports/resident/form.html"], ["reports/resident.css"]))
    assert style.startswith("<style>") and style.endswith("</style>")
    assert ".kp-step-no{" in style  # used by the form
    assert ".kp-tracking-number" not in style  # only on the confirmation page
