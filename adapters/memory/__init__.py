"""In-memory implementations of every port: real, small, used by tests and local development."""
