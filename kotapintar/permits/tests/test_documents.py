import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kotapintar.permits import qr
from kotapintar.permits.documents import (
    FeeLine,
    Official,
    PermitDocumentData,
    SkrdData,
    render_permit_pdf,
    render_skrd_pdf,
)
from kotapintar.permits.tests.pdfparse import qr_matrix, streams, text_lines
from kotapintar.permits.tests.qrdecode import decode_matrix
from kotapintar.permits.verification import check_token

OFFICIAL = Official(
    name="Dr. Ir. Bambang Sutrisno, M.T.",
    position="Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Semarang",
    nip="19700101 199503 1 002",
)


@pytest.fixture
def permit(claims) -> PermitDocumentData:
    return PermitDocumentData(
        city_name="Kota Semarang",
        agency_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        agency_address="Jl. Pemuda No. 148, Sekayu, Semarang Tengah, Kota Semarang 50132",
        title="Izin Penyelenggaraan Reklame",
        number=claims.number,
        holder_name=claims.holder,
        holder_address="Jl. Gajahmada No. 7, Kembangsari, Semarang Tengah",
        permit_type="Izin Reklame Permanen",
        object_fields=[("Lokasi", "Jl. Pemuda No. 12, Kel. Sekayu (depan (eks) Hotel Dibya)"), ("Ukuran", "4 x 6 m")],
        valid_from=claims.valid_from,
        valid_until=claims.valid_until,
        issued_place="Semarang",
        issued_on=claims.issued_on,
        official=OFFICIAL,
        verify_url=qr.verify_url(qr.make_token(claims)),
        conditions=["Reklame wajib dipelihara agar tetap aman dan bersih."],
    )


def _is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF") and b"/Type /Page" in data


def test_permit_pdf_shows_number_holder_type_object_validity_and_signer_in_indonesian(permit):
    pdf = render_permit_pdf(permit)
    assert _is_pdf(pdf)
    lines = text_lines(pdf)
    text = "\n".join(lines)
    assert "PEMERINTAH KOTA SEMARANG" in lines
    assert "IZIN PENYELENGGARAAN REKLAME" in lines
    assert "Nomor: 503/0042/DPMPTSP/XI/2026" in lines
    assert "CV Maju Jaya Abadi" in lines
    assert "Izin Reklame Permanen" in lines
    assert "Jl. Pemuda No. 12, Kel. Sekayu (depan (eks) Hotel Dibya)" in lines  # parentheses survive escaping
    assert "29 November 2026 s.d. 28 November 2027" in lines
    assert "Masa berlaku" in lines and "Pemegang izin" in lines
    assert "Ditetapkan di Semarang" in lines and "pada tanggal 29 November 2026" in lines
    assert "ditandatangani secara elektronik" in lines
    assert "Dr. Ir. Bambang Sutrisno, M.T." in lines and "NIP 19700101 199503 1 002" in lines
    assert "izin.semarangkota.go.id" in text  # where the QR leads, for those who cannot scan


def test_permit_pdf_is_indonesian_even_when_the_user_reads_english(permit):
    with translation.override("en"):
        lines = text_lines(render_permit_pdf(permit))
        assert translation.get_language() == "en"
    assert "Masa berlaku" in lines
    assert "Valid" not in lines


def test_permit_without_end_date_says_so(permit):
    lines = text_lines(render_permit_pdf(dataclasses.replace(permit, valid_until=None)))
    assert "sejak 29 November 2026, tanpa batas waktu" in lines


def test_long_values_wrap_instead_of_running_off_the_page(permit):
    long_location = "Jl. Jenderal Sudirman " + "Kavling Panjang Sekali " * 12
    lines = text_lines(render_permit_pdf(dataclasses.replace(permit, object_fields=[("Lokasi", long_location)])))
    wrapped = [line for line in lines if "Kavling" in line]
    assert len(wrapped) >= 2
    assert " ".join(wrapped).split() == long_location.split()


def test_the_qr_drawn_in_the_pdf_opens_the_verify_url_of_an_authentic_token(permit, claims):
    pdf = render_permit_pdf(permit)
    url = decode_matrix(qr_matrix(pdf))
    assert url == permit.verify_url
    assert f"/URI ({url})".encode() in pdf  # the QR area is also a link in the digital PDF
    result = check_token(qr.token_from_text(url))
    assert result.authentic
    assert result.claims == claims


def test_each_permit_gets_its_own_qr(permit, claims):
    other_claims = dataclasses.replace(claims, number="503/0043/DPMPTSP/XI/2026")
    other = dataclasses.replace(
        permit, number=other_claims.number, verify_url=qr.verify_url(qr.make_token(other_claims))
    )
    assert decode_matrix(qr_matrix(render_permit_pdf(other))) == other.verify_url
    assert decode_matrix(qr_matrix(render_permit_pdf(permit))) == permit.verify_url


def test_permit_pdf_metadata_names_the_permit(permit):
    pdf = render_permit_pdf(permit)
    assert b"/Title (Izin Penyelenggaraan Reklame 503/0042/DPMPTSP/XI/2026)" in pdf
    assert len(streams(pdf)) >= 2  # page content and the QR form


@pytest.fixture
def skrd() -> SkrdData:
    return SkrdData(
        city_name="Kota Semarang",
        agency_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
        number="SKRD/0042/XI/2026",
        payer_name="CV Maju Jaya Abadi",
        payer_address="Jl. Gajahmada No. 7, Semarang",
        payer_npwrd="P.2.0001234.33.74",
        application_ref="REG-2026-000042",
        permit_type="Izin Reklame Permanen",
        lines=[
            FeeLine("Retribusi izin reklame", Decimal("1200000"), "24 m² x Rp 50.000"),
            FeeLine("Biaya pemasangan tanda", Decimal("50000.00")),
        ],
        due_date=dt.date(2026, 12, 29),
        issued_place="Semarang",
        issued_on=dt.date(2026, 11, 29),
        official=OFFICIAL,
        payment_code="3374 0042 1126",
        payment_instructions=["Bayar di Bank Jateng dengan kode bayar di atas.", "Simpan bukti bayar."],
    )


def test_skrd_shows_lines_total_in_figures_and_words_and_due_date(skrd):
    pdf = render_skrd_pdf(skrd)
    assert _is_pdf(pdf)
    lines = text_lines(pdf)
    assert skrd.total == Decimal("1250000")
    assert "SURAT KETETAPAN RETRIBUSI DAERAH" in lines
    assert "Nomor: SKRD/0042/XI/2026" in lines
    assert "CV Maju Jaya Abadi" in lines and "REG-2026-000042" in lines and "P.2.0001234.33.74" in lines
    assert "Rp 1.200.000" in lines and "Rp 50.000" in lines
    assert "Rp 1.250.000" in lines
    assert "Terbilang: satu juta dua ratus lima puluh ribu rupiah" in lines
    assert "24 m² x Rp 50.000" in lines
    assert "29 Desember 2026" in lines and "Jatuh tempo" in lines
    assert "3374 0042 1126" in lines
    assert "Bayar di Bank Jateng dengan kode bayar di atas." in lines


def test_skrd_refuses_float_amounts_and_empty_lines(skrd):
    with pytest.raises(TypeError):
        FeeLine("Retribusi", 1250000.0)
    with pytest.raises(ValueError):
        dataclasses.replace(skrd, lines=[])


def _page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ")


def test_long_conditions_continue_on_a_second_page_with_footer_and_qr_kept_whole(permit):
    conditions = [f"Ketentuan nomor {i} yang wajib dipatuhi oleh pemegang izin selama masa berlaku." for i in range(40)]
    pdf = render_permit_pdf(dataclasses.replace(permit, conditions=conditions))
    lines = text_lines(pdf)
    assert _page_count(pdf) == 2
    assert all(condition in lines for condition in conditions)
    assert "503/0042/DPMPTSP/XI/2026 (lanjutan)" in lines
    footers = [line for line in lines if line.startswith("Dokumen ini ditandatangani secara elektronik")]
    assert len(footers) == 2
    assert decode_matrix(qr_matrix(pdf)) == permit.verify_url
    assert lines.index("ditandatangani secara elektronik") > lines.index(conditions[-1])


def test_a_normal_permit_is_one_page(permit):
    assert _page_count(render_permit_pdf(permit)) == 1


def test_many_fee_lines_continue_the_table_on_the_next_page(skrd):
    lines = [FeeLine(f"Retribusi titik reklame {i}", Decimal("125000")) for i in range(1, 61)]
    pdf = render_skrd_pdf(dataclasses.replace(skrd, lines=lines))
    text = text_lines(pdf)
    assert _page_count(pdf) >= 2
    assert all(f"Retribusi titik reklame {i}" in text for i in range(1, 61))
    assert text.count("Uraian") == _page_count(pdf)  # the table header repeats on each page
    assert "Rp 7.500.000" in text
    assert "Terbilang: tujuh juta lima ratus ribu rupiah" in text
