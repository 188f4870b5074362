"""TF.js graph model -> TensorFlow GraphDef -> SavedModel -> TFLite, without ``tensorflowjs``.

A TF.js graph model is a JSON file whose ``modelTopology`` is a GraphDef in protobuf-JSON form,
plus binary weight shards described by ``weightsManifest``. Two things stop TensorFlow from
running it as is:

* weights may be quantised (here float16, or uint8/uint16 affine) and must be dequantised;
* the TF.js converter fuses ops into ``_FusedConv2D`` / ``FusedDepthwiseConv2dNative`` with a
  ``fused_ops`` list (``BiasAdd`` then an optional activation). ``_FusedConv2D`` is a grappler
  internal op that TFLite cannot convert, and ``FusedDepthwiseConv2dNative`` does not exist in
  TensorFlow at all, so both are unfused back into standard ops.

TensorFlow is imported lazily: only conversion and ``--runtime tf`` need it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from fitness.errors import ModelUnavailableError

log = logging.getLogger(__name__)

_DTYPES: dict[str, Any] = {
    "float32": np.float32,
    "int32": np.int32,
    "bool": np.bool_,
    "float16": np.float16,
    "uint8": np.uint8,
    "uint16": np.uint16,
}
_ACTIVATIONS = {"Relu": "Relu", "Relu6": "Relu6", "Elu": "Elu", "Sigmoid": "Sigmoid", "Tanh": "Tanh"}
_CONV_ATTRS = ("T", "strides", "padding", "data_format", "dilations", "explicit_paddings", "use_cudnn_on_gpu")


def decode_weights(model_json: Path, manifest: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Read every weight shard and return float32/int32 arrays by node name (dequantised)."""
    out: dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            shape = [int(d) for d in spec["shape"]]
            count = int(np.prod(shape)) if shape else 1
            quant = spec.get("quantization")
            stored = quant["dtype"] if quant else spec["dtype"]
            if stored not in _DTYPES:
                raise ModelUnavailableError(f"{model_json}: unsupported weight dtype {stored}")
            np_dtype = np.dtype(_DTYPES[stored])
            nbytes = count * np_dtype.itemsize
            if offset + nbytes > len(buf):
                raise ModelUnavailableError(f"{model_json}: weight file is truncated at {spec['name']}")
            raw = np.frombuffer(buf, dtype=np_dtype, count=count, offset=offset)
            offset += nbytes
            target = np.dtype(_DTYPES[spec["dtype"]])
            if quant and stored in ("uint8", "uint16"):
                arr = raw.astype(np.float32) * float(quant["scale"]) + float(quant["min"])
            else:
                arr = raw
            out[spec["name"]] = arr.astype(target).reshape(shape)
    return out


def _copy_attrs(dst: Any, src: Any, names: tuple[str, ...]) -> None:
    for name in names:
        if name in src.attr:
            dst.attr[name].CopyFrom(src.attr[name])


def unfuse(graph_def: Any) -> Any:
    """Rewrite TF.js fused conv ops into Conv2D/DepthwiseConv2dNative + BiasAdd + activation."""
    from fitness.pose.quiet import import_tensorflow

    tf = import_tensorflow()

    new = tf.compat.v1.GraphDef()
    new.versions.CopyFrom(graph_def.versions)
    new.library.CopyFrom(graph_def.library)
    for node in graph_def.node:
        if node.op not in ("_FusedConv2D", "FusedDepthwiseConv2dNative"):
            new.node.add().CopyFrom(node)
            continue
        fused = [s.decode() for s in node.attr["fused_ops"].list.s]
        if not fused or fused[0] != "BiasAdd" or len(fused) > 2 or (len(fused) == 2 and fused[1] not in _ACTIVATIONS):
            raise ModelUnavailableError(f"cannot unfuse {node.name}: fused_ops={fused}")
        base_op = "Conv2D" if node.op == "_FusedConv2D" else "DepthwiseConv2dNative"
        conv = new.node.add()
        conv.op = base_op
        conv.name = f"{node.name}/unfused_conv"
        conv.input.extend(node.input[:2])
        conv.device = node.device
        attrs = _CONV_ATTRS if base_op == "Conv2D" else tuple(a for a in _CONV_ATTRS if a != "use_cudnn_on_gpu")
        _copy_attrs(conv, node, attrs)
        if base_op == "DepthwiseConv2dNative" and not conv.attr["explicit_paddings"].list.i:
            del conv.attr["explicit_paddings"]
        bias = new.node.add()
        bias.op = "BiasAdd"
        bias.name = node.name if len(fused) == 1 else f"{node.name}/unfused_bias"
        bias.input.extend([conv.name, node.input[2]])
        _copy_attrs(bias, node, ("T", "data_format"))
        if len(fused) == 2:
            act = new.node.add()
            act.op = _ACTIVATIONS[fused[1]]
            act.name = node.name
            act.input.append(bias.name)
            _copy_attrs(act, node, ("T",))
    return new


def load_tfjs_graph(model_json: Path, input_size: int | None) -> tuple[Any, str, str, int, bool]:
    """Build a runnable GraphDef. Returns (graph_def, input_name, output_name, side, multipose)."""
    from fitness.pose.quiet import import_tensorflow

    tf = import_tensorflow()
    from google.protobuf import json_format

    try:
        doc = json.loads(model_json.read_text())
        topology = doc["modelTopology"]
        manifest = doc["weightsManifest"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailableError(f"{model_json} is not a TF.js graph model ({exc})") from None
    graph_def = json_format.ParseDict(topology, tf.compat.v1.GraphDef(), ignore_unknown_fields=True)
    weights = decode_weights(model_json, manifest)
    side, multipose = tfjs_input_shape(model_json)
    side = input_size or side
    input_name = ""
    for node in graph_def.node:
        if node.op == "Const" and node.name in weights:
            arr = weights[node.name]
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(arr, dtype=arr.dtype, shape=arr.shape))
            node.attr["dtype"].type = tf.as_dtype(arr.dtype).as_datatype_enum
        elif node.op == "Placeholder":
            input_name = node.name
            dims = node.attr["shape"].shape.dim
            for i, size in enumerate((1, side, side, 3)):
                dims[i].size = size
    sig_outputs: dict[str, dict[str, Any]] = doc.get("signature", {}).get("outputs", {})
    first_output: dict[str, Any] = next(iter(sig_outputs.values()), {})
    output_name = str(first_output.get("name", "Identity:0")).split(":")[0]
    return unfuse(graph_def), input_name, output_name, side, multipose


def tfjs_input_shape(model_json: Path) -> tuple[int, bool]:
    """(input side, is multipose) read from the model's signature."""
    doc = json.loads(model_json.read_text())
    sig = doc.get("signature", {})
    inp: dict[str, Any] = next(iter(sig.get("inputs", {}).values()), {})
    dims = [int(d.get("size", -1)) for d in inp.get("tensorShape", {}).get("dim", [])]
    out: dict[str, Any] = next(iter(sig.get("outputs", {}).values()), {})
    out_dims = [int(d.get("size", -1)) for d in out.get("tensorShape", {}).get("dim", [])]
    multipose = len(out_dims) == 3 and out_dims[-1] == 56
    from fitness.pose.models import MULTIPOSE_INPUT

    side = dims[1] if len(dims) == 4 and dims[1] > 0 else MULTIPOSE_INPUT
    return side, multipose


def convert_tfjs(model_json: Path, saved_model_dir: Path, tflite_path: Path, input_size: int | None) -> None:
    """TF.js model.json -> SavedModel (serving_default: input -> output_0) -> .tflite."""
    from fitness.pose.quiet import import_tensorflow

    tf = import_tensorflow()

    graph_def, input_name, output_name, side, _ = load_tfjs_graph(model_json, input_size)

    def _import() -> None:
        tf.graph_util.import_graph_def(graph_def, name="")

    wrapped = tf.compat.v1.wrap_function(_import, [])
    pruned = wrapped.prune(
        feeds=[wrapped.graph.get_tensor_by_name(f"{input_name}:0")],
        fetches=[wrapped.graph.get_tensor_by_name(f"{output_name}:0")],
    )

    module = tf.Module()
    module.graph_fn = pruned

    def _serve(image: Any) -> dict[str, Any]:
        return {"output_0": module.graph_fn(image)[0]}

    serve = tf.function(_serve, input_signature=[tf.TensorSpec([1, side, side, 3], tf.int32, name="input")])

    module.serve = serve
    tf.saved_model.save(module, str(saved_model_dir), signatures={"serving_default": serve})
    saved_model_to_tflite(saved_model_dir, tflite_path, None)


def saved_model_to_tflite(saved_model_dir: Path, tflite_path: Path, input_size: int | None) -> None:
    """Convert a SavedModel's serving signature to a float32 TFLite flatbuffer.

    ``input_size`` pins a dynamic ``[1, -1, -1, 3]`` input (MultiPose) to a square size.
    """
    from fitness.pose.quiet import import_tensorflow

    tf = import_tensorflow()

    if input_size is None:
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved_model_dir))
    else:
        loaded = tf.saved_model.load(str(saved_model_dir))
        fn = loaded.signatures["serving_default"]
        (arg_name, spec), = fn.structured_input_signature[1].items()
        concrete = tf.function(lambda x: fn(**{arg_name: x})).get_concrete_function(
            tf.TensorSpec([1, input_size, input_size, 3], spec.dtype)
        )
        converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], loaded)
    tflite_path.write_bytes(converter.convert())


def saved_model_shape(path: Path) -> tuple[int, bool]:
    from fitness.pose.quiet import import_tensorflow

    tf = import_tensorflow()

    from fitness.pose.models import MULTIPOSE_INPUT

    try:
        fn = tf.saved_model.load(str(path)).signatures["serving_default"]
    except Exception as exc:  # TF raises many types for a bad SavedModel
        raise ModelUnavailableError(f"{path} is not a usable SavedModel ({type(exc).__name__})") from exc
    spec = next(iter(fn.structured_input_signature[1].values()))
    out = next(iter(fn.structured_outputs.values()))
    multipose = out.shape.rank == 3 and out.shape[-1] == 56
    side = spec.shape[1] if spec.shape[1] is not None else MULTIPOSE_INPUT
    return int(side), multipose
