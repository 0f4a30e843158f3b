"""Billing: invoices, payments, paperless invoices, recurring billing, balance, calls."""

from __future__ import annotations

from pydantic import RootModel

from selfcare.models.common import (
    LIST_CONFIG,
    AddressText,
    Bool,
    Date,
    DateTimeText,
    DocumentType,
    Duration,
    Email,
    Id,
    Int,
    IpAddress,
    LongText,
    Money,
    Name,
    Phone,
    PositiveMoney,
    RequestModel,
    ResponseModel,
    SharedModel,
    Text,
    Url,
)
from selfcare.models.customer import CustomerInfo


class Invoice(ResponseModel):
    invoiceId: Id
    contractId: Id | None = None
    invoiceType: Text | None = None
    billingId: Int | None = None
    billingName: Name | None = None
    streetAddress: AddressText | None = None
    invoiceAmount: Money | None = None
    dueAmount: Money | None = None
    minPaymentAmount: Money | None = None
    taxAmount: Money | None = None
    currencyId: Text | None = None
    period: Text | None = None
    creationDate: Date | None = None
    dueDate: Date | None = None
    extendedDueDate: Date | None = None
    hasAdjustments: Bool | None = None
    hasPayment: Bool | None = None
    hasRecurringBilling: Bool | None = None
    hasPaperlessInvoice: Bool | None = None
    VIP: Bool | None = None
    billingAccountId: Int | None = None


class InvoiceList(RootModel[list[Invoice]]):
    model_config = LIST_CONFIG


class CreateInvoiceRequest(RequestModel):
    """Body of CreateInvoiceByContractId (inline in the contract)."""

    amount: PositiveMoney | None = None


class CreateInvoiceResponse(ResponseModel):
    """201 body of CreateInvoiceByContractId (inline in the contract)."""

    invoiceId: Id | None = None


class paymentInfo(ResponseModel):  # noqa: N801 - contract name
    paymentId: Id | None = None
    paymentDate: Date | None = None
    paymentAmount: Money | None = None
    paymentMethod: Text | None = None
    ExternalReference: Text | None = None
    bankName: Name | None = None
    cardBrand: Text | None = None


class paperlessInvoiceInfo(ResponseModel):  # noqa: N801 - contract name
    email: Email
    alternateEmail: Email | None = None
    phoneNumber: Phone | None = None
    billingId: Int | None = None
    customerId: Id | None = None
    documentType: DocumentType | None = None
    subcriptionStatusId: Int | None = None
    subcriptionStatusMessage: LongText | None = None


class paperlessInvoiceInfoRequest(RequestModel):  # noqa: N801 - contract name
    email: Email
    alternateEmail: Email | None = None
    phoneNumber: Phone | None = None
    billingId: Int | None = None
    customerId: Id | None = None
    documentType: DocumentType | None = None
    registeringAppName: Text | None = None
    customerIpAddress: IpAddress | None = None
    unsubscribeReasonId: Int | None = None
    updateReason: LongText | None = None
    affectRelatedContracts: Bool | None = None


class RecurringBillingInfo(SharedModel):
    """GET answer, and part of RecurringBillingInfoRequest."""

    contractId: Id | None = None
    billingId: Id | None = None
    billingName: Name | None = None
    cardInfo: Text | None = None
    cardBrand: Text | None = None
    cardExpirationDate: Text | None = None
    cardIssuingBank: Name | None = None
    paymentMethod: Text | None = None
    # `format: date` (the contract's date-time example does not validate).
    registrationDate: Date | None = None
    phoneNumber: Phone | None = None
    customerIpAddress: IpAddress | None = None


class RecurringBillingInfoRequest(RequestModel):
    recurringBillingInfo: RecurringBillingInfo | None = None
    customerInfo: CustomerInfo | None = None
    transactionId: Id | None = None
    cardToken: Id | None = None


class Contract(ResponseModel):
    contractId: Id
    billingId: Id | None = None
    streetAddress: AddressText | None = None


class ContractList(RootModel[list[Contract]]):
    model_config = LIST_CONFIG


class CheckOutInfo(SharedModel):
    """POST body and GET answer of checkOut."""

    checkOutId: Id | None = None
    invoiceId: Id
    paymentDate: Date | None = None
    paymentAmount: PositiveMoney
    paymentDescription: LongText | None = None
    returnUrl: Url | None = None
    cancelUrl: Url | None = None
    paymentMethods: list[Text] | None = None
    paymentApproved: Bool | None = None
    paymentStatus: Int | None = None
    customerInfo: CustomerInfo


class CheckOutReference(ResponseModel):
    paymentToken: Id
    checkOutId: Id | None = None
    redirectUrl: Url | None = None


class BillingDateList(RootModel[list[Date]]):
    model_config = LIST_CONFIG


class BillingBalance(ResponseModel):
    dueAmount: Money
    minPaymentAmount: Money | None = None
    dueDate: Date | None = None
    lastUpdateDate: Date | None = None
    period: Text | None = None
    dueInvoicesCount: Int | None = None
    hasRecurringBilling: Bool | None = None


class CallDetail(ResponseModel):
    origin: Phone | None = None
    destination: Phone
    destinationCityName: Text | None = None
    destionationStateName: Text | None = None
    dateTimeStart: DateTimeText | None = None
    dateTimeEnd: DateTimeText | None = None
    duration: Duration  # minutes
    destinationType: Text | None = None
    operatorName: Name | None = None
    callOffering: Name | None = None


class CallDetailList(RootModel[list[CallDetail]]):
    model_config = LIST_CONFIG


class FinancingInfo(ResponseModel):
    isAvailable: Bool
    minPaymentAmount: Money | None = None
