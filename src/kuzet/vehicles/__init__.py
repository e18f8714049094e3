"""Vehicle attributes of tracked vehicles: body colour, type, make/model (an ONNX slot)."""
