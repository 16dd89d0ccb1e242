"""The consultation as data: the YAML models, their checks, and YAML read safely."""
