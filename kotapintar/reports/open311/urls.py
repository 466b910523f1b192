"""Open311 GeoReport v2 routes, mounted at /open311/v2/ by kotapintar/urls.py.

Every resource takes a format suffix, .json or .xml. Any other address under the base
answers 404 in the specification's error shape (XML unless it ends in .json).
"""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^$", views.BaseView.as_view(), name="base"),
    re_path(r"^discovery" + FMT, views.DiscoveryView.as_view(), name="discovery"),
    re_path(r"^services" + FMT, views.ServicesView.as_view(), name="services"),
    re_path(r"^services/(?P<service_code>[^/]{1,60})" + FMT, views.ServiceDefinitionView.as_view(), name="service"),
    re_path(r"^requests" + FMT, views.RequestsView.as_view(), name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]{1,60})" + FMT, views.RequestView.as_view(), name="request"),
    re_path(r"^tokens/(?P<token>[^/]{1,100})" + FMT, views.TokenView.as_view(), name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.UpdatesView.as_view(), name="updates"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-found"),
]
