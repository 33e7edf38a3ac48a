"""Renderers: pure functions from a filtered `FindingSet` (plus source texts) to a string (DESIGN §6).

Renderers know nothing about file formats or policies. Every string that reaches the user passes through
`lint.redact` first (DESIGN §8).
"""
