"""How the coder is driven: its faust app (agent, timers, review views) and its `rcm` commands."""
