"""The ML policy: generalises from the stories to conversations nobody wrote down.

What it sees of a conversation (`featurize`): one multi-hot block per state over the
features of `policies.states` (intent and entity names, previous action, active form,
requested slot, the slots that influence the conversation), the state now first:

    [ the state now | the state before it | ... | max_history - 1 states back ]

so what the customer just said and what the bot just did sit in the same block whether
the conversation is two turns old or twenty. A small neural network (scikit-learn MLP)
predicts the next action. It trains on the stories, the rules (with their conditions) and
conversations glued from them (`policies.augment`, Rasa's `augmentation_factor`), which
teach it that the latest turns decide, not how the conversation began. On the example a
few thousand examples train in about a second on 2 CPU cores.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from core.domain import Domain
from core.prediction import Prediction
from core.tracker import Tracker
from policies.augment import glued_pairs, rules_as_stories, story_pairs
from policies.handoff import HANDOFF
from policies.states import State, history

DEACTIVATE = "action_deactivate_loop"
# Weight decay: strong, so that the network leans on features many examples share (the
# intent just said, the action just run) rather than on one story's particulars (measured
# in bench/dialogue_policy.py: 1e-3 generalised worse to held-out and off-story turns).
L2 = 0.03


@dataclass
class MLPolicy:
    max_history: int = 5
    hidden: int = 64
    epochs: int = 1000  # at most this many passes over the examples (Rasa's TED: `epochs`)
    augmentation_factor: int = 50  # glued conversations: 10 per unit (Rasa's default: 50)
    seed: int = 42
    vocabulary: dict[str, int] = field(default_factory=dict)
    model: object = None
    priority: int = 1
    name = "ml"

    @classmethod
    def from_options(cls, options) -> "MLPolicy":  # policies.registry.MLOptions
        return cls(max_history=options.max_history, hidden=options.hidden, epochs=options.epochs,
                   augmentation_factor=options.augmentation_factor, priority=options.priority)

    def featurize(self, states: list[State]) -> np.ndarray:
        """The blocks of the module docstring, one vector (float32)."""
        size = len(self.vocabulary)
        blocks = np.zeros((self.max_history, size), dtype=np.float32)  # [states back, feature]
        window = states[-self.max_history:][::-1]  # the state now first
        for position, state in enumerate(window):
            for feature in state:
                index = self.vocabulary.get(feature)
                if index is not None:
                    blocks[position, index] = 1.0
        return blocks.reshape(-1)

    def train(self, data, domain: Domain) -> dict:
        """Fit on the stories, the rules and glued stories (a policies.registry.PolicyData)."""
        return {"ml_examples": self._train(data.stories, data.rules, domain)}

    def _train(self, stories, rules, domain: Domain) -> int:
        """Fit; returns the number of examples."""
        from sklearn.neural_network import MLPClassifier

        rules = rules_as_stories(rules, domain)
        pairs = story_pairs([*stories, *rules], domain)
        pairs += glued_pairs([*stories, *rules], domain, self.augmentation_factor, self.seed)
        features = sorted({f for states, _ in pairs for state in states for f in state})
        self.vocabulary = {f: i for i, f in enumerate(features)}
        actions = sorted({action for _, action in pairs})
        if len(actions) < 2:
            self.model = actions[0] if actions else None
            return len(pairs)
        x = np.stack([self.featurize(states) for states, _ in pairs])  # [examples, features]
        y = [action for _, action in pairs]
        model = MLPClassifier(hidden_layer_sizes=(self.hidden,), max_iter=self.epochs,
                              random_state=self.seed, alpha=L2, learning_rate_init=0.01)
        with warnings.catch_warnings():  # small data: convergence warnings are expected noise
            warnings.simplefilter("ignore")
            model.fit(x, y)
        self.model = MLPWeights.of(model)  # served without scikit-learn
        return len(pairs)

    def predict(self, tracker: Tracker, domain: Domain,
                rejected: frozenset[str] = frozenset()) -> Prediction | None:
        # Starting a form is for rules and stories to decide; the ML policy may only keep
        # the active one going (or end it).
        exclude = {f for f in domain.forms if f != tracker.active_loop}
        if tracker.active_loop is None:
            exclude.add(DEACTIVATE)  # no form to end
        # Nor is handing over to a person: that is for the customer, the handoff triggers,
        # rules and stories (a guess here floods the agents' queue with "yes" and "?").
        exclude.add(HANDOFF)
        return self.predict_states(history(tracker, domain), exclude=exclude)

    def predict_states(self, states: list[State], exclude: set[str] = frozenset()) -> Prediction | None:
        if self.model is None:
            return None
        if isinstance(self.model, str):
            return Prediction(self.model, 1.0, self.name, "the only action in the stories")
        probabilities = mlp_probabilities(self.model, self.featurize(states))
        for index, action in enumerate(self.model.classes_):
            if action in exclude:
                probabilities[index] = 0.0
        best = int(np.argmax(probabilities))
        action = str(self.model.classes_[best])
        return Prediction(action, float(probabilities[best]), self.name,
                          f"learnt from the stories (p={probabilities[best]:.2f})")


@dataclass(frozen=True, eq=False)  # arrays: compared by identity, as the MLPClassifier was
class MLPWeights:
    """A fitted `MLPClassifier`'s layers as plain arrays: all that prediction needs, so that a
    served assistant never imports scikit-learn (1.5 s of its start, with scipy). The names
    are scikit-learn's, so a model pickled whole before this predicts through the same code."""

    coefs_: tuple[np.ndarray, ...]
    intercepts_: tuple[np.ndarray, ...]
    activation: str  # the hidden layers'
    out_activation_: str  # softmax, or logistic for two actions
    classes_: np.ndarray

    @classmethod
    def of(cls, model) -> "MLPWeights":
        return cls(tuple(model.coefs_), tuple(model.intercepts_), model.activation,
                   model.out_activation_, np.asarray(model.classes_))


def _activate(name: str, x: np.ndarray) -> None:
    """scikit-learn's in-place activations (sklearn.neural_network._base), in numpy."""
    if name == "relu":
        np.maximum(x, 0, out=x)
    elif name == "tanh":
        np.tanh(x, out=x)
    elif name == "logistic":
        x[...] = 1.0 / (1.0 + np.exp(-x))
    elif name == "softmax":
        np.exp(x - x.max(axis=1)[:, np.newaxis], out=x)
        x /= x.sum(axis=1)[:, np.newaxis]
    elif name != "identity":
        raise ValueError(f"unknown activation {name!r}")


def mlp_probabilities(model, x: np.ndarray) -> np.ndarray:
    """`model.predict_proba(x[None, :])[0]` for an `MLPWeights` (or a fitted MLPClassifier), as
    its forward pass computes it, without scikit-learn's input checks (most of a turn's
    policy time before)."""
    activation = x.astype(model.coefs_[0].dtype, copy=False)[None, :]
    last = len(model.coefs_) - 1
    for i, (weights, bias) in enumerate(zip(model.coefs_, model.intercepts_)):
        activation = activation @ weights + bias
        _activate(model.activation if i < last else model.out_activation_, activation)
    activation = activation[0]
    if model.out_activation_ == "logistic" and activation.shape[0] == 1:  # two actions
        return np.array([1.0 - activation[0], activation[0]], dtype=activation.dtype)
    return activation
