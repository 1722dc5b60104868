"""Rasa SDK custom actions. Thin: read slots, call into bot/, set slots."""
