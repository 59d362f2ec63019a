"""Laying out and typesetting the document model into PDF pages."""
