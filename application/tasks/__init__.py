"""The Task Management API protected by Bastion: each user's own tasks."""
