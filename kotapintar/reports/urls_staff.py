"""Staff pages of Lapor, included by reports/urls.py (namespace "reports", under /lapor/).

| path                                   | name                         |
|----------------------------------------|------------------------------|
| staf/verifikasi/                        | reports:staff_triage         |
| staf/opd/                               | reports:staff_inbox          |
| staf/ringkasan/                         | reports:staff_overview       |
| staf/laporan/<tracking_number>/         | reports:staff_detail         |
| staf/laporan/<tracking_number>/<act>/   | reports:staff_<action> (POST)|

The staff navigation entries and staff-home cards are registered at start-up (reports.apps,
through reports/staff_integration.py).
"""

from django.urls import path

from .views import staff

_report = "staf/laporan/<str:tracking_number>/"

urlpatterns = [
    path("staf/verifikasi/", staff.triage, name="staff_triage"),
    path("staf/verifikasi/massal/", staff.triage_bulk, name="staff_triage_bulk"),
    path("staf/opd/", staff.inbox, name="staff_inbox"),
    path("staf/opd/massal/", staff.inbox_bulk, name="staff_inbox_bulk"),
    path("staf/ringkasan/", staff.overview, name="staff_overview"),
    path(_report, staff.detail, name="staff_detail"),
    path(_report + "verifikasi/", staff.act_verify, name="staff_verify"),
    path(_report + "sisihkan/", staff.act_set_aside, name="staff_set_aside"),
    path(_report + "kategori/", staff.act_recategorise, name="staff_recategorise"),
    path(_report + "disposisi/", staff.act_disposition, name="staff_disposition"),
    path(_report + "gabung/", staff.act_merge, name="staff_merge"),
    path(_report + "privasi/", staff.act_privacy, name="staff_privacy"),
    path(_report + "minta-info/", staff.act_request_info, name="staff_request_info"),
    path(_report + "catatan/", staff.act_note, name="staff_note"),
    path(_report + "tugaskan/", staff.act_assign, name="staff_assign"),
    path(_report + "tindak-lanjut/", staff.act_follow_up, name="staff_follow_up"),
    path(_report + "alihkan/", staff.act_reroute, name="staff_reroute"),
    path(_report + "selesaikan/", staff.act_resolve, name="staff_resolve"),
    path(_report + "pelapor/", staff.act_reveal_reporter, name="staff_reveal_reporter"),
]
