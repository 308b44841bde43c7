"""Adapters: implementations of the ports, one sub-package per technology family."""
