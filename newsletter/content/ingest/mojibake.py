"""Mojibake: UTF-8 text that was decoded as Latin-1/Windows-1252 and saved again as UTF-8
(``Itâs`` for ``It’s``, ``Â`` before a no-break space). Scrapers and CMS exports leave it.

The repair is ftfy's ``fix_encoding``, which only undoes an encoding mix-up when the result is
unambiguous. ftfy costs about 0.1 s to import, so it is imported only when the text holds the
signature of double-encoded UTF-8: a lead byte of a UTF-8 sequence (``Â``..``ô``) read as a
Latin-1 character and followed by a continuation byte read as a C1 control or a Windows-1252
character (``â€™``, ``â\\x80\\x99``, ``Ã©``). Clean text never pays for the import.
"""

from __future__ import annotations

import re

# continuation bytes 0x80-0xBF as Latin-1 (C1 controls, NBSP, ¡..¿) or as Windows-1252
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
# one character class first, so the search skips ahead instead of trying each position
_SIGNATURE = re.compile(f"[\u00c2-\u00f4](?:[{_CONTINUATION}]|(?<=\u00c2) )")


def has_mojibake(text: str) -> bool:
    """True when ``text`` holds something that looks like double-encoded UTF-8."""
    return _SIGNATURE.search(text) is not None


def repair_mojibake(text: str) -> tuple[str, bool]:
    """``text`` with double-encoded UTF-8 repaired where unambiguous, and whether it changed.

    Line breaks are never added or removed, so line numbers stay those of the file.
    """
    if not has_mojibake(text):
        return text, False
    import ftfy  # only here: see the module docstring

    parts = re.split(r"(\r\n|\r|\n)", text)  # line breaks kept as parts of their own
    fixed = "".join(ftfy.fix_encoding(part) if has_mojibake(part) else part for part in parts)
    return fixed, fixed != text
