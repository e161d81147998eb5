"""The two pictures `cli.py test nlu` draws, as Rasa draws them: the intent confusion matrix
and the paired confidence histogram (right predictions vs wrong ones).

Figures are built with `matplotlib.figure.Figure` and saved by its Agg canvas: no pyplot,
no global backend to switch, nothing shown on screen.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], path: Path) -> Path:
    """True intents down, predicted across, counts in the cells on a log colour scale (as
    Rasa: the few errors stay visible next to the large diagonal); grows with the labels."""
    import numpy as np
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    labels = sorted(set(gold) | set(predicted))
    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=int)  # (true, predicted)
    for g, p in zip(gold, predicted):
        counts[index[g], index[p]] += 1
    n = len(labels)
    side = max(6.0, 0.34 * n + 3.5)
    font = 10 if n <= 20 else 8 if n <= 45 else 6
    figure = Figure(figsize=(side, side * 0.92), dpi=100)
    ax = figure.add_subplot()
    shown = np.ma.masked_equal(counts, 0)  # empty cells stay white
    image = ax.imshow(shown, cmap="Blues", aspect="auto", interpolation="nearest",
                      norm=LogNorm(vmin=1, vmax=max(int(counts.max()), 2)))
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="texts")
    ax.set_xticks(range(n), labels, rotation=90, fontsize=font)
    ax.set_yticks(range(n), labels, fontsize=font)
    threshold = counts.max() ** 0.5  # the middle of the log scale
    for (row, col), value in np.ndenumerate(counts):
        if value:
            ax.text(col, row, str(value), ha="center", va="center", fontsize=font - 1,
                    color="white" if value > threshold else "black")
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(f"Intent Confusion matrix ({len(gold)} texts)")
    figure.tight_layout()
    figure.savefig(path)
    return path


def confidence_histogram(right: Sequence[float], wrong: Sequence[float], path: Path,
                         bins: int = 20) -> Path:
    """Rasa's 'Intent Prediction Confidence Distribution': confidence up the middle in
    0.05-wide bins, wrong predictions to the left (red), right ones to the right (green),
    each side with its own count axis."""
    import numpy as np
    from matplotlib.figure import Figure

    edges = np.linspace(0.0, 1.0, bins + 1)
    height = edges[1] - edges[0]
    hits, _ = np.histogram(np.clip(right, 0, 1), edges)
    misses, _ = np.histogram(np.clip(wrong, 0, 1), edges)
    figure = Figure(figsize=(10, 7), dpi=100)
    left, rightax = figure.subplots(1, 2, sharey=True)
    left.barh(edges[:-1], misses, height=height, align="edge", color="#e45756",
              edgecolor="white", label=f"wrong ({len(wrong)})")
    rightax.barh(edges[:-1], hits, height=height, align="edge", color="#54a24b",
                 edgecolor="white", label=f"right ({len(right)})")
    # each side on its own scale (a few dozen errors next to hundreds of hits would vanish
    # on a shared one), the wrong side mirrored
    left.set_xlim(max(int(misses.max(initial=0)), 1) * 1.1, 0)
    rightax.set_xlim(0, max(int(hits.max(initial=0)), 1) * 1.1)
    left.set_ylim(0, 1)
    left.set_ylabel("Confidence")
    left.set_title("Wrong")
    rightax.set_title("Correct")
    for ax in (left, rightax):
        ax.set_xlabel("Number of Samples")
        ax.legend(loc="best")
        ax.grid(axis="x", alpha=0.3)
    figure.suptitle("Intent Prediction Confidence Distribution")
    figure.tight_layout()
    figure.savefig(path)
    return path
