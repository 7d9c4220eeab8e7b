"""The on-disk store: built on first use, rebuilt when a source changes, never half-used."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.graph.embedded import COMPLETE_MARKER, open_embedded, open_on_disk, store_dir
from attestgraph.graph.sources import DataRoot


def count_labels(store) -> int:
    return store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s skos:prefLabel ?o }").records()[0]["n"]


def test_built_on_first_use_then_reused(mini_root, home):
    data = DataRoot.at(mini_root)
    store, report = open_embedded(data, home=home)
    assert report is not None and not store.writable
    assert (store_dir(data, home) / COMPLETE_MARKER).exists()
    store.close()
    del store
    again, second = open_embedded(data, home=home)
    assert second is None  # no rebuild: nothing changed
    assert count_labels(again) > 0


def test_rebuilt_when_a_source_file_changes(mini_root, home):
    data = DataRoot.at(mini_root)
    store, _ = open_embedded(data, home=home)
    before = count_labels(store)
    del store
    path = mini_root / "ontologies" / "frameworks" / "fa.ttl"
    path.write_text(
        path.read_text()
        + '\nfa:2.2 a ag:Requirement ; skos:inScheme <https://w3id.org/attestgraph/id/fa> ; skos:notation "2.2" ;'
        + ' skos:prefLabel "New"@en ; skos:definition "New leaf."@en ; ag:level ag:Subclause ; skos:broader fa:G2 .\n'
    )
    path = mini_root / "crosswalks" / "not-applicable.tsv"
    path.write_text(path.read_text() + "fa:2.2\tTest leaf.\n")
    store, report = open_embedded(data, home=home)
    assert report is not None
    assert count_labels(store) == before + 1


def test_half_built_store_is_never_opened(mini_root, home):
    data = DataRoot.at(mini_root)
    target = store_dir(data, home)
    # A build killed mid-way: the folder exists but was never marked complete.
    half = target.parent / f".building-{target.name}-99999"
    half.mkdir(parents=True)
    (half / "junk").write_text("partial")
    store, report = open_embedded(data, home=home)
    assert report is not None
    assert count_labels(store) > 0
    assert not half.exists()


def test_only_the_most_recent_stores_are_kept(mini_root, home):
    data = DataRoot.at(mini_root)
    path = mini_root / "crosswalks" / "not-applicable.tsv"
    built = []
    for n in range(4):
        path.write_text(f"requirement\treason\nfp:2.1\tBinds another party ({n}).\n")
        store, report = open_embedded(data, home=home)
        assert report is not None
        built.append(store_dir(data, home))
        del store
    kept = sorted(p.name for p in (home / "stores").iterdir() if p.is_dir())
    assert kept == sorted(p.name for p in built[-3:])


def test_answers_stop_at_the_byte_budget():
    """Issue 12.6: a row limit alone does not bound an answer; the byte budget does."""
    import pyoxigraph as ox

    from attestgraph.graph.results import Result

    store = ox.Store()
    store.update('INSERT DATA { ' + " ".join(f'<urn:s{i}> <urn:p> "{"x" * 1000}" .' for i in range(20)) + ' }')
    answer = Result.from_oxigraph(store.query("SELECT ?o WHERE { ?s ?p ?o }"), max_rows=100, max_bytes=5_500)
    assert answer.truncated and len(answer.rows) == 5
    whole = Result.from_oxigraph(store.query("SELECT ?o WHERE { ?s ?p ?o }"), max_rows=100, max_bytes=10**6)
    assert not whole.truncated and len(whole.rows) == 20
    graph = Result.from_oxigraph(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), max_bytes=3_000)
    assert graph.truncated and len(graph.triples) == 2


def test_scratch_copy_of_an_on_disk_store_leaves_out_engagements_and_goes_on_close(mini_root, home):
    store, _ = open_embedded(DataRoot.at(mini_root), home=home)
    folder = store.location
    store.close()
    del store
    stored = v.engagement_graph("someone-else")
    writer = open_on_disk(folder, writable=True)
    writer.replace_graph(stored, [ox.Quad(ox.NamedNode(v.ID + "x"), ox.NamedNode(v.AG + "p"), ox.Literal("1"),
                                          ox.NamedNode(stored))])
    writer.close()
    del writer
    original = open_on_disk(folder)
    before = original.triples_per_graph()
    assert before[stored] == 1

    scratch = original.scratch_copy()
    assert scratch.writable and scratch.location not in ("memory", folder)
    assert scratch.triples_per_graph() == {g: n for g, n in before.items() if g != stored}
    mine = v.engagement_graph("mine")
    scratch.replace_graph(mine, [ox.Quad(ox.NamedNode(v.ID + "y"), ox.NamedNode(v.AG + "p"), ox.Literal("2"),
                                         ox.NamedNode(mine))])
    assert scratch.count_in(mine) == 1
    assert original.triples_per_graph() == before  # the original is never written

    copy_folder = Path(scratch.location).parent
    assert copy_folder.is_dir()
    scratch.close()
    assert not copy_folder.exists()
