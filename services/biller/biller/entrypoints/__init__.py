"""How the biller is driven: its faust app (app.py), its `rcm` commands (cli*.py) and what it
tells the shared command line (hooks.py)."""
