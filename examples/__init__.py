"""Sample engagements, shipped inside the package (``attestgraph init`` copies one,
``attestgraph plan --example`` plans it) and kept at ``examples/`` in a checkout."""
