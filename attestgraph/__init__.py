"""attestgraph: a knowledge-graph crosswalk engine for SOC 2, ISO/IEC 42001,
ISO/IEC 27001 and India's DPDP Act, for AI companies."""

__version__ = "0.1.0"
