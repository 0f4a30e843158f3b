"""The portfolio function's logic: products, offerings and available offers."""
