"""azpatch_fake: an in-memory Azure Resource Manager for hermetic tests of patching scripts.

It keeps its own models and serialization and never imports azpatch, so a
wire bug cannot pass on both sides.
"""

from __future__ import annotations

__all__: list[str] = []
