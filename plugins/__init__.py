"""readiness's built-in plugins, installed as ``readiness_plugins``; each module is one plugin."""
