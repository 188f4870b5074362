"""Runtimes that execute a MoveNet model on one preprocessed image.

* :class:`LiteRTBackend` (default): the converted ``.tflite`` on LiteRT with XNNPACK.
* :class:`TFBackend`: TensorFlow calling the SavedModel's ``serving_default`` signature once per
  frame, exactly as the MoveNet tutorial does; kept for comparison and for TF Hub models.

A backend is not thread-safe: make one per stream.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import numpy as np

from fitness.errors import ModelUnavailableError
from fitness.pose.models import RUNTIMES, ModelFiles
from fitness.pose.quiet import import_tensorflow, quiet_stderr

log = logging.getLogger(__name__)


class Backend(Protocol):
    name: str
    input_size: int
    multipose: bool

    def infer(self, image: np.ndarray) -> np.ndarray:
        """``image``: (1, S, S, 3) int32 RGB 0-255 -> raw model output as float32."""
        ...


class LiteRTBackend:
    def __init__(self, files: ModelFiles, threads: int = 2) -> None:
        from ai_edge_litert.interpreter import Interpreter

        path = files.path_for("litert")
        try:
            with quiet_stderr():
                self._interp = Interpreter(model_path=str(path), num_threads=threads)
                self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelUnavailableError(f"cannot load {path} on LiteRT ({exc})") from None
        self.name = f"{files.name}/litert"
        self.input_size = files.input_size
        self.multipose = files.multipose
        inp = self._interp.get_input_details()[0]
        if int(inp["shape"][1]) != self.input_size:
            self._interp.resize_tensor_input(inp["index"], [1, self.input_size, self.input_size, 3])
        self._interp.allocate_tensors()
        self._in_index = int(inp["index"])
        self._in_dtype = inp["dtype"]
        self._out_index = int(self._interp.get_output_details()[0]["index"])

    def infer(self, image: np.ndarray) -> np.ndarray:
        self._interp.set_tensor(self._in_index, image.astype(self._in_dtype, copy=False))
        self._interp.invoke()
        return np.array(self._interp.get_tensor(self._out_index), dtype=np.float32)


class TFBackend:
    def __init__(self, files: ModelFiles, threads: int = 2) -> None:
        tf = import_tensorflow()
        path = files.path_for("tf")
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
        except RuntimeError:
            log.debug("TensorFlow threads already configured for this process")
        try:
            loaded = tf.saved_model.load(str(path))
        except Exception as exc:  # TF raises many types for a bad SavedModel
            raise ModelUnavailableError(f"cannot load SavedModel {path} ({type(exc).__name__})") from exc
        self._loaded = loaded  # keep the module alive: the signature refers to its variables
        self._fn: Any = loaded.signatures["serving_default"]
        self._arg = next(iter(self._fn.structured_input_signature[1]))
        self._dtype = next(iter(self._fn.structured_input_signature[1].values())).dtype
        self._out = next(iter(self._fn.structured_outputs))
        self._tf = tf
        self.name = f"{files.name}/tf"
        self.input_size = files.input_size
        self.multipose = files.multipose

    def infer(self, image: np.ndarray) -> np.ndarray:
        tensor = self._tf.cast(self._tf.constant(image), self._dtype)
        return np.asarray(self._fn(**{self._arg: tensor})[self._out].numpy(), dtype=np.float32)


def make_backend(files: ModelFiles, runtime: str = "litert", threads: int = 2) -> Backend:
    if runtime == "litert":
        return LiteRTBackend(files, threads)
    if runtime == "tf":
        return TFBackend(files, threads)
    raise ModelUnavailableError(f"unknown runtime {runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
