"""The tokenization function's logic: the customer's tokenized cards."""
