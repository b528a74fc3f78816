"""A snapshot of the asset graph: every asset's group, kinds, parents and partitioning, as the UI shows them.

A change to the graph shows up here as a diff to review; when it is meant, regenerate the snapshot with
``GEORISK_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/unit/orchestration/test_asset_graph_snapshot.py`` and commit it.
"""

import json
import os
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parents[2] / "snapshots" / "asset_graph.json"
LAYER_GROUPS = {"raw", "reference", "staging", "intermediate", "marts", "outputs"}


def current() -> dict:
    from orchestration.definitions import defs

    g = defs.resolve_asset_graph()
    out = {}
    for key in sorted(g.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = g.get(key)
        out[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.to_asset_spec().kinds),
            "parents": sorted(p.to_user_string() for p in node.parent_keys),
            "partitioned": node.partitions_def is not None,
            "described": bool((node.description or "").strip()),
        }
    return out


def test_the_asset_graph_matches_its_snapshot():
    graph = current()
    if os.environ.get("GEORISK_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(graph, indent=1) + "\n", encoding="utf-8")
    assert graph == json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_every_asset_sits_in_its_layers_group_with_a_description_and_kinds():
    graph = current()
    assert {a["group"] for a in graph.values()} == LAYER_GROUPS
    for key, a in graph.items():
        assert a["described"] and a["kinds"], key
        prefix = key.split("/")[0]
        if prefix in LAYER_GROUPS:
            assert a["group"] == prefix, key  # the key's schema and the group agree
        else:
            assert a["group"] == "outputs", key
