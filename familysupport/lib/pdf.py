"""PDF text that prints any name: reportlab with Noto Sans embedded.

reportlab's built-in Helvetica covers Latin-1 only: a Greek, Cyrillic, Polish or
Vietnamese name comes out as black boxes. Noto Sans (Latin, Greek, Cyrillic, Vietnamese)
ships in the `fontpkg-noto-sans` wheel, so nothing is fetched at run time; reportlab embeds
the glyphs used. Every PDF the portal makes takes its fonts and styles from here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

FONT = "NotoSans"
FONT_ITALIC = "NotoSans-Italic"


@cache
def register_fonts() -> str:
    """Register the font family once per process; returns the regular font's name."""
    import fontpkg_noto_sans
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = Path(fontpkg_noto_sans.__file__).resolve().parent / "files"
    pdfmetrics.registerFont(TTFont(FONT, str(files / "NotoSans[wdth,wght].ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(files / "NotoSans-Italic[wdth,wght].ttf")))
    # A variable font's default instance is the regular weight; <b> maps to it as well.
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT, italic=FONT_ITALIC, boldItalic=FONT_ITALIC
    )
    return FONT


def styles() -> Any:
    """reportlab's sample style sheet with every style in the embedded font."""
    from reportlab.lib.styles import getSampleStyleSheet

    register_fonts()
    sheet = getSampleStyleSheet()
    for style in sheet.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = FONT_ITALIC if "Italic" in style.fontName else FONT
    return sheet
