"""Private fixtures of the regions tests: a small, valid set of the four area files."""

from __future__ import annotations

import pytest

FILES = {
    "provinces.csv": "code,name\n33,Jawa Tengah\n34,Daerah Istimewa Yogyakarta\n",
    "regencies.csv": "code,province_code,name\n33.74,33,Kota Semarang\n34.71,34,Kota Yogyakarta\n",
    "districts.csv": (
        "code,regency_code,name\n"
        "33.74.01,33.74,Semarang Tengah\n"
        "33.74.02,33.74,Semarang Utara\n"
        "34.71.01,34.71,Mantrijeron\n"
    ),
    "villages.csv": (
        "code,district_code,name\n"
        "33.74.01.1001,33.74.01,Miroto\n"
        "33.74.01.1002,33.74.01,Brumbungan\n"
        "33.74.02.1001,33.74.02,Bulu Lor\n"
        '34.71.01.1001,34.71.01,"Gedongkiwo, Lor"\n'
    ),
}
ROWS = 2 + 2 + 3 + 4


@pytest.fixture
def source_dir(tmp_path):
    """A folder with the four small, valid CSV files; `write(name, text)` replaces one."""
    folder = tmp_path / "wilayah"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write(folder, name: str, text: str | bytes) -> None:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
