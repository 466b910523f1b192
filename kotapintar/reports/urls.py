"""Web pages of Lapor, mounted at /lapor/ (namespace "reports").

Residents (views/resident.py):

| path                                 | name                      |
|--------------------------------------|---------------------------|
| (empty)                              | reports:create            |
| terkirim/<tracking_number>/          | reports:submitted         |
| saya/                                | reports:mine              |
| saya/<tracking_number>/              | reports:detail            |
| saya/<tracking_number>/<action>/     | reports:act (POST)        |
| lacak/                               | reports:lookup            |
| lacak/<tracking_number>/?token=…     | reports:track             |
| lacak/<tracking_number>/<action>/    | reports:track_act (POST)  |
| dukung/<tracking_number>/            | reports:support (POST)    |
| bantu/lokasi|kategori|serupa|pertanyaan/ | reports:assist_* (htmx) |

Other pages (staff, public) add their routes below.
"""

from django.urls import include, path

from .views import resident

app_name = "reports"

urlpatterns = [
    path("", resident.create, name="create"),
    path("terkirim/<str:tracking_number>/", resident.submitted, name="submitted"),
    path("saya/", resident.mine, name="mine"),
    path("saya/<str:tracking_number>/", resident.detail, name="detail"),
    path("saya/<str:tracking_number>/<slug:action>/", resident.act, name="act"),
    path("lacak/", resident.lookup, name="lookup"),
    path("lacak/<str:tracking_number>/", resident.track, name="track"),
    path("lacak/<str:tracking_number>/<slug:action>/", resident.track_act, name="track_act"),
    path("dukung/<str:tracking_number>/", resident.support, name="support"),
    path("bantu/lokasi/", resident.assist_locate, name="assist_locate"),
    path("bantu/kategori/", resident.assist_suggest, name="assist_suggest"),
    path("bantu/serupa/", resident.assist_similar, name="assist_similar"),
    path("bantu/pertanyaan/", resident.assist_questions, name="assist_questions"),
    path("", include("kotapintar.reports.urls_public")),  # publik/, publik/<tracking>/, statistik/
    path("", include("kotapintar.reports.urls_staff")),  # staf/… (verifier desk, agency inbox, overview)
]
