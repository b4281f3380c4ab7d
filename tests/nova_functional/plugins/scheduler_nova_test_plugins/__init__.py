"""Plugins of the nova-functional environment (see pyproject.toml)."""
