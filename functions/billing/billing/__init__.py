"""The billing function's logic: invoices, balance, calls, spool documents, payments."""
