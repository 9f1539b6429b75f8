"""The one check of an uploaded picture: decoded with Pillow, within a pixel limit.

Magic bytes say only how a file starts: an HTML page behind a PNG header passes them, and so
does a 30000 × 30000 pixel "bomb" that takes gigabytes to open. Every upload path that keeps a
picture (request photos from the desk and the portal, inspection photos, archive scans, the
document register) asks `image_check`, which reads the header for the size, refuses more than
`UPLOAD_MAX_PIXELS` pixels (50 million by default: a 48-megapixel phone photo and a 600 dpi scan
of an A3 sheet fit, a 30000 × 30000 bomb is 900 million), and then decodes every pixel.
"""

import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from propdesk.core import error_codes
from propdesk.core.errors import ValidationFailed

DEFAULT_MAX_PIXELS = 50_000_000
FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    width: int
    height: int


def max_pixels() -> int:
    return int(getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def image_check(upload, *, field: str, formats=tuple(FORMATS)) -> CheckedImage:
    """Decode `upload` fully; ValidationFailed naming `field` unless it is a picture of one of
    `formats` within the pixel limit. The file is left at its start."""
    not_a_picture = ValidationFailed(
        _("Upload a photo (JPEG, PNG, GIF or WebP)."), code=error_codes.NOT_AN_IMAGE, field=field
    )
    too_large = ValidationFailed(
        _("The picture is too large: at most %(mp)d million pixels.")
        % {"mp": max_pixels() // 1_000_000},
        code=error_codes.TOO_MANY_PIXELS,
        field=field,
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in formats:
                    raise not_a_picture
                width, height = image.size
                if width * height > max_pixels():
                    raise too_large
                image.load()  # every pixel: a page behind a picture's header fails here
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_large from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise not_a_picture from exc
    finally:
        upload.seek(0)
    return CheckedImage(content_type=FORMATS[image.format], width=width, height=height)
