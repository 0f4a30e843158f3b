"""Portfolio: ProductList -> Product -> offeringList -> Offering -> deviceList -> Device."""

from __future__ import annotations

from pydantic import RootModel

from selfcare.models.billing import Contract
from selfcare.models.common import (
    LIST_CONFIG,
    AddressText,
    Bool,
    Date,
    Id,
    Int,
    LongText,
    Money,
    Name,
    RequestModel,
    ResponseModel,
    Text,
)


class Device(ResponseModel):
    deviceId: Int
    serialNumber: Text
    modelId: Int | None = None
    modelName: Name | None = None
    manufacturer: Name | None = None
    type: Text | None = None
    active: Bool | None = None
    status: Text | None = None
    extendedUniqueIdentifier: Text | None = None


class DeviceList(RootModel[list[Device]]):
    model_config = LIST_CONFIG


class BundledItem(ResponseModel):
    bundledItemId: Int
    bundledItemName: Name
    bundledItemLegacyName: Name | None = None
    currencyId: Text | None = None
    priceAmount: Money | None = None
    fromDate: Date | None = None
    toDate: Date | None = None
    bundledItemType: Text | None = None


class Offering(ResponseModel):
    subscriptionNumber: Id
    measuringElement: Id | None = None
    offeringId: Id
    offeringName: Name
    offeringLegacyId: Text | None = None
    offeringLegacyName: Name | None = None
    active: Bool | None = None
    status: Text | None = None
    registrationDate: Date | None = None
    fromDate: Date | None = None
    toDate: Date | None = None
    offeringType: Text | None = None
    mediaType: Text | None = None
    currencyId: Text | None = None
    priceAmount: Money | None = None
    bundledItemList: list[BundledItem] | None = None
    deviceList: list[Device] | None = None
    contract: Contract | None = None


class OfferingList(RootModel[list[Offering]]):
    model_config = LIST_CONFIG


class Product(ResponseModel):
    productId: Int
    productName: Name
    serviceAddress: AddressText | None = None
    offeringList: list[Offering] | None = None


class ProductList(RootModel[list[Product]]):
    model_config = LIST_CONFIG


class Product_Old_Please_Deleteme(ResponseModel):  # noqa: N801 - dead, kept for the contract
    productId: Int
    productName: Name
    subscriptionNumber: Id | None = None
    measuringElement: Id | None = None
    offeringId: Id
    offeringName: Name
    offeringLegacyId: Text | None = None
    offeringLegacyName: Name | None = None
    serviceAddress: AddressText | None = None
    active: Bool | None = None
    status: Text | None = None
    fromDate: Date | None = None
    # The contract's items are `DeviceList`, itself an array: a list of lists.
    DeviceList: list[list[Device]] | None = None


class CommercialOffering(ResponseModel):
    offeringId: Id
    offeringName: Name
    includedAssets: LongText | None = None
    offeringDescription: LongText | None = None
    productId: Text | None = None
    productName: Name | None = None
    amount: Money | None = None
    currencyId: Text | None = None
    promotionAmount: Money | None = None
    promotionDescription: LongText | None = None
    promotionCode: Id | None = None
    promotionStatus: Text | None = None
    mediaType: Text | None = None
    details: LongText | None = None


class CommercialOfferingList(RootModel[list[CommercialOffering]]):
    model_config = LIST_CONFIG


class OfferingRequest(RequestModel):
    """Body of adding (POST) or removing (DELETE) an offering."""

    offeringId: Id
    promotionCode: Id | None = None
