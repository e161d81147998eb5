"""The knowledge base: policy documents chunked, embedded and searched (see knowledge.index)."""
