"""Turning content into the document model: templating, Markdown, assembly."""
