"""A small shop's workflows: the project the testing guide's examples test (docs/testing-workflows.md)."""
