"""1:N identification on real faces, reported as NIST FRVT does: FNIR at FPIR.

Templates: the real faces of bench/_face_eval.py and their augmented copies, embedded
by bench/face_embedders.py (run it first: it caches the templates under
~/.cache/kuzet/bench). Nothing here is drawn from a fitted distribution.

- **Gallery** (measured): every tuning template (originals and augmented copies, the
  distractors) plus one enrolment template per reporting identity (its first photo).
- **Mated searches**: the reporting identities' other photos (Obama's second and third:
  *real*) and augmented copies (*augmented*), searched against the gallery; a miss
  (FNIR) is a mate scoring under the threshold.
- **Non-mated searches**: every reporting template searched with its own person left
  out of the gallery; a false positive (FPIR) is any gallery score at or above the
  threshold. *augmented* includes copies of the enrolment photo itself (easy).
- **Thresholds** are chosen on the tuning identities only: for a gallery of N people
  and a target FPIR, the per-comparison FMR = 1 - (1 - FPIR)^(1/N) is read off the
  tuning impostor scores (kuzet.faces.calibration; beyond the measured pairs from the
  fitted exponential tail, flagged ``extrapolated``).
- **N = 1k / 100k / 1M**: only 36 real people ship in the packages, so a gallery of a
  million *different* people cannot be built from real faces (repeating the same people
  with augmentations would measure the same 36 people again). For those N the FPIR on
  the reporting set is 1 - (1 - FMR_rep(t))^N with FMR_rep(t) the reporting impostor
  pairs' share at or above t (from their fitted tail where none is): the measured
  per-comparison rate scaled by independent comparisons, as written in each row.

Usage: python bench/face_search.py [--embedders dlib,faceres] [--quick]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kuzet.faces.calibration import tail_fmr, threshold_for_fmr

CACHE = Path.home() / ".cache/kuzet/bench"
SIZES = (1_000, 100_000, 1_000_000)
FPIRS = (0.001, 0.01)


def _load(name: str, part: str) -> dict[str, np.ndarray]:
    f = CACHE / f"face_templates_{name}_{part}.npz"
    if not f.exists():
        raise SystemExit(f"{f} missing: run python bench/face_embedders.py --embedders {name}")
    with np.load(f) as z:
        return {k: z[k] for k in z.files}


def _impostors(d: dict[str, np.ndarray]) -> np.ndarray:
    v, ids = d["vecs"], d["identity"]
    ii, jj = np.triu_indices(len(ids), 1)
    keep = ids[ii] != ids[jj]
    return np.sort(np.einsum("ij,ij->i", v[ii[keep]], v[jj[keep]]))


def run(name: str, quick: bool, console: Console) -> None:
    tune, rep = _load(name, "tuning"), _load(name, "reporting")
    imp_tune, imp_rep = _impostors(tune), _impostors(rep)
    ids = list(dict.fromkeys(rep["identity"].tolist()))
    enrol = {i: int(np.flatnonzero((rep["identity"] == i) & (rep["variant"] == "original"))[0])
             for i in ids}  # fmt: skip
    gallery = np.concatenate([tune["vecs"], rep["vecs"][list(enrol.values())]])
    owner = np.array(["<distractor>"] * len(tune["vecs"]) + ids)
    mated_real, mated_aug, nonmated = [], [], []
    for k in range(len(rep["vecs"])):
        who = rep["identity"][k]
        s = gallery @ rep["vecs"][k]
        nonmated.append(float(s[owner != who].max()))
        if k == enrol[who]:
            continue
        mate = float(s[owner == who][0])
        rank1 = mate >= float(s[owner != who].max())
        (mated_real if rep["variant"][k] == "original" else mated_aug).append((mate, rank1))
    nm = np.array(nonmated)
    console.print(
        f"[bold]{name}[/]: gallery {len(gallery)} templates ({len(tune['vecs'])} distractors of "
        f"{len(set(tune['identity']))} tuning people + {len(ids)} enrolled); mated searches "
        f"{len(mated_real)} real + {len(mated_aug)} augmented; non-mated {len(nm)}; impostor "
        f"pairs tuning {len(imp_tune)}, reporting {len(imp_rep)}"
    )
    t = Table("gallery N", "FPIR target", "threshold (tuning)", "FPIR reporting",
              "FNIR real photos", "FNIR augmented", "rank-1 miss (real / aug)")  # fmt: skip
    sizes = [(len(gallery), "measured"), *((n, "N x FMR") for n in SIZES[: 1 if quick else 3])]
    for n, how in sizes:
        for fpir in FPIRS:
            fmr = 1 - (1 - fpir) ** (1 / n)
            thr, measured = threshold_for_fmr(imp_tune, fmr)
            if how == "measured":
                got = f"{np.mean(nm >= thr):.3f} ({int(np.sum(nm >= thr))}/{len(nm)}, measured)"
            else:
                per, m = tail_fmr(imp_rep, thr)
                got = f"{1 - (1 - per) ** n:.3g} ({'measured' if m else 'tail'} FMR {per:.1e})"
            fr = np.mean([s < thr for s, _ in mated_real]) if mated_real else float("nan")
            fa = np.mean([s < thr for s, _ in mated_aug]) if mated_aug else float("nan")
            r1 = (f"{np.mean([not r for _, r in mated_real]):.2f} / "
                  f"{np.mean([not r for _, r in mated_aug]):.2f}")  # fmt: skip
            cell = f"{thr:.4f}{'' if measured else ' (tail)'}"
            if thr > 1:  # cosine never passes 1: no threshold meets this FPIR
                cell, got = f"none (tail asks {thr:.3f} > 1)", "-"
            t.add_row(f"{n:,} ({how})", f"{fpir:.1%}", cell, got, f"{fr:.3f}", f"{fa:.3f}", r1)
    console.print(t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedders", default="dlib,faceres,faceres_deep,mobileface")
    ap.add_argument("--quick", action="store_true", help="the measured gallery and 1k only")
    args = ap.parse_args()
    console = Console(width=160)
    for name in args.embedders.split(","):
        run(name, args.quick, console)


if __name__ == "__main__":
    main()
