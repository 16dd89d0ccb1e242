"""The outbox: one dispatcher for every kind of planned message, and the registry of kinds."""
