"""Yearly evaluation: inputs, rule pack, ratings of people and units (RULES.md A, B, D)."""
