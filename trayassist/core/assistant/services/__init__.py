"""Real implementations of the assistant's services (clock, timers, apps, volume, processes)."""
