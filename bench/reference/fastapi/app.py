"""The same route in FastAPI behind Mangum (runs in bench/.venv-compare): the customer of
bench/reference/shared as the response model, read with one GetItem."""

from customers import Customer, read
from fastapi import FastAPI, HTTPException
from mangum import Mangum

app = FastAPI()


@app.get(
    "/v1/tigo/home/{country}/billing/doc-type/{docTypeId}/customers/{customerId}",
    response_model=Customer,
    response_model_exclude_none=True,
)
def get_customer(country: str, docTypeId: str, customerId: str) -> Customer:
    customer = read(docTypeId, customerId)
    if customer is None:
        raise HTTPException(404, f"No customer with {docTypeId} {customerId}")
    return customer


handler = Mangum(app, lifespan="off")
