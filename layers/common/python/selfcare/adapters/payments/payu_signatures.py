"""PayU Latam WebCheckout signatures and amount formats: pure functions, shared by the adapter
(selfcare.adapters.payments.payu) and the local stand-in of PayU (local.payu_standin).

Sources (developers.payulatam.com, Latam docs, "WebCheckout integration"):
- Payment form, "Signature": md5 or sha256 (the form's `algorithmSignature`, MD5 by default) of
  "ApiKey~merchantId~referenceCode~amount~currency", hex. PayU's example: ApiKey
  4Vj8eK4rloUd272L48hsrarnUA, merchantId 508029, referenceCode TestPayU, amount 3, currency
  USD -> ba9ffa71559580175585e45ce70b6c37.
- "Confirmation page", signature validation: "ApiKey~merchant_id~reference_sale~new_value~
  currency~state_pol", where new_value is `value` with one decimal when its second decimal is
  zero (150.00 -> 150.0) and unchanged otherwise (150.26 -> 150.26).
- "Response page", signature validation: the same string with referenceCode, TX_VALUE rounded
  to one decimal half-to-even (150.25 -> 150.2, 150.35 -> 150.4) and transactionState.
"""

from __future__ import annotations

import hashlib
import hmac
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

ALGORITHMS = ("MD5", "SHA256")
# ISO 4217 minor units of the currencies the three countries bill in; COP is billed in
# whole pesos (selfcare.countries), GTQ and USD in cents.
_MINOR_UNITS = {"COP": 0, "GTQ": 2, "USD": 2}
_CENT = Decimal("0.01")


def digest(text: str, algorithm: str = "MD5") -> str:
    """Lower-case hex digest of `text` (UTF-8) with PayU's MD5 or SHA256."""
    data = text.encode("utf-8")
    if algorithm.upper() == "SHA256":
        return hashlib.sha256(data).hexdigest()
    if algorithm.upper() == "MD5":
        return hashlib.md5(data).hexdigest()  # noqa: S324 - PayU's documented default
    raise ValueError(f"unsupported signature algorithm {algorithm!r}")


def matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a received signature with ours (hex, any case)."""
    return hmac.compare_digest(given.strip().lower().encode(), expected.lower().encode())


def form_amount(amount: Decimal, currency: str) -> str:
    """`amount` as the payment form sends it AND signs it (both must be the same string).

    PayU's form takes the amount with a point and at most two decimals, no thousands
    separator ("10000" or "10000.00"). We send the currency's minor unit: COP whole pesos
    ("89900"), GTQ/USD always two decimals ("30.50", "3.00"). An amount with cents in a
    whole-unit currency keeps two decimals rather than being rounded: the form never charges
    something other than what it was asked to.
    """
    if not amount.is_finite() or amount < 0:
        raise ValueError("amount must be a finite, non-negative number")
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise ValueError("amount has more than two decimals")
    if _MINOR_UNITS.get(currency.upper(), 2) == 0 and cents == cents.to_integral_value():
        return f"{cents:.0f}"
    return f"{cents:.2f}"


def checkout_signature(
    api_key: str, merchant_id: str, reference: str, amount: str, currency: str, algorithm: str
) -> str:
    """The payment form's `signature`; `amount` exactly as the form sends it."""
    return _signed(algorithm, api_key, merchant_id, reference, amount, currency)


def _signed(algorithm: str, *fields: str) -> str:
    """Every PayU signature: the digest of its fields joined by "~"."""
    return digest("~".join(fields), algorithm)


def _cents(value: str) -> Decimal:
    try:
        amount = Decimal(value.strip())
        cents = amount.quantize(_CENT)  # InvalidOperation for NaN or too many digits
    except InvalidOperation:
        raise ValueError("not an amount with at most two decimals") from None
    if cents != amount:
        raise ValueError("not an amount with at most two decimals")
    return cents


def confirmation_value(value: str) -> str:
    """new_value of the confirmation page: 150.00 -> 150.0, 150.50 -> 150.5, 150.25 -> 150.25."""
    text = f"{_cents(value):.2f}"
    return text[:-1] if text.endswith("0") else text


def confirmation_signature(
    api_key: str,
    merchant_id: str,
    reference_sale: str,
    value: str,
    currency: str,
    state_pol: str,
    algorithm: str,
) -> str:
    """The `sign` PayU posts to the confirmation page (`value` as posted)."""
    new_value = confirmation_value(value)
    return _signed(algorithm, api_key, merchant_id, reference_sale, new_value, currency, state_pol)


def response_value(value: str) -> str:
    """new_value of the response page: TX_VALUE to one decimal, half to even."""
    return f"{_cents(value).quantize(Decimal('0.1'), ROUND_HALF_EVEN):.1f}"


def response_signature(
    api_key: str,
    merchant_id: str,
    reference: str,
    value: str,
    currency: str,
    transaction_state: str,
    algorithm: str,
) -> str:
    """The `signature` PayU appends to the response page (the payer's return) URL."""
    new_value = response_value(value)
    fields = (api_key, merchant_id, reference, new_value, currency, transaction_state)
    return _signed(algorithm, *fields)
