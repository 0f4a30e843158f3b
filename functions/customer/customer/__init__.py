"""The customer function's logic: contact information of a contract's holder."""
