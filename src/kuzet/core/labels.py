"""COCO class names, the label space of the default detectors."""

COCO_CLASSES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
    "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
    "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
    "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
    "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
    "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
    "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
    "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
    "toothbrush",
)  # fmt: skip

_INDEX = {name: i for i, name in enumerate(COCO_CLASSES)}


def class_id_of(name: str, labels: tuple[str, ...] = COCO_CLASSES) -> int:
    """Class id for a label; a clear error names the unknown label."""
    if labels is COCO_CLASSES:
        try:
            return _INDEX[name]
        except KeyError:
            raise ValueError(f"unknown class {name!r}; known: {', '.join(labels)}") from None
    if name not in labels:
        raise ValueError(f"unknown class {name!r}; known: {', '.join(labels)}")
    return labels.index(name)
