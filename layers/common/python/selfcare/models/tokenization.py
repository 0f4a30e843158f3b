"""Card tokenization. Card number and CVV are `SecretStr`: masked in repr and dumps."""

from __future__ import annotations

from pydantic import RootModel

from selfcare.models.common import (
    LIST_CONFIG,
    CardExpiration,
    CardNumber,
    CardVerificationValue,
    DocumentType,
    Id,
    IpAddress,
    Name,
    RequestModel,
    ResponseModel,
    Text,
)
from selfcare.models.customer import Address, CustomerInfo


class TokenInfo(ResponseModel):
    cardToken: Id
    cardInfo: Text | None = None
    cardBrand: Text | None = None
    cardPrintedName: Name | None = None


class TokenInfoList(RootModel[list[TokenInfo]]):
    model_config = LIST_CONFIG


class CardDetails(RequestModel):
    cardNumber: CardNumber | None = None
    cardExpirationDate: CardExpiration | None = None
    cardVerificationValue: CardVerificationValue | None = None
    cardBrand: Text | None = None
    cardPrintedName: Name | None = None


class CreateCardTokenizationRequest(RequestModel):
    customerInfo: CustomerInfo | None = None
    address: Address | None = None
    cardDetails: CardDetails | None = None
    transactionId: Id | None = None
    customerIpAddress: IpAddress | None = None


class cardTokenizationRequest(RequestModel):  # noqa: N801 - contract name
    """Body of DELETE card token and DELETE recurring billing."""

    cardToken: Id | None = None
    customerId: Id | None = None
    documentType: DocumentType | None = None
    transactionId: Id | None = None
    customerIpAddress: IpAddress | None = None
