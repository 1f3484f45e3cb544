"""The case engine: services declare case types; the engine enforces them and keeps the history."""
