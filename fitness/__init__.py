"""Webcam fitness coach: MoveNet pose estimation, rep counting and workout history."""

__version__ = "0.1.0"
