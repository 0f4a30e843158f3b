"""The reference: the same route built "the usual way", as most Powertools functions are.

Logger, Tracer and Metrics with their decorators, the REST resolver, a pydantic model for
the answer, and boto3 imported with a DynamoDB client created at module level; one GetItem.
"""

import os

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.types import TypeDeserializer
from pydantic import BaseModel, ConfigDict

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(strip_prefixes=["/v1/tigo/home/co"])
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


@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>")
@tracer.capture_method
def get_customer(docTypeId: str, customerId: str) -> dict[str, object]:
    key = {"pk": {"S": f"CUSTOMER#{docTypeId.upper()}#{customerId}"}, "sk": {"S": "#CUSTOMER"}}
    item = dynamodb.get_item(TableName=TABLE, Key=key).get("Item")
    if item is None:
        raise NotFoundError(f"No customer with {docTypeId} {customerId}")
    customer = Customer.model_validate(deserialize(item["customer"]))
    return customer.model_dump(mode="json", exclude_none=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
