"""City scale on Ray: camera shards as actors placed and restarted by the engine.

Kuzet says only *what* runs (shards of cameras, the store sink); Ray chooses nodes, detects
failures and restarts actors. Importing this package does not import Ray: only
:mod:`kuzet.cluster.driver` does, so ``kuzet demo`` / ``kuzet serve`` never load it.
"""

from kuzet.cluster.plan import ShardPlan, plan_shards

__all__ = ["ShardPlan", "plan_shards"]
