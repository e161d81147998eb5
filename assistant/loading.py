"""Load a trained assistant: the project's files, its custom actions and every trained part
under `models/`, assembled into a `dialogue.agent.Agent`."""
from __future__ import annotations

from pathlib import Path

from dialogue.agent import Agent
from policies.ensemble import PolicyEnsemble
from project.loader import Project, state_path
from stores.handoffs import HandoffQueue, TicketQueue
from stores.sqlite import TrackerStore


def load_agent(project_dir: Path, models: Path, seed: int | None = None,
               queue: TicketQueue | None = None, store: TrackerStore | None = None,
               project: Project | None = None) -> Agent:
    """The trained agent of `project_dir` (`project`: that folder, already loaded)."""
    from assistant.train import dialogue_dir, nlu_config, nlu_dir
    from dialogue.registry import load_project_actions
    from nlu import NLUParser

    from assistant.project import load_checked_project
    from policies.ensemble import resolve_or_raise

    project = project or load_checked_project(project_dir)
    actions = load_project_actions(project_dir)
    resolve_or_raise(project)  # the config's policies must still be valid
    policies = PolicyEnsemble.load(dialogue_dir(models), project.root)
    queue = queue or HandoffQueue(state_path(project_dir, "handoffs.sqlite"))
    options = nlu_config(project)
    parser = NLUParser.load(nlu_dir(models), quantize=options.quantize) if options else None
    answerer, selector = load_retrieval(project, models)
    return Agent(project, parser, policies, queue, seed, answerer, selector, store, actions)


def load_retrieval(project: Project, models: Path):
    """(grounded answerer over `models/knowledge`, FAQ response selector), each None when
    the project has no knowledge base / no retrieval intents; one sentence encoder serves both."""
    from assistant.train import encoder_export_dir, knowledge_dir, selector_dir, sentence_encoder
    from knowledge.embedder import SentenceEmbedder
    from knowledge.index import KnowledgeIndex
    from knowledge.selector import ResponseSelector
    from nlu.onnx_runner import configured_runtime
    from responses.grounded import GroundedAnswerer

    index = KnowledgeIndex.load(knowledge_dir(models))
    from assistant.train import selector_listed

    selector = (ResponseSelector.load(selector_dir(models))
                if project.domain.retrieval_actions and selector_listed(project) else None)
    if (index is None or not index.passages) and selector is None:
        return None, None
    # the encoder the index was built with (its query vectors must live in the same space)
    embedder = SentenceEmbedder(index.encoder if index is not None and index.passages
                                else sentence_encoder(project),
                                onnx_dir=None if configured_runtime() == "torch"
                                else encoder_export_dir(models))
    answerer = None
    if index is not None and index.passages:
        index.embedder = embedder
        answerer = GroundedAnswerer(index, project.domain.generation,
                                    language=project.config.language,
                                    languages=project.config.languages)
    if selector is not None:
        selector.embedder = embedder
    return answerer, selector
