"""The stack as template.yaml declares it: lint-clean, every contract read routed to its
group's function, owned data protected, one config-env per country."""

from __future__ import annotations

import tomllib

import pytest

from local.stack import Stack
from tests.infrastructure.transform import GROUP_FUNCTION, ROOT
from tests.support.openapi import ContractSpec

PREFIX = "/v1/tigo/home/{country}"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack("co")


def test_cfn_lint_is_clean():
    from cfnlint.api import lint_file

    matches = lint_file(ROOT / "template.yaml")
    assert not matches, "\n".join(str(m) for m in matches)


def test_every_operation_of_the_contract_is_routed_to_its_group(stack):
    routes = {(r.method, r.path): r.function for r in stack.routes()}
    operations = [
        (method, path)
        for method, path, operation in ContractSpec.load().operations()
        if not operation.get("x-non-contract")
    ]
    assert len(operations) == 55
    for method, path in operations:
        key = (method, PREFIX + path.rstrip("/"))
        assert key in routes, f"{method} {path} is not routed"
        group = path.strip("/").split("/")[0]
        assert routes[key] == GROUP_FUNCTION[group], f"{method} {path} goes to {routes[key]}"


def test_the_gateways_side_is_served_by_billing_without_a_token(stack):
    extra = [r for r in stack.routes() if r.path.startswith(PREFIX + "/payments/")]
    assert len([r for r in extra if r.method != "ANY"]) == 4
    assert {r.function for r in extra} == {"BillingFunction"}
    assert all(r.authorizer is None for r in extra)


def test_every_route_is_documented(stack):
    documented = {
        (method, PREFIX + path.rstrip("/")) for method, path, _ in ContractSpec.load().operations()
    }
    for route in stack.routes():
        if route.method != "ANY":
            assert (route.method, route.path) in documented, f"{route.method} {route.path}"


def test_every_resource_sends_its_other_methods_to_its_function_behind_the_same_authorizer(stack):
    """An ANY method on each resource of the functions' events (and nowhere else): its
    function answers 405 with Allow, where API Gateway alone would answer 403 (404 here)."""
    declared: dict[str, set[tuple[str, str | None]]] = {}
    anys: dict[str, tuple[str, str | None]] = {}
    for route in stack.routes():
        if route.method == "ANY":
            assert route.path not in anys, f"two ANY methods on {route.path}"
            anys[route.path] = (route.function, route.authorizer)
        else:
            declared.setdefault(route.path, set()).add((route.function, route.authorizer))
    assert len(declared) == 38
    assert set(anys) == set(declared)
    for path, targets in declared.items():
        assert targets == {anys[path]}, path  # one function and authorizer per resource


def test_functions_run_python313_with_the_shared_layer(stack):
    template = stack.template
    globals_ = template["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    functions = stack.functions()
    assert set(functions) == {*GROUP_FUNCTION.values(), "AuthorizerFunction"}
    for function in functions.values():
        assert (function.code_dir / "app.py").is_file()
        assert function.environment["COUNTRY"] == "co"


def test_owned_tables_are_retained_with_point_in_time_recovery(stack):
    for logical_id in ("CheckoutTable", "PaperlessTable", "IdempotencyTable", "SandboxTable"):
        resource = stack.resources[logical_id]
        spec = resource["Properties"]["PointInTimeRecoverySpecification"]
        assert spec["PointInTimeRecoveryEnabled"] is True, logical_id
        assert resource["Properties"]["SSESpecification"]["SSEEnabled"] is True
    for logical_id in ("CheckoutTable", "PaperlessTable", "IdempotencyTable"):
        assert stack.resources[logical_id]["DeletionPolicy"] == "Retain", logical_id
    assert stack.resources["SandboxTable"]["Condition"] == "HasSandboxTable"


def test_the_api_serves_pdf_as_binary_and_answers_unknown_routes_with_error_body(stack):
    api = stack.api()
    # Apps ask for application/pdf, browsers opening a spool link for text/html first; */*
    # would make every preflight binary, which SAM's CORS mock integration cannot take.
    assert api["BinaryMediaTypes"] == ["application~1pdf", "text~1html"]
    assert api["AccessLogSetting"]["DestinationArn"]
    missing = api["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    assert '"code":404' in missing["ResponseTemplates"]["application/json"]


def test_each_country_has_a_config_env():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for country in ("co", "gt", "sv"):
        deploy = config[country]["deploy"]["parameters"]
        assert f"Country={country}" in deploy["parameter_overrides"].split()
        assert config[country]["global"]["parameters"]["stack_name"].startswith(
            f"home-self-care-{country}"
        )


def test_every_gateway_answer_is_an_error_body_whose_code_is_its_status(stack):
    """API Gateway's own answers (no route, no token, throttled, WAF, wrong media type...)
    carry an errorBody whose `code` matches the status the caller gets."""
    import json

    responses = stack.api()["GatewayResponses"]
    for kind in ("WAF_FILTERED", "UNSUPPORTED_MEDIA_TYPE", "INVALID_SIGNATURE", "THROTTLED"):
        assert kind in responses, f"{kind} would fall back to DEFAULT_4XX's code 400"
    for kind, response in responses.items():
        template = response["ResponseTemplates"]["application/json"]
        body = json.loads(template.replace("$context.error.messageString", '"message"'))
        if "StatusCode" in response:
            assert str(body["code"]) == response["StatusCode"], kind
        assert set(body) == {"code", "message"}, kind


def test_every_gateway_answer_is_never_stored_nor_sniffed(stack):
    """API Gateway's own answers (throttled, WAF, no route...) carry the headers every
    function answer carries (selfcare.api.SECURITY_HEADERS): the local runner can only show
    some of them (tests/integration/test_security_headers.py)."""
    from selfcare.api import SECURITY_HEADERS

    responses = stack.api()["GatewayResponses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    for kind, response in responses.items():
        headers = response["ResponseParameters"]["Headers"]
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == f"'{value}'", (kind, name)
