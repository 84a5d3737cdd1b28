"""hcpcs-lint: lint HCPCS Level II descriptors for CPT-covered services bundled into product codes."""

__version__ = "0.1.0"
