"""YAML configs: load, validate into a typed schema, override, build components."""
