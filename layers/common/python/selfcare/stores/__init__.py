"""The data this service owns, in its own DynamoDB tables (in every backend mode)."""
