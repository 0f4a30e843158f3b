"""The floor: a handler importing only `json`, answering a constant."""

import json

BODY = json.dumps({"customerInfo": {"customerId": "0"}})


def handler(event: dict, context: object) -> dict:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": BODY}
