"""The Chinese font every PDF of the product is written with (receipts, statements, permits,
move-in records, release passes).

PDFs embed a TrueType subset of WenQuanYi Micro Hei (fonts-wqy-microhei), so the Chinese text
renders in any viewer, with or without Chinese fonts installed (STACK-NOTES). Where the font is
missing, reportlab's built-in CID font stands in.
"""

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WQYMicroHei"
FALLBACK_FONT = "STSong-Light"
_lock = threading.Lock()
_ready = False


def cjk_font() -> str:
    """The name of the registered Chinese font, registering it on first use."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                if FONT_PATH.exists():
                    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
                else:  # pragma: no cover — the setup script installs the font
                    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
                _ready = True
    return FONT if FONT_PATH.exists() else FALLBACK_FONT
