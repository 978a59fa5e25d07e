"""Inventory sources: what resources exist and how they relate, from AWS Config (account or
aggregator), delivered Config files, or direct Describe/List calls."""
