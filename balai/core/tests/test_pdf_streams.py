"""The PDF helper the tests search drawn text with: it must inflate every stream, whatever its last byte."""

from __future__ import annotations

import zlib

from balai.core.testing import pdf_streams


def test_a_deflated_stream_ending_in_a_carriage_return_is_inflated() -> None:
    # Find a text whose deflated form ends with \r, as about one PDF page in 256 does.
    texts = (f"BT (Siti Aminah{'!' * n}) Tj ET".encode() for n in range(10_000))
    text = next(t for t in texts if zlib.compress(t)[-1:] == b"\r")
    pdf = b"%PDF-1.3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + zlib.compress(text) + b"\nendstream\nendobj\n"
    assert pdf_streams(pdf) == [text]


def test_a_stream_that_is_not_deflated_is_kept_as_it_is() -> None:
    pdf = b"stream\r\nBT (plain) Tj ET\nendstream"
    assert pdf_streams(pdf) == [b"BT (plain) Tj ET"]
