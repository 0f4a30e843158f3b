"""Gateway notifications signed as the stack's sandbox gateway signs them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def sandbox_gateway(stack: Any) -> Any:
    """The stack's sandbox gateway, with the credentials its secret holds."""
    import boto3

    from selfcare.adapters.items import DynamoItems
    from selfcare.adapters.payments import parse_credentials
    from selfcare.adapters.payments.sandbox import SandboxGateway

    secret = boto3.client("secretsmanager").get_secret_value(
        SecretId=stack.secret_name("GatewaySecret")
    )["SecretString"]
    return SandboxGateway(parse_credentials(secret), DynamoItems(stack.table_name("SandboxTable")))


def signed_approval(
    stack: Any,
    reference: dict[str, Any],
    amount: Decimal,
    currency: str,
    transaction_id: str,
    notification_id: str,
) -> tuple[dict[str, str], str]:
    """The headers and body of a card approval of the attempt `reference` (a CheckOutReference)."""
    from selfcare.payments import Outcome

    outcome = Outcome(
        reference["paymentToken"],
        "approved",
        amount,
        currency,
        transaction_id=transaction_id,
        payment_method="VISA",
        card_brand="VISA",
        notification_id=notification_id,
    )
    headers, body = sandbox_gateway(stack).sign(outcome, reference["checkOutId"])
    return headers, body
