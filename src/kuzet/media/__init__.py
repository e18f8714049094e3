"""Video containers and codecs (PyAV): what clips, blurring and recording share."""
