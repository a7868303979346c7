"""How the payer-sim is driven: the faust app (app.py) and its `rcm` commands (cli.py)."""
