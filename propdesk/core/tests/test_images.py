"""core.images.image_check: every picture upload is decoded within a pixel limit."""

import io

import pytest

from propdesk.core.errors import ValidationFailed
from propdesk.core.images import image_check
from propdesk.core.tests.hostile_files import picture, pixel_bomb_png, png_headed_html


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_it_accepts_real_pictures_and_names_their_type(fmt, content_type):
    upload = io.BytesIO(picture(fmt, 40, 30))
    checked = image_check(upload, field="photo")
    assert (checked.content_type, checked.width, checked.height) == (content_type, 40, 30)
    assert upload.tell() == 0


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (png_headed_html(), "not_an_image"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "not_an_image"),
        (picture("PNG")[:40], "not_an_image"),  # cut short
        (b"", "not_an_image"),
        (pixel_bomb_png(), "too_many_pixels"),
        (pixel_bomb_png(8000, 8000), "too_many_pixels"),  # within Pillow's limit, above ours
    ],
)
def test_it_refuses_what_does_not_decode_or_is_too_large(content, code):
    with pytest.raises(ValidationFailed) as refused:
        image_check(io.BytesIO(content), field="photo")
    assert (refused.value.field, refused.value.code) == ("photo", code)


def test_the_pixel_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_PIXELS = 100
    with pytest.raises(ValidationFailed) as refused:
        image_check(io.BytesIO(picture("PNG", 20, 10)), field="file")
    assert refused.value.code == "too_many_pixels"
    assert image_check(io.BytesIO(picture("PNG", 10, 10)), field="file").width == 10


def test_it_refuses_a_format_the_caller_does_not_take():
    with pytest.raises(ValidationFailed) as refused:
        image_check(io.BytesIO(picture("GIF")), field="file", formats=("PNG",))
    assert refused.value.code == "not_an_image"
