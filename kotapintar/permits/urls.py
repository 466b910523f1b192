"""Pages of the permits app, mounted at /perizinan/ (the public verification page is /verify/<code>/)."""

from django.urls import path

from . import views

app_name = "permits"
urlpatterns = [
    path("", views.index, name="index"),
    path("jenis/<str:code>/", views.type_detail, name="type_detail"),
    path("ajukan/<str:code>/", views.apply, name="apply"),
    path("permohonan/", views.my_applications, name="my_applications"),
    path("permohonan/<int:pk>/", views.application_detail, name="application_detail"),
    path("permohonan/<int:pk>/ubah/", views.application_edit, name="application_edit"),
    path("permohonan/<int:pk>/tarik/", views.application_withdraw, name="application_withdraw"),
    path("permohonan/<int:pk>/skrd.pdf", views.skrd_pdf, name="skrd_pdf"),
    path("permohonan/<int:pk>/bayar/", views.pay, name="pay"),
    path("dokumen/<int:pk>/", views.document_download, name="document_download"),
    path("izin/<int:pk>/", views.permit_detail, name="permit_detail"),
    path("izin/<int:pk>/unduh/", views.permit_pdf, name="permit_pdf"),
    path("izin/<int:pk>/<str:kind>/", views.follow_up, name="follow_up"),
    path("staf/", views.staff_queue, name="staff_queue"),
    path("staf/permohonan/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staf/permohonan/<int:pk>/<str:action>/", views.staff_action, name="staff_action"),
    path("staf/izin/", views.staff_permits, name="staff_permits"),
    path("staf/izin/<int:pk>/", views.staff_permit_detail, name="staff_permit_detail"),
]
