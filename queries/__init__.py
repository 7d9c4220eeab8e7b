"""The query layer: named SPARQL queries and the answers built on them."""
