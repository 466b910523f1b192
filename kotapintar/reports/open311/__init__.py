"""Open311 GeoReport v2 server over the city's report categories and public reports.

Mounted at /open311/v2/ (kotapintar/urls.py). The contract and every decision taken where
the specification is silent are in docs/open311.md.
"""
