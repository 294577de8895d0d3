"""Bench-only Django project: Migration Hub's settings and URLs plus bare reference views."""

# Kept here so benchmarks can name it without setting Django up.
BARE_COUNTRIES_PATH = "/bench/bare/countries/"
