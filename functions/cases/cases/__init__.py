"""The cases function's logic: service requests and technicians' visits."""
