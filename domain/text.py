"""Rules for short texts that people name things with (passkeys, API keys)."""

from __future__ import annotations


def is_control_character(char: str) -> bool:
    """C0 and C1 controls, DEL, and the line and paragraph separators: what must never stand in a
    name shown on a line (it could break or forge the line)."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029)
