"""The same route in FastAPI behind Mangum (runs in bench/.venv-compare): a pydantic
response model and boto3 with a DynamoDB client created at module level; one GetItem."""

import os

import boto3
from boto3.dynamodb.types import TypeDeserializer
from fastapi import FastAPI, HTTPException
from mangum import Mangum
from pydantic import BaseModel, ConfigDict

app = FastAPI()
dynamodb = boto3.client("dynamodb")
TABLE = os.environ["SANDBOX_TABLE"]
deserialize = TypeDeserializer().deserialize


class CustomerInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    customerId: str
    documentType: str
    name: str | None = None
    lastName: str | None = None
    email: str | None = None
    phoneNumber: str | None = None


class Customer(BaseModel):
    model_config = ConfigDict(extra="allow")
    customerInfo: CustomerInfo
    customerCharacteristics: dict[str, object] | None = None


@app.get(
    "/v1/tigo/home/{country}/billing/doc-type/{docTypeId}/customers/{customerId}",
    response_model=Customer,
    response_model_exclude_none=True,
)
def get_customer(country: str, docTypeId: str, customerId: str) -> Customer:
    key = {"pk": {"S": f"CUSTOMER#{docTypeId.upper()}#{customerId}"}, "sk": {"S": "#CUSTOMER"}}
    item = dynamodb.get_item(TableName=TABLE, Key=key).get("Item")
    if item is None:
        raise HTTPException(404, f"No customer with {docTypeId} {customerId}")
    return Customer.model_validate(deserialize(item["customer"]))


handler = Mangum(app, lifespan="off")
