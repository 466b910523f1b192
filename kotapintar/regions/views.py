"""Public pages of the area data: /wilayah/ (map and lists of the city's kecamatan/kelurahan)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import maps, selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    tree = selectors.city_tree()
    return render(
        request,
        "regions/index.html",
        {
            "city": selectors.city(),
            "tree": tree,
            "village_count": sum(len(entry.villages) for entry in tree),
            "map": maps.city_map(),
        },
    )
