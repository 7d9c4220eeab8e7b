"""attestgraph.interop: the exchange formats other tools read and write.

``sssom`` writes the mappings as SSSOM TSV (sssom-py parses, validates and converts
them); ``oscal`` writes OSCAL 1.2 catalogs and mapping collections with
compliance-trestle's models; ``ciso_assistant`` writes CISO Assistant framework,
reference-control and mapping libraries; ``oscal_import`` loads a mapping collection someone
else published into a named graph of its own and compares it with ours.
"""
