"""Pure rules of the console: the revenue-cycle figures (HFMA MAP Keys) and the projections."""
