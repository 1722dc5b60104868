"""The services directory: staff YAML in, SQLAlchemy tables, queries the actions call."""
