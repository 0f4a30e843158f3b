"""Customers: identity, addresses and contact data."""

from __future__ import annotations

from pydantic import RootModel

from selfcare.models.common import (
    LIST_CONFIG,
    AddressText,
    Bool,
    DocumentType,
    Email,
    Id,
    Int,
    Name,
    Phone,
    ResponseModel,
    SharedModel,
    Text,
)


class Address(SharedModel):
    """In CreateCardTokenizationRequest (request) and CustomerDetailInfo (response)."""

    streetAddress: AddressText
    streetAddressLine2: AddressText | None = None
    stateId: Text | None = None
    stateName: Text | None = None
    districtId: Int | None = None
    districtName: Text | None = None
    cityId: Int | None = None
    cityName: Text | None = None
    countryId: Text | None = None
    countryName: Text | None = None
    zoneId: Int | None = None
    stratumId: Int | None = None


class CustomerInfo(SharedModel):
    """In payment and card requests, and in CheckOutInfo/CustomerExtendedInfo responses."""

    customerId: Id
    documentType: DocumentType | None = None
    name: Name | None = None
    lastName: Name | None = None
    email: Email | None = None
    phoneNumber: Phone | None = None
    checksum: Text | None = None


class CustomerIdentification(ResponseModel):
    documentType: DocumentType | None = None
    customerId: Id | None = None


# The contact bodies: responses of the phone/email operations and their natural requests.
class CustomerEmail(SharedModel):
    email: Email | None = None
    validated: Bool | None = None


class CustomerPhone(SharedModel):
    phoneType: Text | None = None
    phone: Phone | None = None
    validated: Bool | None = None


class CustomerEmailList(RootModel[list[CustomerEmail]]):
    model_config = LIST_CONFIG


class CustomerPhoneList(RootModel[list[CustomerPhone]]):
    model_config = LIST_CONFIG


class CustomerPhoneUpdate(SharedModel):
    oldPhone: Phone | None = None
    newPhoneType: Text | None = None
    newPhone: Phone | None = None


class CustomerEmailUpdate(SharedModel):
    oldEmail: Email | None = None
    newEmail: Email | None = None


_Address = Address  # the field below is also named Address


class CustomerDetailInfo(ResponseModel):
    # Required by the contract but never declared there: the customer's document number.
    customerId: Id
    name: Name | None = None
    lastName: Name | None = None
    Address: _Address | None = None
    checksum: Text | None = None
    customerEmailList: list[CustomerEmail] | None = None
    customerPhoneList: list[CustomerPhone] | None = None
    customerIdentificationList: list[CustomerIdentification] | None = None


class CustomerCharacteristics(ResponseModel):
    segmentId: Text | None = None
    segmentName: Name | None = None
    VIP: Bool | None = None


class CustomerExtendedInfo(ResponseModel):
    customerInfo: CustomerInfo | None = None
    customerCharacteristics: CustomerCharacteristics | None = None
