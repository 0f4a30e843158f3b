"""Where each contract record lives in the TM Forum Open APIs (v4): one `Shape` per record,
its fields in the contract's order. docs/tmf-mapping.md is written from these tables
(`python -m tools.tmf_mapping`). Fields without a path are extension attributes of the
resource's `@type` (TMF's polymorphic extension pattern), described by the JSON schemas under
api/reference/tmf/extensions/.
"""

from __future__ import annotations

from selfcare.adapters.tmf.codec import DATE, ID, TIME, F, Shape

# TMF629 Customer: CustomerExtendedInfo --------------------------------------------------------
CUSTOMER_INFO = Shape(
    (
        F("customerId", "characteristic[documentNumber].value"),
        F("documentType", "characteristic[documentType].value"),
        F("name", "characteristic[givenName].value"),
        F("lastName", "characteristic[familyName].value"),
        F("email", "contactMedium[mediumType=email].characteristic.emailAddress"),
        F("phoneNumber", "contactMedium[mediumType=mobile].characteristic.phoneNumber"),
        F("checksum", "characteristic[checksum].value"),
    )
)
CUSTOMER_CHARACTERISTICS = Shape(
    (
        F("segmentId", "characteristic[segmentId].value"),
        F("segmentName", "characteristic[segmentName].value"),
        F("VIP", "characteristic[VIP].value"),
    )
)
CUSTOMER = Shape(
    (
        F("customerInfo", nested=CUSTOMER_INFO),
        F("customerCharacteristics", nested=CUSTOMER_CHARACTERISTICS),
    ),
    fixed={"@type": "Customer", "status": "Approved"},
)

# TMF637 Product (@type TigoContract): the contract, its service address and financing --------
CONTRACT = Shape(
    (
        F("contractId", "id"),
        F("billingId", "productCharacteristic[billingId].value"),
        F("streetAddress", "place[role=serviceAddress].name"),
    )
)
ADDRESS = Shape(
    tuple(
        F(name)
        for name in (
            "streetAddress",
            "streetAddressLine2",
            "stateId",
            "stateName",
            "districtId",
            "districtName",
            "cityId",
            "cityName",
            "countryId",
            "countryName",
            "zoneId",
            "stratumId",
        )
    )
)
FINANCING = Shape((F("isAvailable"), F("minPaymentAmount")))

# TMF637 Product (@type TigoProduct): a product of the contract and its offerings -------------
BUNDLED_ITEM = Shape(
    tuple(
        F(name)
        for name in (
            "bundledItemId",
            "bundledItemName",
            "bundledItemLegacyName",
            "currencyId",
            "priceAmount",
            "fromDate",
            "toDate",
            "bundledItemType",
        )
    )
)
OFFERING = Shape(  # an element of productRelationship: the offering's product, by value
    (
        F("subscriptionNumber", "product.productCharacteristic[subscriptionNumber].value"),
        F("measuringElement", "product.productCharacteristic[measuringElement].value"),
        F("offeringId", "product.productOffering.id"),
        F("offeringName", "product.productOffering.name", also=("product.name",)),
        F("offeringLegacyId", "product.offeringLegacyId"),
        F("offeringLegacyName", "product.offeringLegacyName"),
        F("active", "product.active"),
        F("status", "product.statusText"),
        F("registrationDate", "product.orderDate", DATE),
        F("fromDate", "product.startDate", DATE),
        F("toDate", "product.terminationDate", DATE),
        F("offeringType", "product.offeringType"),
        F("mediaType", "product.mediaType"),
        F("currencyId", "product.productPrice.0.price.taxIncludedAmount.unit"),
        F("priceAmount", "product.productPrice.0.price.taxIncludedAmount.value"),
        F("bundledItemList", "product.bundledItemList", items=BUNDLED_ITEM),
        F("deviceList", "product.deviceList"),
        F("contract", "product.contract"),
    ),
    fixed={"relationshipType": "bundles"},
    where={"relationshipType": "bundles"},
)
PRODUCT = Shape(
    (
        F("productId", "productSpecification.id", ID),
        F("productName", "productSpecification.name", also=("name",)),
        F("serviceAddress", "place[role=serviceAddress].name"),
        F("offeringList", "productRelationship", items=OFFERING),
    ),
    fixed={"@type": "TigoProduct", "@baseType": "Product", "isBundle": True},
)

# TMF620 ProductOffering (@type TigoQualifiedOffering): offers a product of a contract may take
OFFER = Shape(
    (
        F("offeringId"),
        F("offeringName", "name"),
        F("includedAssets"),
        F("offeringDescription", "description"),
        F("productId", "productSpecification.id"),
        F("productName", "productSpecification.name"),
        F("amount", "productOfferingPrice.0.price.taxIncludedAmount.value"),
        F("currencyId", "productOfferingPrice.0.price.taxIncludedAmount.unit"),
        F("promotionAmount"),
        F("promotionDescription"),
        F("promotionCode"),
        F("promotionStatus"),
        F("mediaType"),
        F("details"),
    ),
    fixed={"@type": "TigoQualifiedOffering", "@baseType": "ProductOffering", "isBundle": False},
)

# TMF678 CustomerBill (@type TigoCustomerBill): Invoice ----------------------------------------
INVOICE = Shape(
    (
        F("invoiceId", "id", also=("billNo",)),
        F("contractId"),
        F("invoiceType", "category"),
        F("billingId"),
        F("billingName"),
        F("streetAddress"),
        F("invoiceAmount", "amountDue.value", also=("taxIncludedAmount.value",)),
        F("dueAmount", "remainingAmount.value"),
        F("minPaymentAmount"),
        F("taxAmount", "taxItem.0.taxAmount.value"),
        F(
            "currencyId",
            "amountDue.unit",
            also=("taxIncludedAmount.unit", "remainingAmount.unit", "taxItem.0.taxAmount.unit"),
        ),
        F("period"),
        F("creationDate", "billDate", DATE),
        F("dueDate", "paymentDueDate", DATE),
        F("extendedDueDate", kind=DATE),
        F("hasAdjustments"),
        F("hasPayment"),
        F("hasRecurringBilling"),
        F("hasPaperlessInvoice"),
        F("VIP"),
        F("billingAccountId", "billingAccount.id", ID),
    ),
    fixed={"@type": "TigoCustomerBill", "@baseType": "CustomerBill"},
)

# TMF676 Payment (@type TigoPayment): paymentInfo ----------------------------------------------
PAYMENT = Shape(
    (
        F("paymentId", "id"),
        F("paymentDate", "paymentDate", DATE),
        F("paymentAmount", "totalAmount.value", also=("amount.value",)),
        F("paymentMethod", "paymentMethod.name"),
        F("ExternalReference", "correlatorId"),
        F("bankName"),
        F("cardBrand"),
    ),
    fixed={"@type": "TigoPayment", "@baseType": "Payment"},
)

# TMF670 PaymentMethod (@type tokenizedCard / bankAccountDebit): RecurringBillingInfo ---------
RECURRING = Shape(
    (
        F("contractId"),
        F("billingId"),
        F("billingName"),
        F("cardInfo", "cardNumber"),
        F("cardBrand", "brand"),
        F("cardExpirationDate"),
        F("cardIssuingBank", "bank"),
        F("paymentMethod", "paymentMethodCode"),
        F("registrationDate", "validFor.startDateTime", DATE),
        F("phoneNumber"),
        F("customerIpAddress"),
    ),
    fixed={"@baseType": "PaymentMethod", "isPreferred": True, "status": "active"},
)

# TMF629/TMF666 contact information of a contract: BillingAccount.contact[0] -----------------
EMAIL = Shape(
    (F("email", "characteristic.emailAddress"), F("validated")),
    fixed={"mediumType": "email", "@type": "TigoContactMedium"},
    where={"mediumType": "email"},
)
PHONE = Shape(
    (
        F("phoneType", "characteristic.contactType"),
        F("phone", "characteristic.phoneNumber"),
        F("validated"),
    ),
    fixed={"mediumType": "phone", "@type": "TigoContactMedium"},
    where={"mediumType": "phone"},
)
IDENTIFICATION = Shape(
    (F("documentType", "identificationType"), F("customerId", "identificationId"))
)
CONTACT = Shape(
    (
        F("customerId", "contact.0.relatedParty.id"),
        F("name", "contact.0.givenName"),
        F("lastName", "contact.0.familyName"),
        F("Address", "contact.0.address"),
        F("checksum", "contact.0.checksum"),
        F("customerEmailList", "contact.0.contactMedium", items=EMAIL),
        F("customerPhoneList", "contact.0.contactMedium", items=PHONE),
        F("customerIdentificationList", "contact.0.partyIdentification", items=IDENTIFICATION),
    )
)

# TMF635 Usage (@type TigoVoiceUsage): CallDetail ----------------------------------------------
CALL = Shape(
    (
        F("origin", "usageCharacteristic[originatingNumber].value"),
        F("destination", "usageCharacteristic[destinationNumber].value"),
        F("destinationCityName", "usageCharacteristic[destinationCityName].value"),
        F("destionationStateName", "usageCharacteristic[destinationStateName].value"),
        F("dateTimeStart", "usageDate", TIME),
        F("dateTimeEnd", "usageCharacteristic[endDateTime].value", TIME),
        F("duration", "usageCharacteristic[durationMinutes].value"),
        F("destinationType", "usageCharacteristic[destinationType].value"),
        F("operatorName", "usageCharacteristic[destinationOperator].value"),
        F("callOffering", "description"),
    ),
    fixed={
        "@type": "TigoVoiceUsage",
        "@baseType": "Usage",
        "usageType": "voice",
        "status": "rated",
    },
)

# TMF621 TroubleTicket (@type TigoServiceRequest): ServiceRequest ------------------------------
SERVICE_REQUEST = Shape(
    (
        F("serviceId", "relatedEntity[role=service].id"),
        F("creationDate", "creationDate", TIME),
        F("productName"),
        F("serviceRequestId", "id"),
        F("status", "statusText"),
        F("requestType", "ticketType", also=("description",)),
        F("subStatus", "statusChangeReason"),
        F("externalId", "externalId"),
        F("asignedGroup", "assignedGroup"),
        F("ServiceActionList", "serviceActionList"),
        F("duration", "durationHours"),
    ),
    fixed={"@type": "TigoServiceRequest", "@baseType": "TroubleTicket", "severity": "Minor"},
)

# TMF646 Appointment (@type TigoVisit): a ServiceAction of a scheduled visit -------------------
VISIT_ACTION = Shape(
    (
        F("serviceActionId", "id"),
        F("status", "statusText"),
        F("type", "category"),
        F("startDateTime", "validFor.startDateTime", TIME),
        F("endDateTime", "validFor.endDateTime", TIME),
        F("scheduleType"),
        F("technicianName", "relatedParty[role=technician].name"),
        F("technicianDocumentId", "relatedParty[role=technician].id"),
        F("technicianPictureURL"),
        F("technicianContractorCompany"),
        F("SimplifiedOfferingList", "simplifiedOfferingList"),
    ),
    fixed={"@type": "TigoVisit", "@baseType": "Appointment"},
)
VISIT_PLACE = Shape(  # the visit's place, written on each of its appointments
    (
        F("contractId", "relatedEntity[role=contract].id"),
        F("serviceAddressId", "relatedPlace.id"),
        F("serviceAddress", "relatedPlace.name"),
        F("serviceCityName"),
        F("serviceStateName"),
        F("neighborhood"),
    )
)

# Card tokens stay in the service's own table (the card vault), not in the BSS.
