"""Notifications to citizens: the outbox written with each step, and its sender."""
