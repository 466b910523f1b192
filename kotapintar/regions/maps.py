"""Options for the reusable map component (templates/components/map.html + static/js/map.js).

    from kotapintar.regions.maps import map_config, geojson_layer, city_map
    context["map"] = map_config(map_id="report-map", label=_("Reports on the map"),
                                layers=[...], markers=[{"lat": ..., "lng": ..., "label": ...}])
    {% include "components/map.html" with map=map %}

Tiles come from settings.MAP_TILE_URL (empty: no base map); the page stays usable when
tiles do not load: boundaries, markers and the legend still show, and a notice says so.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from kotapintar.core import geo

from . import selectors

DISTRICT_STYLE = {"color": "#0b4f8a", "weight": 2.5, "fillColor": "#0b4f8a", "fillOpacity": 0.06}
VILLAGE_STYLE = {"color": "#b8590b", "weight": 1, "dashArray": "4 3", "fillOpacity": 0}


def geojson_layer(
    *, layer_id: str, label: str, url: str, style: dict, visible: bool = True, show_at_zoom=None, fit=False
) -> dict:
    return {
        "id": layer_id,
        "label": str(label),
        "url": url,
        "style": style,
        "visible": visible,
        "showAtZoom": show_at_zoom,
        "fit": fit,
    }


def map_config(
    *,
    map_id: str,
    label: str,
    layers: list[dict] | None = None,
    markers: list[dict] | None = None,
    legend: list[dict] | None = None,
    notice: str = "",
    height: str = "28rem",
    bounds=None,
) -> dict:
    """Everything map.html needs. `legend` items: {"label", "color", "dash": bool}."""
    if bounds is None:
        city_bounds = geo.city_bounds()
        if city_bounds:
            bounds = [[city_bounds.min_lat, city_bounds.min_lng], [city_bounds.max_lat, city_bounds.max_lng]]
    tiles = None
    if settings.MAP_TILE_URL:
        tiles = {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}
    return {
        "id": map_id,
        "options_id": f"{map_id}-options",
        "label": str(label),
        "height": height,
        "legend": legend or [],
        "notice": notice,
        "texts": {
            "loading": _(
                "The interactive map is loading. If it does not appear, the information next to the map "
                "shows the same areas."
            ),
            "legend": _("Map legend"),
        },
        "options": {
            "tiles": tiles,
            "bounds": bounds,
            "center": [-6.99, 110.42] if bounds is None else None,
            "zoom": 12,
            "layers": layers or [],
            # Decimal model fields would reach the browser as strings: send numbers.
            "markers": [{**m, "lat": float(m["lat"]), "lng": float(m["lng"])} for m in markers or []],
            "messages": {
                "tilesFailed": _(
                    "The base map could not be loaded; area boundaries and markers are still shown, "
                    "and the lists on this page have the same information."
                ),
                "layerFailed": _("Some map data could not be loaded. Reload the page to try again."),
                "noData": _("No area boundaries are loaded for this city yet."),
            },
        },
    }


def approximate_notice() -> str:
    return _("Approximate area boundaries (demo), not official boundaries")


def city_map(*, map_id: str = "city-map", with_villages: bool = True, height: str = "28rem") -> dict:
    """The city's kecamatan (and kelurahan, shown when zoomed in or toggled) with legend."""
    status = selectors.city_boundary_status()
    url = reverse("region-city-boundaries")
    layers, legend = [], []
    if status["districts"]:
        layers.append(
            geojson_layer(
                layer_id="districts", label=_("Kecamatan"), url=f"{url}?level=district", style=DISTRICT_STYLE, fit=True
            )
        )
        legend.append({"label": _("Kecamatan boundary"), "color": DISTRICT_STYLE["color"], "dash": False})
    if with_villages and status["villages"]:
        layers.append(
            geojson_layer(
                layer_id="villages",
                label=_("Kelurahan"),
                url=f"{url}?level=village",
                style=VILLAGE_STYLE,
                visible=not status["districts"],
                show_at_zoom=14 if status["districts"] else None,
                fit=not status["districts"],
            )
        )
        legend.append({"label": _("Kelurahan boundary"), "color": VILLAGE_STYLE["color"], "dash": True})
    notice = ""
    if status["approximate"]:
        notice = approximate_notice()
    elif not status["any"]:
        notice = _(
            "No area boundaries are loaded for this city yet; an administrator can import the official ones "
            "with manage.py import_boundaries."
        )
    return map_config(
        map_id=map_id,
        label=_("Map of the city's areas"),
        layers=layers,
        legend=legend,
        notice=notice,
        height=height,
    ) | {"approximate": status["approximate"], "has_boundaries": status["any"]}
