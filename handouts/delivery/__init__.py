"""Delivering handouts by email: messages, sending and the outbox."""
