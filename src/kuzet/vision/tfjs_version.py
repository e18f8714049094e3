"""The TF.js converter's version, outside the ``tfjs`` package: a cached model's manifest is
checked against it without importing ``onnx`` or the converter (``kuzet detect`` start-up,
tests/vision/test_startup.py). Bump it when a converter change alters converted graphs."""

CONVERTER_VERSION = "2"  # 2: named outputs kept (convert(outputs=)), face-model ops
