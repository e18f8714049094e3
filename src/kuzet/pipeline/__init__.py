"""Wires the stages for one camera and schedules cameras on a node: the only package
that knows every stage."""
