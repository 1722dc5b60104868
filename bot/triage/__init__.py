"""Triage: red flags, who a message is about, and the urgency and place it calls for."""
