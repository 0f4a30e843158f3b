"""What both references serve (bench/reference/powertools and fastapi), so that they differ
only in their framework: the customer as a pydantic model, read with one GetItem by a
boto3 DynamoDB client created at module level."""

import os

import boto3
from boto3.dynamodb.types import TypeDeserializer
from pydantic import BaseModel, ConfigDict

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


def read(doc_type: str, customer_id: str) -> Customer | None:
    key = {"pk": {"S": f"CUSTOMER#{doc_type.upper()}#{customer_id}"}, "sk": {"S": "#CUSTOMER"}}
    item = dynamodb.get_item(TableName=TABLE, Key=key).get("Item")
    return None if item is None else Customer.model_validate(deserialize(item["customer"]))
