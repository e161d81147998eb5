"""The ML policy: generalises from the stories to conversations nobody wrote down.

Each of the last `max_history` states becomes a multi-hot vector (intent, entity names,
previous action, active form, slot features); the vectors are concatenated, most recent
last, and a small neural network (scikit-learn MLP) predicts the next action.
Trained on the stories and the rules; a few hundred examples train in about a second.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.domain import Domain
from core.tracker import Tracker
from core.prediction import Prediction
from policies.handoff import HANDOFF
from policies.states import State, history, story_trackers, training_pairs


@dataclass
class MLPolicy:
    max_history: int = 5
    hidden: int = 64
    epochs: int = 1000
    seed: int = 42
    vocabulary: dict[str, int] = field(default_factory=dict)
    model: object = None
    priority: int = 1
    name = "ml"

    @classmethod
    def from_options(cls, options) -> "MLPolicy":  # policies.registry.MLOptions
        return cls(max_history=options.max_history, epochs=options.epochs, priority=options.priority)

    def featurize(self, states: list[State]) -> np.ndarray:
        size = len(self.vocabulary)
        vector = np.zeros(self.max_history * size, dtype=np.float32)
        window = states[-self.max_history:]
        start = self.max_history - len(window)
        for position, state in enumerate(window, start=start):
            for feature in state:
                index = self.vocabulary.get(feature)
                if index is not None:
                    vector[position * size + index] = 1.0
        return vector

    def train(self, data, domain: Domain) -> dict:
        """Fit on every action of every story and rule (a policies.registry.PolicyData)."""
        return {"ml_examples": self._train([*data.stories, *data.rules], domain)}

    def _train(self, stories, domain: Domain) -> int:
        """Fit on every action of `stories`; returns the number of examples."""
        from sklearn.neural_network import MLPClassifier

        pairs = [pair for story in stories for tracker in story_trackers(story, domain)
                 for pair in training_pairs(tracker, domain)]
        features = sorted({f for states, _ in pairs for state in states for f in state})
        self.vocabulary = {f: i for i, f in enumerate(features)}
        actions = sorted({action for _, action in pairs})
        if len(actions) < 2:
            self.model = actions[0] if actions else None
            return len(pairs)
        x = np.stack([self.featurize(states) for states, _ in pairs])
        y = [action for _, action in pairs]
        model = MLPClassifier(hidden_layer_sizes=(self.hidden,), max_iter=self.epochs,
                              random_state=self.seed, alpha=1e-3, learning_rate_init=0.01)
        import warnings

        with warnings.catch_warnings():  # small data: convergence warnings are expected noise
            warnings.simplefilter("ignore")
            model.fit(x, y)
        self.model = model
        return len(pairs)

    def predict(self, tracker: Tracker, domain: Domain,
                rejected: frozenset[str] = frozenset()) -> Prediction | None:
        # Starting a form is for rules and stories to decide; the ML policy may only keep
        # the active one going.
        inactive_forms = {f for f in domain.forms if f != tracker.active_loop}
        # Nor is handing over to a person: that is for the customer, the handoff triggers,
        # rules and stories (a guess here floods the agents' queue with "yes" and "?").
        return self.predict_states(history(tracker, domain), exclude={*inactive_forms, HANDOFF})

    def predict_states(self, states: list[State], exclude: set[str] = frozenset()) -> Prediction | None:
        if self.model is None:
            return None
        if isinstance(self.model, str):
            return Prediction(self.model, 1.0, self.name, "the only action in the stories")
        probabilities = self.model.predict_proba(self.featurize(states)[None, :])[0]
        for index, action in enumerate(self.model.classes_):
            if action in exclude:
                probabilities[index] = 0.0
        best = int(np.argmax(probabilities))
        action = str(self.model.classes_[best])
        return Prediction(action, float(probabilities[best]), self.name,
                          f"learnt from the stories (p={probabilities[best]:.2f})")
