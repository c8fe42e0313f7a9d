"""Items: what each account owns, visible to its owner only."""
