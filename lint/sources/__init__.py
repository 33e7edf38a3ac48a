"""Readers that turn project files into located facts."""
