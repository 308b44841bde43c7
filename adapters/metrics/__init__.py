"""Metrics adapters: the Prometheus exposition of Bastion's counters."""
