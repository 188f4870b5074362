"""Exercise catalogue: one declarative ``SPEC`` per module, found by :mod:`fitness.engine.registry`."""
