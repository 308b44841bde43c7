"""The domain: entities, value objects, policies, errors and ports. Standard library only."""
