"""Webcam fitness coach: MoveNet pose estimation, rep counting and workout history."""

import os

# Quiet FFmpeg and OpenCV C++ logs before any module imports cv2: errors reach people as
# one-line messages of our own instead.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")

__version__ = "0.1.0"
