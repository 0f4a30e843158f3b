"""The reference: the same route built "the usual way", as most Powertools functions are.

Logger, Tracer and Metrics with their decorators, the REST resolver, and the customer of
bench/reference/shared: a pydantic model for the answer, and boto3 imported with a DynamoDB
client created at module level; one GetItem.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from customers import read

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(strip_prefixes=["/v1/tigo/home/co"])


@app.get("/billing/doc-type/<docTypeId>/customers/<customerId>")
@tracer.capture_method
def get_customer(docTypeId: str, customerId: str) -> dict[str, object]:
    customer = read(docTypeId, customerId)
    if customer is None:
        raise NotFoundError(f"No customer with {docTypeId} {customerId}")
    return customer.model_dump(mode="json", exclude_none=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
