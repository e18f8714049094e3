"""The converter's version, apart from the converter: a cached model is checked against it
without importing ``onnx`` (``kuzet detect`` start-up)."""

CONVERTER_VERSION = "1"
