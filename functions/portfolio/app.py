"""Portfolio routes: products, offerings, available offers."""

from __future__ import annotations

from typing import Any

from portfolio import offerings, products
from selfcare import params
from selfcare.api import Api

api = Api("portfolio")
app = api.app


@app.get("/portfolio/contracts/<contractId>/products")
def get_products_by_contract_id(contractId: str) -> Any:
    limit = params.limit(api.query, *products.LIMIT)
    return products.of_contract(api.backend, api.scope.need_contract(), limit)


@app.get("/portfolio/contracts/<contractId>/products/<productId>")
def get_product_by_contract_id_and_product_id(contractId: str, productId: str) -> Any:
    return products.one(api.backend, api.scope.need_contract(), productId)


@app.post("/portfolio/contracts/<contractId>/products/<productId>")
def add_offering(contractId: str, productId: str) -> Any:
    from selfcare import body
    from selfcare.models.portfolio import OfferingRequest

    request = body.parse(api.event, OfferingRequest)
    contract = api.scope.need_contract()
    return api.once(lambda: (offerings.add(api.backend, contract, productId, request), 201))


@app.delete("/portfolio/contracts/<contractId>/products/<productId>")
def delete_offering(contractId: str, productId: str) -> Any:
    from selfcare import body
    from selfcare.models.portfolio import OfferingRequest

    request = body.parse(api.event, OfferingRequest)
    contract = api.scope.need_contract()
    # 201: the contract's
    return api.once(lambda: (offerings.remove(api.backend, contract, productId, request), 201))


@app.get(
    "/portfolio/contracts/<contractId>/products/<productId>/subscriptions/<subscriptionNumber>"
)
def get_product_by_subscription_number(
    contractId: str, productId: str, subscriptionNumber: str
) -> Any:
    return products.one(api.backend, api.scope.need_contract(), productId, subscriptionNumber)


@app.get("/portfolio/contracts/<contractId>/products/<productId>/availableoffers")
def get_available_offers(contractId: str, productId: str) -> Any:
    return products.available_offers(api.backend, api.scope.need_contract(), productId)


@app.get("/portfolio/doc-type/<docTypeId>/customers/<customerId>")
def get_products_by_customer_id(docTypeId: str, customerId: str) -> Any:
    limit = params.limit(api.query, *products.LIMIT)
    return products.of_customer(api.backend, api.scope.need_customer(), limit)


handler = api.handler
