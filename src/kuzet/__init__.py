"""Kuzet: city-scale video surveillance and analytics.

Data flows one way: source -> decode -> motion gate -> detect -> track -> rules -> events
-> bus -> store / alerts / API. Each stage lives in its own sub-package and talks to the
others only through the typed values of :mod:`kuzet.core`.
"""

__version__ = "0.1.0"
