"""SegnoQrRenderer: QR codes as SVG, drawn by segno (pure Python, no image library)."""

from __future__ import annotations

import io

import segno

from domain.ports.second_factor import QrRenderer


class SegnoQrRenderer(QrRenderer):
    """An SVG document without an XML declaration (so that it can be inlined in HTML), error
    correction level M, four pixels per module with the standard quiet zone."""

    def svg(self, text: str) -> str:
        output = io.BytesIO()
        segno.make(text, error="m", micro=False).save(output, kind="svg", xmldecl=False, scale=4)
        return output.getvalue().decode("utf-8")
