"""A small QR decoder for tests: reads a module matrix (not pixels) back into its text.

Written from ISO/IEC 18004 independently of segno's encoder, so a test can check that the
QR drawn into a permit really carries the verification URL. It reads the format
information, removes the mask, walks the data modules in the standard zig-zag order,
de-interleaves the blocks, checks every block's Reed-Solomon codewords, and parses
numeric, alphanumeric and byte segments. No error correction: a perfect matrix is
expected, and any inconsistency raises ValueError. Only the block table (ISO 18004 table
9) is taken from segno's constants.
"""

from __future__ import annotations

from segno import consts

_ECL_BITS = {"M": 0, "L": 1, "H": 2, "Q": 3}
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _format_bits(ecl_bits: int, mask: int) -> int:
    data = ecl_bits << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def _read_format(m) -> tuple[str, int]:
    bits = 0
    for i in range(6):
        bits |= m[i][8] << i
    bits |= m[7][8] << 6
    bits |= m[8][8] << 7
    bits |= m[8][7] << 8
    for i in range(9, 15):
        bits |= m[8][14 - i] << i
    for level, ecl_bits in _ECL_BITS.items():
        for mask in range(8):
            if _format_bits(ecl_bits, mask) == bits:
                return level, mask
    raise ValueError("unreadable format information")


def _alignment_positions(version: int, size: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    return [6, *reversed([size - 7 - i * step for i in range(count - 1)])]


def _function_modules(version: int, size: int) -> list[list[bool]]:
    f = [[False] * size for _ in range(size)]

    def mark(r0, c0, rows, cols):
        for r in range(max(r0, 0), min(r0 + rows, size)):
            for c in range(max(c0, 0), min(c0 + cols, size)):
                f[r][c] = True

    mark(0, 0, 9, 9)  # finder + separator + format
    mark(0, size - 8, 9, 8)
    mark(size - 8, 0, 8, 9)
    mark(6, 0, 1, size)  # timing
    mark(0, 6, size, 1)
    positions = _alignment_positions(version, size)
    last = len(positions) - 1
    for i, r in enumerate(positions):
        for j, c in enumerate(positions):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            mark(r - 2, c - 2, 5, 5)
    if version >= 7:
        mark(0, size - 11, 6, 3)
        mark(size - 11, 0, 3, 6)
    return f


_MASKS = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


def _gf_tables():
    exp, log = [0] * 512, [0] * 256
    x = 1
    for i in range(255):
        exp[i] = x
        log[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


_EXP, _LOG = _gf_tables()


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _rs_remainder(data: list[int], degree: int) -> list[int]:
    gen = [1]
    for i in range(degree):  # (x - a^0)(x - a^1)...
        gen = [shifted ^ _gf_mul(same, _EXP[i]) for same, shifted in zip([*gen, 0], [0, *gen], strict=True)]
    gen = list(reversed(gen))  # highest power first
    rem = [*data, *([0] * degree)]
    for i in range(len(data)):
        coef = rem[i]
        if coef:
            for j in range(1, degree + 1):
                rem[i + j] ^= _gf_mul(gen[j], coef)
    return rem[len(data) :]


class _Bits:
    def __init__(self, data: bytes):
        self.bits = "".join(f"{b:08b}" for b in data)
        self.pos = 0

    def take(self, n: int) -> int:
        if self.pos + n > len(self.bits):
            raise ValueError("data runs past the end")
        value = int(self.bits[self.pos : self.pos + n], 2)
        self.pos += n
        return value

    def left(self) -> int:
        return len(self.bits) - self.pos


def decode_matrix(matrix) -> str:
    """The text a perfect QR module matrix (rows of 0/1, no quiet zone) encodes."""
    m = [[1 if v else 0 for v in row] for row in matrix]
    size = len(m)
    if any(len(row) != size for row in m) or (size - 17) % 4:
        raise ValueError("not a QR symbol size")
    version = (size - 17) // 4
    level, mask = _read_format(m)
    func = _function_modules(version, size)
    masked = _MASKS[mask]

    bits = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            r = size - 1 - vert if upward else vert
            for c in (right, right - 1):
                if not func[r][c]:
                    bits.append(m[r][c] ^ (1 if masked(r, c) else 0))
        right -= 2
    codewords = [int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - 7, 8)]

    groups = consts.ECC[version][getattr(consts, f"ERROR_LEVEL_{level}")]
    blocks = [(g.num_data, g.num_total - g.num_data) for g in groups for _ in range(g.num_blocks)]
    ec_len = blocks[0][1]
    data_blocks: list[list[int]] = [[] for _ in blocks]
    pos = 0
    for i in range(max(d for d, _ in blocks)):
        for b, (dlen, _) in enumerate(blocks):
            if i < dlen:
                data_blocks[b].append(codewords[pos])
                pos += 1
    ec_blocks: list[list[int]] = [[] for _ in blocks]
    for _i in range(ec_len):
        for b in range(len(blocks)):
            ec_blocks[b].append(codewords[pos])
            pos += 1
    for data, ec in zip(data_blocks, ec_blocks, strict=True):
        if _rs_remainder(data, ec_len) != ec:
            raise ValueError("Reed-Solomon check failed")

    stream = _Bits(bytes(b for block in data_blocks for b in block))
    count_bits = {1: (10, 9, 8), 2: (12, 11, 16), 3: (14, 13, 16)}[1 if version <= 9 else 2 if version <= 26 else 3]
    out = bytearray()
    while stream.left() >= 4:
        mode = stream.take(4)
        if mode == 0:
            break
        if mode == 0b0100:
            out += bytes(stream.take(8) for _ in range(stream.take(count_bits[2])))
        elif mode == 0b0010:
            n = stream.take(count_bits[1])
            for _ in range(n // 2):
                v = stream.take(11)
                out += (_ALNUM[v // 45] + _ALNUM[v % 45]).encode()
            if n % 2:
                out += _ALNUM[stream.take(6)].encode()
        elif mode == 0b0001:
            n = stream.take(count_bits[0])
            digits = ""
            while n >= 3:
                digits += f"{stream.take(10):03d}"
                n -= 3
            if n:
                digits += f"{stream.take(7 if n == 2 else 4):0{n}d}"
            out += digits.encode()
        else:
            raise ValueError(f"unsupported mode {mode:04b}")
    return out.decode("utf-8")
