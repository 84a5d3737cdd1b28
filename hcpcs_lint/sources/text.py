"""Turning file bytes into text, and the few facts about codes every reader shares.

Decoding keeps line endings untouched (no newline translation) so that a character offset
into the returned text is an offset into the file as the user sees it; the fix writer splices
revised descriptors back in by those offsets.
"""

from __future__ import annotations

import codecs
import re

from hcpcs_lint.model import InputError

# Bytes that never occur in text we accept: C0 controls other than TAB, LF, VT, FF, CR, and
# SUB/ESC; a handful of stray ones is tolerated, a file full of them is binary.
_CONTROL = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1A, 0x1B}
_CONTROL_BYTES = bytes(sorted(_CONTROL))
_SAMPLE = 64 * 1024
_MAX_CONTROL_SHARE = 0.05
# A well-formed multi-byte UTF-8 sequence; cp1252 text almost never holds one (none in any release).
_UTF8_SEQUENCE = re.compile(rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}")
# Blocks the search above skips when they are all ASCII: a sequence starts with a byte >= 0xC2,
# so only non-ASCII blocks (a handful in a CMS release) are searched, each with the 3 bytes
# after it so that a sequence starting at its end is whole.
_BLOCK = 16 * 1024


def _line_and_column(data: bytes, pos: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, pos) + 1
    return data.count(b"\n", 0, pos) + 1, pos - line_start + 1


def _binary_error(path: str, data: bytes, pos: int, why: str) -> InputError:
    line, col = _line_and_column(data, pos)
    return InputError(path, f"binary data, not a text file ({why} at byte {pos}, column {col})", line)


def _check_not_binary(path: str, data: bytes) -> None:
    """Refuse binary input before decoding: a NUL byte, or a sample that is mostly control bytes."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _binary_error(path, data, nul, "NUL byte")
    sample = data[:_SAMPLE]
    # translate() with a delete table counts the control bytes in C, not per byte in Python.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls and controls > _MAX_CONTROL_SHARE * len(sample):
        first = next(i for i, b in enumerate(sample) if b in _CONTROL)
        raise _binary_error(path, data, first, f"{controls} control bytes in the first {len(sample)}")


def _first_utf8_sequence(data: bytes) -> re.Match[bytes] | None:
    """``_UTF8_SEQUENCE.search(data)``, searching only blocks that hold a non-ASCII byte: the
    alternation costs about 15 ns a byte, ``isascii`` a fraction of that (0.06 s vs 0.5 ms on
    the 3.7 MB 2019 release)."""
    search = _UTF8_SEQUENCE.search
    for start in range(0, len(data), _BLOCK):
        end = start + _BLOCK
        if data[start:end].isascii():
            continue
        found = search(data, start, end + 3)
        if found is not None and found.start() < end:
            return found
    return None


def _check_not_mixed(path: str, data: bytes) -> None:
    """Not UTF-8 as a whole, yet with UTF-8 sequences in it: lines saved in two encodings (a
    UTF-8 paste into a cp1252 file). Decoding it either way garbles one part, so refuse it,
    naming a line of each."""
    utf8 = _first_utf8_sequence(data)
    if utf8 is None:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        sample = utf8.group(0).decode("utf-8", "replace")
        good, _ = _line_and_column(data, utf8.start())
        bad, col = _line_and_column(data, exc.start)
        raise InputError(
            path,
            f"mixed encodings: line {good} is UTF-8 ({sample!r}) but byte "
            f"0x{data[exc.start]:02X} at column {col} of line {bad} is not; save the file in one "
            "encoding (UTF-8)",
            bad,
        ) from None


def decode_text(path: str, data: bytes) -> tuple[str, str]:
    """Decode file bytes, returning ``(text, encoding)``.

    UTF-8 (with or without BOM, which is dropped from the text) is tried strictly first; CMS
    .txt releases then need cp1252 for the 0x92 and 0xA0 bytes in their disclaimer lines. A
    UTF-16 file with a BOM (Excel's "Unicode text" export) is accepted too. Anything else is an
    InputError, not mojibake.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            line, col = _line_and_column(data, exc.start)
            raise InputError(
                path, f"cannot decode as UTF-16 (byte {exc.start}, column {col})", line
            ) from None
    _check_not_binary(path, data)
    try:
        # Name the BOM in the encoding so that ``text.encode(encoding)`` gives the file back.
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    _check_not_mixed(path, data)
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line, col = _line_and_column(data, exc.start)
        bad = data[exc.start]
        raise InputError(
            path,
            f"cannot decode text: byte 0x{bad:02X} (byte {exc.start}, column {col}) "
            "is neither UTF-8 nor cp1252",
            line,
        ) from None
