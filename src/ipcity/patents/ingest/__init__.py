"""Readers for real patent office formats and the ingest runner that stores what they read."""
