"""Subcommands of the ``fitness`` CLI, one module each."""
