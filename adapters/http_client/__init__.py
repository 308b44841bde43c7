"""Outgoing HTTP with httpx: the breach check against a Have I Been Pwned compatible range API."""
