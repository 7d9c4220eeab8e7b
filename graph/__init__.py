"""The graph: data sources, the build (load, materialise, infer, validate) and the stores."""
