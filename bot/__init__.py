"""Cheshire care signposting assistant: the code Rasa and its action server call into."""
