"""A photo of a flipchart as it is kept: checked by its first bytes (JPEG, PNG or WebP only),
at most `MAX_PHOTO_BYTES`, turned upright, downscaled to `MAX_SIDE` pixels on its longer side,
and encoded again without its metadata (EXIF may hold where and when it was taken)."""

from __future__ import annotations

import io
import warnings

import msgspec
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SIDE = 2000
MAX_PIXELS = 50_000_000  # a decompression bomb is refused, not decoded
KINDS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class NotAnImage(Exception):
    """Not a JPEG, PNG or WebP image (415)."""


class TooLarge(Exception):
    """More than MAX_PHOTO_BYTES (413)."""


class CleanPhoto(msgspec.Struct, frozen=True):
    image: bytes
    content_type: str
    width: int
    height: int


def sniffed_kind(data: bytes) -> str | None:
    """The format by its magic bytes, whatever the request claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def clean_photo(data: bytes) -> CleanPhoto:
    """The image as it is to be kept, or NotAnImage / TooLarge."""
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge(len(data))
    kind = sniffed_kind(data)
    if kind is None:
        raise NotAnImage
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise NotAnImage
                upright = ImageOps.exif_transpose(opened)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                out = io.BytesIO()
                if kind == "JPEG":
                    upright.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                elif kind == "PNG":
                    upright.save(out, "PNG", optimize=True)
                else:
                    upright.save(out, "WEBP", quality=85)
                return CleanPhoto(out.getvalue(), KINDS[kind], upright.width, upright.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise NotAnImage from exc
    except Image.DecompressionBombWarning as exc:
        raise NotAnImage from exc
