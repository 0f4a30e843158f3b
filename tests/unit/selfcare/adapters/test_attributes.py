"""Attribute values by boto3's rules: what `dump` sends and `load` reads are what boto3 would
send and read, byte for byte on the wire."""

import json
from decimal import Decimal, DecimalException

import botocore.serialize
import botocore.session
import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st

from selfcare.adapters.attributes import dump, load

LARGEST = 10**38 - 1  # 38 digits, DynamoDB's precision

# Numbers DynamoDB holds exactly: up to 38 significant digits, magnitudes 1E-130..1E+126.
numbers = st.one_of(
    st.integers(-LARGEST, LARGEST),
    st.builds(
        lambda mantissa, exponent: Decimal(f"{mantissa}E{exponent}"),
        st.integers(-LARGEST, LARGEST),
        st.integers(-130, 126 - 38),
    ),
)
scalars = st.one_of(st.none(), st.booleans(), st.text(), numbers)
sets = st.one_of(st.sets(st.text(), min_size=1), st.frozensets(numbers, min_size=1))
binaries = st.one_of(st.binary(), st.sets(st.binary(), min_size=1))


def documents(leaves):
    """JSON-like values: `leaves` nested in lists and maps."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )


values = documents(scalars | sets)
values_with_bytes = documents(scalars | sets | binaries)

_PUT_ITEM = botocore.session.get_session().get_service_model("dynamodb").operation_model("PutItem")


def boto3_wire(value):
    """The JSON boto3 sends for `value`: its serializer, then botocore's body encoding (which
    turns B and BS bytes into base64 text)."""
    item = {"v": TypeSerializer().serialize(value)}
    request = botocore.serialize.create_serializer("json").serialize_to_request(
        {"TableName": "t", "Item": item}, _PUT_ITEM
    )
    return json.loads(request["body"])["Item"]["v"]


def exact(value):
    """`value` with each number as its text and boto3's Binary as bytes, so that equal
    means the same digits and the same types, not just equal numbers."""
    if isinstance(value, Decimal):
        return ("N", str(value))
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(exact(v) for v in value)
    return value


@given(values)
def test_dump_is_what_boto3_serializes(value):
    assert dump(value) == TypeSerializer().serialize(value)


@given(values_with_bytes)
def test_dump_is_what_boto3_sends_on_the_wire_bytes_included(value):
    assert json.loads(json.dumps(dump(value))) == boto3_wire(value)


@given(values_with_bytes)
def test_load_reads_back_what_dump_wrote(value):
    assert load(dump(value)) == value


@given(values)
def test_load_reads_wire_values_as_boto3_does(value):
    wire = dump(value)
    assert exact(load(wire)) == exact(TypeDeserializer().deserialize(wire))


@given(values_with_bytes)
def test_reading_back_gives_what_boto3_users_read_back(value):
    boto3_read = TypeDeserializer().deserialize(TypeSerializer().serialize(value))
    assert exact(load(dump(value))) == exact(boto3_read)


def test_binary_is_base64_text_and_comes_back_as_bytes():
    assert dump(b"\x00\xff") == {"B": "AP8="}
    assert dump(bytearray(b"hi")) == {"B": "aGk="}
    assert load({"B": "AP8="}) == b"\x00\xff"
    assert load({"BS": ["AP8=", "aGk="]}) == {b"\x00\xff", b"hi"}


@given(values, st.floats())
def test_floats_are_refused_wherever_they_are(value, number):
    with pytest.raises(TypeError):
        dump(number)
    with pytest.raises(TypeError):
        dump({"value": value, "lines": [{"amount": number}]})


def test_a_float_deep_inside_is_refused():
    with pytest.raises(TypeError):
        dump({"lines": [{"amount": Decimal("1.5")}, {"amount": 1.5}]})
    with pytest.raises(TypeError):
        dump({0.5, 1.5})


@pytest.mark.parametrize(
    "number",
    [
        Decimal("1e200"),
        Decimal("-1e200"),
        Decimal("1e-200"),
        10**38 + 1,  # 39 significant digits
        Decimal("1.00000000000000000000000000000000000001"),
        Decimal("3.141592653589793238462643383279502884197"),
    ],
)
def test_numbers_dynamodb_cannot_hold_are_refused_not_rounded(number):
    with pytest.raises(DecimalException):
        dump(number)
    with pytest.raises(DecimalException):
        dump({number, 1})
    with pytest.raises(DecimalException):
        load({"N": str(number)})


@given(st.integers(10**38, 10**60).filter(lambda n: n % 10))
def test_integers_over_38_digits_are_refused(number):
    with pytest.raises(DecimalException):
        dump(number)
    with pytest.raises(DecimalException):
        dump(-number)


@pytest.mark.parametrize("number", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(number):
    with pytest.raises(TypeError):
        dump(Decimal(number))


@pytest.mark.parametrize("value", [set(), {"a", 1}, {b"a", "a"}, {True}, object()])
def test_values_dynamodb_has_no_type_for_are_refused(value):
    with pytest.raises(TypeError):
        dump(value)


def test_an_unknown_wire_type_is_refused():
    with pytest.raises(TypeError):
        load({"X": "1"})
