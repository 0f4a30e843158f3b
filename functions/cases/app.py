"""Cases routes: service requests and scheduled visits."""

from __future__ import annotations

from typing import Any

from cases import requests
from selfcare.api import Api

api = Api("cases")
app = api.app


@app.get("/cases/contracts/<contractId>/servicerequests")
def get_service_requests_by_contract_id(contractId: str) -> Any:
    return requests.of_contract(api.backend, api.scope.need_contract())


@app.get("/cases/doc-type/<docTypeId>/customers/<customerId>/servicerequests")
def get_service_requests_by_customer_id(docTypeId: str, customerId: str) -> Any:
    return requests.of_customer(api.backend, api.scope.need_customer())


@app.get("/cases/doc-type/<docTypeId>/customers/<customerId>/scheduledvisits")
def get_scheduled_visits_by_customer_id(docTypeId: str, customerId: str) -> Any:
    return requests.scheduled_visits(api.backend, api.scope.need_customer())


handler = api.handler
