"""`NLUPipeline`: the components config.yml lists, run in order on every customer message.

    pipeline = build_pipeline(resolved, context)      # resolved = nlu.registry.resolve_pipeline(...)
    message = pipeline.process("where is my order 12345?")

Each component receives the `Message` so far and must return a `Message` (checked after
every component, naming the one that broke the contract, as spaCy does); the first one
starts from an empty message in the project's language.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import SwitchboardError
from core.message import Message
from core.registry import Resolved
from nlu.components import PipelineContext


class PipelineError(SwitchboardError):
    """A component could not be built, or broke the Message-in, Message-out contract."""


@dataclass
class NLUPipeline:
    components: list
    language: str = "en"

    @property
    def names(self) -> list[str]:
        return [getattr(c, "name", type(c).__name__) for c in self.components]

    def process(self, text: str) -> Message:
        message = Message(text, language=self.language)
        for component in self.components:
            out = component.process(message)
            if not isinstance(out, Message):
                name = getattr(component, "name", type(component).__name__)
                raise PipelineError(f"NLU component '{name}' returned {type(out).__name__}, "
                                    "not a Message: process(message) must return a Message")
            message = out
        return message


def build_pipeline(resolved: list[Resolved], context: PipelineContext) -> NLUPipeline:
    """Build every component in order. Ours take (options, context), their options an
    instance of their schema; a project's own `module.Class` takes its options (a dict) as
    keyword arguments (and `context=` if it asks for it)."""
    components = []
    for item in resolved:
        try:
            if not isinstance(item.options, dict):
                components.append(item.cls(item.options, context))
            else:
                components.append(_project_component(item, context))
        except Exception as exc:  # noqa: BLE001 - a project's component: say where it is listed
            where = f"{item.spec.source.file}:{item.spec.line}: " if item.spec.source else ""
            raise PipelineError(f"{where}{item.spec.key}: could not build '{item.name}': "
                                f"{type(exc).__name__}: {exc}") from None
    return NLUPipeline(components, context.language)


def _project_component(item: Resolved, context: PipelineContext):
    import inspect

    options = dict(item.options)
    if "context" in inspect.signature(item.cls).parameters:
        options["context"] = context
    component = item.cls(**options)
    if not callable(getattr(component, "process", None)):
        raise TypeError(f"{item.name} has no process(message) method")
    return component
