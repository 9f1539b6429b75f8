"""Pictures for upload tests: real ones, and the two hostile files every upload path refuses.

- `png_headed_html()`: a PNG signature and header in front of an HTML page (magic bytes pass).
- `pixel_bomb_png()`: a few hundred bytes claiming 30000 × 30000 pixels (900 million, gigabytes
  once decoded).
"""

import io
import struct
import zlib

from PIL import Image

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def picture(fmt: str = "PNG", width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_headed_html() -> bytes:
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    page = b"<html><body><script>document.location='https://evil.example/'</script></body></html>"
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", page) + _chunk(b"IEND", b"")


def pixel_bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 64)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


HOSTILE = {"png_headed_html": png_headed_html, "pixel_bomb": pixel_bomb_png}
HOSTILE_CODES = {"png_headed_html": "not_an_image", "pixel_bomb": "too_many_pixels"}
