"""Laying out and typesetting the document model into PDF pages."""

from handouts.layout.lean_platypus import install

install()  # before any module here imports reportlab.platypus: see lean_platypus.py
