"""The codec's paths and conversions (selfcare.adapters.tmf.codec): what a Shape writes is
what it reads, TMF's way (characteristics by name, contact media by type, date-times with
the country's offset)."""

from __future__ import annotations

import pytest

from selfcare.adapters.tmf import shapes
from selfcare.adapters.tmf.codec import DATE, F, Shape, get, put
from selfcare.countries import fixed_zone


def test_a_selector_names_the_list_element_with_that_name_or_attribute():
    resource: dict = {}
    put(resource, "characteristic[segmentId].value", "10")
    put(resource, "contactMedium[mediumType=email].characteristic.emailAddress", "a@b.co")
    put(resource, "characteristic[VIP].value", False)
    assert resource == {
        "characteristic": [{"name": "segmentId", "value": "10"}, {"name": "VIP", "value": False}],
        "contactMedium": [{"mediumType": "email", "characteristic": {"emailAddress": "a@b.co"}}],
    }
    assert get(resource, "characteristic[VIP].value") is False
    assert get(resource, "characteristic[missing].value") is None
    assert get(resource, "contactMedium[mediumType=phone].characteristic") is None


def test_an_index_makes_and_reads_list_elements():
    resource: dict = {}
    put(resource, "taxItem.0.taxAmount.value", 6818)
    assert resource == {"taxItem": [{"taxAmount": {"value": 6818}}]}
    assert get(resource, "taxItem.0.taxAmount.value") == 6818
    assert get(resource, "taxItem.3.taxAmount.value") is None


def test_a_selector_cannot_be_a_value():
    with pytest.raises(ValueError, match="selector"):
        put({}, "characteristic[x]", 1)


def test_a_field_with_no_tmf_home_is_refused_not_dropped():
    with pytest.raises(KeyError, match="surprise"):
        shapes.INVOICE.to_tmf({"invoiceId": "1", "surprise": True}, "-05:00")


def test_dates_travel_as_date_times_of_the_country_and_come_back_as_its_dates():
    shape = Shape((F("day", "billDate", DATE),))
    assert shape.to_tmf({"day": "2026-06-17"}, "-05:00") == {
        "billDate": "2026-06-17T00:00:00-05:00"
    }
    zone = fixed_zone("-05:00")
    assert shape.from_tmf({"billDate": "2026-06-17T03:00:00Z"}, zone) == {"day": "2026-06-16"}


def test_times_from_a_bss_in_another_offset_read_as_local_times():
    zone = fixed_zone("-05:00")
    call = shapes.CALL.from_tmf({"usageDate": "2026-06-06T17:12:25Z"}, zone)
    assert call == {"dateTimeStart": "2026-06-06 12:12:25"}


def test_list_elements_of_another_kind_are_not_read_as_this_one():
    contact = {
        "contact": [
            {
                "contactMedium": [
                    {"mediumType": "email", "characteristic": {"emailAddress": "a@b.co"}},
                    {"mediumType": "phone", "characteristic": {"phoneNumber": "3001234567"}},
                ]
            }
        ]
    }
    read = shapes.CONTACT.from_tmf(contact, fixed_zone("-05:00"))
    assert read["customerEmailList"] == [{"email": "a@b.co"}]
    assert read["customerPhoneList"] == [{"phone": "3001234567"}]
