from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import CityBoundariesView, LocateView, RegionViewSet

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")

urlpatterns = [
    path("regions/locate/", LocateView.as_view(), name="region-locate"),
    path("regions/city/boundaries.geojson", CityBoundariesView.as_view(), name="region-city-boundaries"),
    *router.urls,
]
