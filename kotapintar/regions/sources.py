"""Reading and checking the area-code files (provinces, regencies, districts, villages CSV).

Pure parsing, no database: `read_area_files(source_dir)` returns every row of the four files,
or raises `RegionDataError` with one `Problem` (file, line, reason) for each bad row. The
import service writes nothing unless this passes. A clean read is cached per process (keyed
by each file's size and modification time), so the test fixture and repeated imports do not
parse the 91,000 rows again.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import cast

from django.db.models import Field
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kotapintar.core.errors import DomainError

from .models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SOURCE_DIR = DATA_DIR / "wilayah"
NAME_MAX_LENGTH: int = cast(Field, Region._meta.get_field("name")).max_length or 120


@dataclass(frozen=True)
class LevelSpec:
    level: int
    filename: str
    columns: tuple[str, ...]
    pattern: re.Pattern
    example: str
    label: object  # lazy translation, e.g. "district"


LEVELS: tuple[LevelSpec, ...] = (
    LevelSpec(1, "provinces.csv", ("code", "name"), re.compile(r"\d{2}"), "33", gettext_lazy("province")),
    LevelSpec(
        2,
        "regencies.csv",
        ("code", "province_code", "name"),
        re.compile(r"\d{2}\.\d{2}"),
        "33.74",
        gettext_lazy("regency/city"),
    ),
    LevelSpec(
        3,
        "districts.csv",
        ("code", "regency_code", "name"),
        re.compile(r"\d{2}\.\d{2}\.\d{2}"),
        "33.74.01",
        gettext_lazy("district"),
    ),
    LevelSpec(
        4,
        "villages.csv",
        ("code", "district_code", "name"),
        re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
        "33.74.01.1001",
        gettext_lazy("village"),
    ),
)
LEVEL_BY_NUMBER = {spec.level: spec for spec in LEVELS}
CODE_PATTERN = re.compile(r"\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?")


def level_of_code(code: str) -> int | None:
    """The level a well-formed code belongs to (1..4), or None."""
    for spec in LEVELS:
        if spec.pattern.fullmatch(code):
            return spec.level
    return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, at a line (CSV) or a feature (GeoJSON)."""

    file: str
    line: int | None
    reason: str
    where: str = ""  # used instead of the line number when given (e.g. "features[3]")

    def __str__(self) -> str:
        if self.where:
            return f"{self.file}: {self.where}: {self.reason}"
        if self.line:
            return f"{self.file}:{self.line}: {self.reason}"
        return f"{self.file}: {self.reason}"


class RegionDataError(DomainError):
    """The area data given to an import is not usable; nothing was changed."""

    status_code = 400
    code = "invalid_region_data"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            _("The data has %(count)d problem(s); nothing was changed. Fix them and run the import again.")
            % {"count": len(problems)}
        )


# An area row: (code, level, parent code or "", name). Tuples keep 91,000 rows light.
AreaRow = tuple[str, int, str, str]


@dataclass(frozen=True)
class AreaSource:
    """Every row of the four files, in level order (provinces first), checked."""

    directory: Path
    rows: tuple[AreaRow, ...]

    @cached_property
    def by_code(self) -> dict[str, AreaRow]:
        return {row[0]: row for row in self.rows}

    @cached_property
    def by_province(self) -> dict[str, list[AreaRow]]:
        """Rows below each province (regencies, districts, villages), in file order."""
        groups: dict[str, list[AreaRow]] = {}
        for row in self.rows:
            if row[1] > 1:
                groups.setdefault(row[0][:2], []).append(row)
        return groups

    def counts(self) -> dict[int, int]:
        counts = dict.fromkeys(LEVEL_BY_NUMBER, 0)
        for row in self.rows:
            counts[row[1]] += 1
        return counts


_cache: dict[str, tuple[tuple, AreaSource]] = {}
_cache_lock = threading.Lock()


def _signature(directory: Path) -> tuple:
    sig = []
    for spec in LEVELS:
        try:
            st = (directory / spec.filename).stat()
        except OSError:
            return ()
        sig.append((st.st_size, st.st_mtime_ns))
    return tuple(sig)


def read_area_files(source_dir: Path | str | None = None) -> AreaSource:
    """Read and check the four files; raise RegionDataError listing every problem."""
    directory = Path(source_dir) if source_dir else DEFAULT_SOURCE_DIR
    key = str(directory.resolve())
    signature = _signature(directory)
    with _cache_lock:
        cached = _cache.get(key)
    if signature and cached and cached[0] == signature:
        return cached[1]
    source = _read(directory)
    if signature:
        with _cache_lock:
            _cache[key] = (signature, source)
    return source


# Control characters, invisible format characters and the replacement character.
_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufffd]")


def _has_control_chars(text: str) -> bool:
    return _BAD_CHARS.search(text) is not None


def _decode(path: Path, raw: bytes, problems: list[Problem]) -> tuple[str, set[int]]:
    """The file's text, and the line numbers that are not valid UTF-8 (reported here)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), set()
    except UnicodeDecodeError:
        pass
    bad: set[int] = set()
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.add(number)
            problems.append(
                Problem(
                    str(path),
                    number,
                    _("the text is not valid UTF-8 (byte 0x%(byte)02X); save the file with UTF-8 encoding")
                    % {"byte": line[exc.start]},
                )
            )
    return raw.decode("utf-8", errors="replace"), bad


def _read(directory: Path) -> AreaSource:
    problems: list[Problem] = []
    rows: list[AreaRow] = []
    # code -> (file, line) per level, to find duplicates and missing parents
    seen: dict[int, dict[str, int]] = {}
    unreadable_levels: set[int] = set()
    pending_parents: list[tuple[str, int, int, str, str]] = []  # file, line, level, code, parent

    for spec in LEVELS:
        path = directory / spec.filename
        file = str(path)
        codes: dict[str, int] = {}
        seen[spec.level] = codes
        if not path.is_file():
            problems.append(Problem(file, None, _("the file is missing")))
            unreadable_levels.add(spec.level)
            continue
        text, bad_lines = _decode(path, path.read_bytes(), problems)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            problems.append(Problem(file, 1, _("malformed CSV: %(error)s") % {"error": exc}))
            unreadable_levels.add(spec.level)
            continue
        if header is None:
            problems.append(
                Problem(
                    file,
                    None,
                    _('the file is empty; expected the header "%(columns)s"') % {"columns": ",".join(spec.columns)},
                )
            )
            unreadable_levels.add(spec.level)
            continue
        if tuple(h.strip().lower() for h in header) != spec.columns:
            problems.append(
                Problem(
                    file,
                    1,
                    _('wrong header: expected "%(expected)s", found "%(found)s"')
                    % {"expected": ",".join(spec.columns), "found": ",".join(header)},
                )
            )
            unreadable_levels.add(spec.level)
            continue
        ncols = len(spec.columns)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.append(Problem(file, reader.line_num, _("malformed CSV: %(error)s") % {"error": exc}))
                break
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if line in bad_lines:
                continue  # already reported as an encoding problem
            if len(row) != ncols:
                problems.append(
                    Problem(
                        file,
                        line,
                        _("expected %(expected)d columns (%(columns)s), found %(found)d")
                        % {"expected": ncols, "columns": ",".join(spec.columns), "found": len(row)},
                    )
                )
                continue
            code = row[0].strip()
            name = row[-1].strip()
            parent = row[1].strip() if ncols == 3 else ""
            ok = True
            if not spec.pattern.fullmatch(code):
                problems.append(
                    Problem(
                        file,
                        line,
                        _('"%(code)s" is not a valid %(level)s code (expected the form %(example)s)')
                        % {"code": code, "level": spec.label, "example": spec.example},
                    )
                )
                ok = False
            elif spec.level > 1 and code.rpartition(".")[0] != parent:
                parent_spec = LEVEL_BY_NUMBER[spec.level - 1]
                problems.append(
                    Problem(
                        file,
                        line,
                        _('code %(code)s does not belong to %(parent_level)s "%(parent)s" (expected %(expected)s)')
                        % {
                            "code": code,
                            "parent_level": parent_spec.label,
                            "parent": parent,
                            "expected": code.rpartition(".")[0],
                        },
                    )
                )
                ok = False
            if not name:
                problems.append(Problem(file, line, _("the name is empty")))
                ok = False
            elif len(name) > NAME_MAX_LENGTH:
                problems.append(
                    Problem(
                        file,
                        line,
                        _("the name is %(length)d characters long; at most %(max)d are allowed")
                        % {"length": len(name), "max": NAME_MAX_LENGTH},
                    )
                )
                ok = False
            elif _has_control_chars(name):
                problems.append(Problem(file, line, _("the name contains control or invalid characters")))
                ok = False
            if ok and code in codes:
                problems.append(
                    Problem(
                        file,
                        line,
                        _("duplicate code %(code)s (already on line %(line)d)") % {"code": code, "line": codes[code]},
                    )
                )
                ok = False
            if not ok:
                continue
            codes[code] = line
            rows.append((code, spec.level, parent, name))
            if spec.level > 1:
                pending_parents.append((file, line, spec.level, code, parent))

    for file, line, level, code, parent in pending_parents:
        if level - 1 in unreadable_levels:
            continue  # the parent file itself is broken and already reported
        if parent not in seen[level - 1]:
            parent_spec = LEVEL_BY_NUMBER[level - 1]
            problems.append(
                Problem(
                    file,
                    line,
                    _("%(parent_level)s %(parent)s of %(code)s does not exist in %(file)s")
                    % {"parent_level": parent_spec.label, "parent": parent, "code": code, "file": parent_spec.filename},
                )
            )
    if problems:
        raise RegionDataError(problems)
    return AreaSource(directory=directory, rows=tuple(rows))


def select(source: AreaSource, prefix: str) -> list[AreaRow]:
    """The rows of the area `prefix`, its ancestors and its descendants, in level order."""
    parts = prefix.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    below = prefix + "."
    rows = [source.by_code[code] for code in ancestors if code in source.by_code]
    rows += [row for row in source.by_province.get(parts[0], ()) if row[0].startswith(below)]
    return sorted(rows, key=lambda row: row[1])  # stable: parents before children
