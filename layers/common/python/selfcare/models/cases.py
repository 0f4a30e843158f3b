"""Cases: service requests and scheduled technician visits."""

from __future__ import annotations

from pydantic import RootModel

from selfcare.models.common import (
    LIST_CONFIG,
    AddressText,
    DateTimeText,
    Duration,
    Id,
    Int,
    LongText,
    Name,
    Phone,
    ResponseModel,
    Text,
    Url,
)


class SimplifiedOffering(ResponseModel):
    offeringId: Id
    offeringName: Name
    offeringType: Text | None = None
    subscriptionNumber: Id | None = None
    measuringElement: Id | None = None
    productId: Int | None = None
    productName: Name | None = None
    details: LongText | None = None


class ServiceAction(ResponseModel):
    serviceActionId: Id | None = None
    status: Text | None = None
    type: Text | None = None
    startDateTime: DateTimeText | None = None
    endDateTime: DateTimeText | None = None
    scheduleType: Text | None = None
    technicianName: Name | None = None
    technicianDocumentId: Id | None = None
    technicianPictureURL: Url | None = None
    technicianContractorCompany: Name | None = None
    SimplifiedOfferingList: list[SimplifiedOffering] | None = None


class ServiceRequest(ResponseModel):
    serviceId: Id | None = None
    creationDate: DateTimeText | None = None
    productName: Name | None = None
    serviceRequestId: Id
    status: LongText | None = None
    requestType: Text | None = None
    subStatus: Text | None = None
    externalId: Id | None = None
    asignedGroup: Name | None = None
    ServiceActionList: list[ServiceAction] | None = None
    # Required by the contract but never declared there: hours the request has been open.
    duration: Duration


class ServiceRequestList(RootModel[list[ServiceRequest]]):
    model_config = LIST_CONFIG


class ScheduledVisit(ResponseModel):
    contractId: Id | None = None
    serviceAddressId: Id | None = None
    serviceAddress: AddressText | None = None
    serviceCityName: Text | None = None
    serviceStateName: Text | None = None
    neighborhood: Text | None = None
    serviceActionList: list[ServiceAction] | None = None


class ScheduledVisitInfo(ResponseModel):
    customerId: Id | None = None
    msisdn: Phone | None = None
    customerName: Name | None = None
    customerPhone: Phone | None = None
    scheduledVisitList: list[ScheduledVisit] | None = None
