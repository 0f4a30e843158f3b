"""Throwaway DynamoDB tables on the embedded moto server, keyed (pk, sk) like ours."""

from __future__ import annotations

import uuid

import boto3


def pk_sk_table(prefix: str) -> str:
    """A new table's name; unique, because other tests may share this moto backend."""
    name = f"{prefix}-{uuid.uuid4().hex}"
    boto3.client("dynamodb").create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name
