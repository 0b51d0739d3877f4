"""Front ends of the Leercultuur-coach and how they run: Telegram adapter, console, settings,
per-chat session persistence and the `python -m bot` entry point. May import everything."""
