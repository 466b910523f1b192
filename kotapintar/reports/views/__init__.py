"""Web pages of Lapor: resident.py (filing, "Laporan Saya", tracking); staff and public pages
live in their own modules of this package."""
