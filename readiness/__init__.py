"""readiness: which services of a backend would gain most from a rewrite in Rust, and why."""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("readiness")
"""Marks a plugin's hook implementations: ``@readiness.hookimpl``."""
