"""Exchange formats other tools read: SSSOM, OSCAL, CISO Assistant libraries."""
