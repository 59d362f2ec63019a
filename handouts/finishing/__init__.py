"""Finishing PDFs: atomic writing, imposing, packing, protecting."""
