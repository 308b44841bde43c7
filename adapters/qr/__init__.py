"""QR codes, drawn with segno."""
