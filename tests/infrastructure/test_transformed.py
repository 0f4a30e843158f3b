"""What CloudFormation receives for each country: template.yaml transformed by the SAM
translator with the config-env's parameters (tests/infrastructure/transform.py). Routes reach
their group's function through its `live` alias behind the JWT authorizer; roles grant only
what each function uses; owned data survives the stack; alarms notify and roll back
deployments; the dashboard shows what operators watch; every config-env's parameters resolve.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any

import pytest

from local.cfn import Resolver
from selfcare.scopes import BASE, PUBLIC
from tests.infrastructure.transform import (
    CONFIG_ENVS,
    GROUP_FUNCTION,
    ROOT,
    config_env,
    overrides,
    parameters,
    source,
    transform,
    transformed,
)
from tests.support.openapi import ContractSpec

ROUTE_FUNCTION = {
    **GROUP_FUNCTION,
    "payments": "BillingFunction",  # the gateways' side of a checkout
}
GROUP_FUNCTIONS = tuple(GROUP_FUNCTION.values())
FUNCTIONS = (*GROUP_FUNCTIONS, "AuthorizerFunction")
OWNED_TABLES = ("CheckoutTable", "PaperlessTable", "IdempotencyTable")
TABLES = {
    "BillingFunction": {"SandboxTable", "PaperlessTable", "CheckoutTable", "IdempotencyTable"},
    "PortfolioFunction": {"SandboxTable", "IdempotencyTable"},
    "TokenizationFunction": {"SandboxTable", "IdempotencyTable"},
    "CasesFunction": {"SandboxTable"},
    "CustomerFunction": {"SandboxTable", "IdempotencyTable"},
    "AuthorizerFunction": set(),
}
SECRETS = {
    "BillingFunction": {"GatewaySecret", "SpoolSecret"},
    "TokenizationFunction": {"GatewaySecret"},
}
READ_ONLY = {"CasesFunction"}
READS = {"dynamodb:GetItem", "dynamodb:Query"}
ALARMED_METRICS = (
    "CheckoutFailures",
    "PaymentsToRefund",
    "NotificationsUnconfirmed",
    "InvoiceFlagsNotUpdated",
)
BUSINESS_METRICS = (
    "CheckoutsCreated",
    "PaymentsApproved",
    "PaymentsDeclined",
    "PaperlessSubscriptions",
    "PaymentsToRefund",
    "InvoiceFlagsNotUpdated",
)


@pytest.fixture(params=CONFIG_ENVS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


def resources(env: str) -> dict[str, dict[str, Any]]:
    return transformed(env)["Resources"]


def resolver(env: str) -> Resolver:
    """Resolves intrinsics with the config-env's parameters; resources become `<LogicalId>`."""
    pseudo = {
        "AWS::Region": "us-east-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": config_env(env)["stack_name"],
    }
    return Resolver(
        parameters(env) | pseudo,
        transformed(env).get("Conditions", {}),
        lambda name: f"<{name}>",
        lambda name, attribute: f"<{name}.{attribute}>",
    )


def referenced(node: Any) -> set[str]:
    """Logical ids and parameters a node refers to (Ref, GetAtt, Sub), pseudo ones aside."""
    if isinstance(node, list):
        return set().union(*map(referenced, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found: set[str] = set()
    for key, value in node.items():
        if key == "Ref":
            if not value.startswith("AWS::"):
                found.add(value)
        elif key == "Fn::GetAtt":
            found.add(value[0] if isinstance(value, list) else value.split(".")[0])
        elif key == "Fn::Sub":
            text, variables = (value, {}) if isinstance(value, str) else value
            names = {n.split(".")[0] for n in re.findall(r"\$\{([^}!]+)\}", text)}
            found |= {n for n in names - set(variables) if not n.startswith("AWS::")}
            found |= referenced(variables)
        else:
            found |= referenced(value)
    return found


def statements(env: str, function: str) -> list[dict[str, Any]]:
    """The function's role's statements in effect for the config-env (Fn::If picked), each
    Resource as a literal string or the set of logical ids it names."""
    role_id = resources(env)[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    cfn, found = resolver(env), []
    for policy in resources(env)[role_id]["Properties"].get("Policies", []):
        while "Fn::If" in policy:
            condition, then, otherwise = policy["Fn::If"]
            policy = then if cfn.condition(condition) else otherwise
        for statement in policy.get("PolicyDocument", {}).get("Statement", []):
            actions, targets = statement["Action"], statement["Resource"]
            found.append(
                {
                    "Effect": statement["Effect"],
                    "Action": {actions} if isinstance(actions, str) else set(actions),
                    "Resource": {
                        t if isinstance(t, str) else frozenset(referenced(t))
                        for t in (targets if isinstance(targets, list) else [targets])
                    },
                }
            )
    return found


def grants(env: str, function: str, service: str) -> dict[str, set[Any]]:
    """{action: resources} the function's role allows for one service (e.g. dynamodb)."""
    found: dict[str, set[Any]] = {}
    for statement in statements(env, function):
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            if action == "*" or action.split(":")[0].lower() == service:
                found.setdefault(action, set()).update(statement["Resource"])
    return found


# --- Routes ----------------------------------------------------------------------------------
ANY = "x-amazon-apigateway-any-method"


def methods(env: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path) -> operation of the generated RestApi's OpenAPI body (CORS mocks and
    the ANY methods aside)."""
    body = resources(env)["Api"]["Properties"]["Body"]
    return {
        (method.upper(), path): operation
        for path, item in body["paths"].items()
        for method, operation in item.items()
        if method not in ("options", ANY)
    }


def any_methods(env: str) -> dict[str, dict[str, Any]]:
    """path -> its ANY method: what API Gateway does with a method the path does not declare."""
    body = resources(env)["Api"]["Properties"]["Body"]
    return {path: item[ANY] for path, item in body["paths"].items() if ANY in item}


def integration_target(operation: dict[str, Any]) -> str:
    integration = operation["x-amazon-apigateway-integration"]
    assert integration["type"] == "aws_proxy"
    (target,) = re.findall(r"/functions/\$\{([^}]+)\}/invocations", integration["uri"]["Fn::Sub"])
    return target


def test_every_contract_operation_reaches_its_groups_function_through_the_live_alias(env):
    operations = [
        (method, path)
        for method, path, operation in ContractSpec.load().operations()
        if not operation.get("x-non-contract")
    ]
    assert len(operations) == 55
    routed = methods(env)
    for method, path in operations:
        key = (method, BASE + path.rstrip("/"))
        assert key in routed, f"{method} {path} has no API Gateway method"
        function = ROUTE_FUNCTION[path.strip("/").split("/")[0]]
        assert integration_target(routed[key]) == f"{function}Aliaslive", f"{method} {path}"


def test_the_gateways_side_is_billings_and_every_method_is_documented(env):
    documented = {(m, BASE + p.rstrip("/")) for m, p, _ in ContractSpec.load().operations()}
    routed = methods(env)
    assert set(routed) == documented
    payments = [key for key in routed if key[1].startswith(BASE + "/payments/")]
    assert len(payments) == 4
    for key in payments:
        assert integration_target(routed[key]) == "BillingFunctionAliaslive", key


def test_aliases_are_live_versions_of_their_functions(env):
    for function in FUNCTIONS:
        alias = resources(env)[f"{function}Aliaslive"]
        assert alias["Type"] == "AWS::Lambda::Alias"
        assert alias["Properties"]["Name"] == "live"
        assert alias["Properties"]["FunctionName"] == {"Ref": function}


def test_every_route_needs_the_jwt_authorizer_but_the_public_ones(env):
    for (method, path), operation in methods(env).items():
        public = (method, path.removeprefix(BASE)) in PUBLIC
        expected = [] if public else [{"JwtAuthorizer": []}, {"api_key": []}]
        assert operation["security"] == expected, f"{method} {path}"


def test_every_path_sends_undeclared_methods_to_its_function_as_its_declared_ones(env):
    """API Gateway alone answers 403 for a method a resource lacks; an ANY method on each
    path sends it to the function that serves the path (405 and Allow), behind the same
    authorizer. Declared methods and the CORS preflight's OPTIONS take precedence over it."""
    routed, anys = methods(env), any_methods(env)
    assert set(anys) == {path for _, path in routed}
    for (_, path), operation in routed.items():
        assert integration_target(anys[path]) == integration_target(operation), path
        assert anys[path]["security"] == operation["security"], path
    body = resources(env)["Api"]["Properties"]["Body"]
    assert all("options" in body["paths"][path] for path in anys)


def authorizer_config(env: str) -> dict[str, Any]:
    schemes = resources(env)["Api"]["Properties"]["Body"]["components"]["securitySchemes"]
    config: dict[str, Any] = schemes["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]
    return config


def test_api_gateway_may_invoke_each_route_and_the_authorizer_where_it_calls_them(env):
    """Without its permission, API Gateway answers 500 for the route (or every route)."""
    routes, authorizers, anywhere = set(), set(), set()
    for resource in resources(env).values():
        if resource["Type"] != "AWS::Lambda::Permission":
            continue
        properties = resource["Properties"]
        (target,) = referenced(properties["FunctionName"])
        sub = properties["SourceArn"]["Fn::Sub"]
        source_arn = sub if isinstance(sub, str) else sub[0]
        if source_arn.endswith("/authorizers/*"):
            authorizers.add(target)
        elif "${__Stage__}/" in source_arn:  # SAM's, one per declared method
            method, _, route = source_arn.partition("${__Stage__}/")[2].partition("/")
            routes.add((method, "/" + route, target))
        else:  # the template's own, for the ANY methods: any stage, method and route below
            anywhere.add((source_arn.partition("${Api}/")[2], target))
    assert routes == {
        (method, re.sub(r"\{[^}]+\}", "*", path), integration_target(operation))
        for (method, path), operation in methods(env).items()
    }
    for path, operation in any_methods(env).items():
        invoked = "dev/PATCH" + re.sub(r"\{[^}]+\}", "x", path)
        target = integration_target(operation)
        assert any(
            fnmatch.fnmatchcase(invoked, pattern) for pattern, t in anywhere if t == target
        ), path
    assert authorizers == referenced(authorizer_config(env)["authorizerUri"])


def test_the_jwt_authorizer_checks_the_bearer_header_and_caches_its_answer(env):
    schemes = resources(env)["Api"]["Properties"]["Body"]["components"]["securitySchemes"]
    assert schemes["JwtAuthorizer"]["name"] == "Authorization"
    config = authorizer_config(env)
    assert config["type"] == "token"
    assert config["authorizerResultTtlInSeconds"] == 300
    assert re.fullmatch(config["identityValidationExpression"], "Bearer a.b.c")
    assert not re.fullmatch(config["identityValidationExpression"], "Basic dXNlcjpwdw==")


def test_the_authorizer_is_invoked_through_its_live_alias(env):
    """Otherwise API Gateway calls $LATEST: a new authorizer takes all traffic at once, and
    rolling its alias back on the errors alarm restores nothing."""
    assert referenced(authorizer_config(env)["authorizerUri"]) == {"AuthorizerFunctionAliaslive"}


# --- Least privilege -------------------------------------------------------------------------
@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_reaches_only_the_tables_it_uses(env, function):
    dynamodb = grants(env, function, "dynamodb")
    tables = set()
    for action, targets in dynamodb.items():
        assert "*" not in action, f"{function} is granted {action}"
        assert action != "dynamodb:Scan", f"{function} may scan"
        for target in targets:
            assert isinstance(target, frozenset) and len(target) == 1, f"{action} on {target}"
            tables |= target
    assert tables == TABLES[function]
    if function in READ_ONLY:
        assert set(dynamodb) <= READS, f"{function} may write: {set(dynamodb) - READS}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_reads_only_the_secrets_it_uses(env, function):
    secretsmanager = grants(env, function, "secretsmanager")
    assert set(secretsmanager) <= {"secretsmanager:GetSecretValue"}
    readable = set()
    for target in secretsmanager.get("secretsmanager:GetSecretValue", ()):
        assert isinstance(target, frozenset), f"{function} reads secret {target}"
        readable |= target
    assert readable == SECRETS.get(function, set())


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_decrypts_only_with_the_stacks_key(env, function):
    assert grants(env, function, "kms") == {"kms:Decrypt": {frozenset({"DataKey"})}}
    role_id = resources(env)[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    managed = resources(env)[role_id]["Properties"]["ManagedPolicyArns"]
    assert {arn.rpartition("/")[2] for arn in managed} == {
        "AWSLambdaBasicExecutionRole",  # its own logs
        "AWSXrayWriteOnlyAccess",  # traces
    }


# --- Data the service owns -------------------------------------------------------------------
@pytest.mark.parametrize("table", OWNED_TABLES)
def test_owned_tables_survive_the_stack_encrypted_with_its_key(env, table):
    resource = resources(env)[table]
    assert resource["DeletionPolicy"] == "Retain"
    assert resource["UpdateReplacePolicy"] == "Retain"
    properties = resource["Properties"]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    sse = properties["SSESpecification"]
    assert (sse["SSEEnabled"], sse["SSEType"], sse["KMSMasterKeyId"]) == (
        True,
        "KMS",
        {"Ref": "DataKey"},
    )
    key = resources(env)["DataKey"]
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"  # or they're unreadable
    assert key["Properties"]["EnableKeyRotation"] is True


def test_tables_expire_what_the_code_marks_for_expiry(env):
    def ttl(table: str) -> tuple[str, bool] | None:
        spec = resources(env)[table]["Properties"].get("TimeToLiveSpecification")
        return (spec["AttributeName"], spec["Enabled"]) if spec else None

    assert ttl("CheckoutTable") == ("purgeAt", True)
    assert ttl("IdempotencyTable") == ("expiration", True)  # Powertools' default attribute
    assert ttl("PaperlessTable") is None  # subscriptions and their audit are kept


def sandbox_part(name: str) -> bool:
    return name == "SandboxTable" or name.startswith("SandboxLayer")


def test_the_sandbox_table_and_layer_and_every_use_of_them_depend_on_a_sandbox_part(env):
    """The sandbox table and layer (backend with its dataset generator, payment gateway)
    exist where the stack may use the sandbox backend or gateway (HasSandboxTable), and every
    reference to them sits under that condition (a resource or output with it, or the true
    branch of an Fn::If on it)."""
    template = transformed(env)
    assert source()["Parameters"]["Backend"]["AllowedValues"] == ["sandbox", "tmf"]
    assert template["Conditions"]["HasSandboxTable"] == {
        "Fn::Or": [{"Condition": "IsSandbox"}, {"Fn::Equals": [{"Ref": "SandboxGateway"}, "true"]}]
    }
    parts = [name for name in template["Resources"] if sandbox_part(name)]
    assert len(parts) == 2, parts
    assert all(template["Resources"][name]["Condition"] == "HasSandboxTable" for name in parts)
    assert resolver(env).condition("HasSandboxTable")  # every config-env deploys them

    def unguarded(node: Any, where: str) -> list[str]:
        if isinstance(node, list):
            return [hit for i, item in enumerate(node) for hit in unguarded(item, f"{where}[{i}]")]
        if not isinstance(node, dict):
            return []
        if "Fn::If" in node:
            condition, then, otherwise = node["Fn::If"]
            hits = unguarded(otherwise, f"{where}/else")
            guarded = condition in ("HasSandboxTable", "IsSandbox")  # IsSandbox implies it
            return hits if guarded else hits + unguarded(then, f"{where}/then")
        if node.keys() & {"Ref", "Fn::GetAtt", "Fn::Sub"} and any(
            sandbox_part(name) for name in referenced(node)
        ):
            return [where]
        return [hit for k, v in node.items() for hit in unguarded(v, f"{where}.{k}")]

    sections = [("Resources", template["Resources"]), ("Outputs", template.get("Outputs", {}))]
    found = [
        hit
        for section, items in sections
        for name, item in items.items()
        if item.get("Condition") != "HasSandboxTable"
        for hit in unguarded(item, f"{section}.{name}")
    ]
    assert not found, f"used without the HasSandboxTable condition: {found}"
    # The layer goes where its code may run: the gateway's functions whenever the stack has
    # it, the backend-only ones on Backend sandbox alone, the authorizer never.
    layers = {
        name: [
            layer["Fn::If"][0]
            for layer in resource["Properties"].get("Layers", [])
            if "Fn::If" in layer
        ]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    assert layers == {
        "BillingFunction": ["HasSandboxTable"],
        "TokenizationFunction": ["HasSandboxTable"],
        "PortfolioFunction": ["IsSandbox"],
        "CasesFunction": ["IsSandbox"],
        "CustomerFunction": ["IsSandbox"],
        "AuthorizerFunction": [],
    }


def test_a_stack_fronting_a_bss_ships_no_sandbox_code_or_table():
    """Backend tmf with SandboxGateway false (production fronting a BSS): no sandbox table,
    no sandbox layer on any function, the BSS's URL and client secret in every function's
    environment, and each function that calls the BSS may read that secret."""
    bss = {"Backend": "tmf", "BssBaseUrl": "https://bss.example.co/tmf-api"}
    template = transform("co", **bss, SandboxGateway="false")
    resolve = Resolver(
        parameters("co", **bss, SandboxGateway="false") | {"AWS::Region": "us-east-1"},
        template["Conditions"],
        lambda name: f"<{name}>",
        lambda name, attribute: f"<{name}.{attribute}>",
    )
    present = {
        name
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or resolve.condition(resource["Condition"])
    }
    assert not [name for name in present if sandbox_part(name)]
    assert "BssSecret" in present
    functions = {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    for name, properties in functions.items():
        layers = resolve.resolve(properties.get("Layers", []))
        assert all(layer.startswith("<CommonLayer") for layer in layers), (name, layers)
        variables = resolve.resolve(properties["Environment"]["Variables"])
        if name != "AuthorizerFunction":
            assert variables["BACKEND"] == "tmf"
            assert variables["BSS_BASE_URL"] == bss["BssBaseUrl"]
            assert variables["BSS_SECRET_ARN"] == "<BssSecret>"
            assert variables["SANDBOX_TABLE"] == ""
    readers = {
        name
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::IAM::Role"
        and "<BssSecret>" in str(resolve.resolve(resource["Properties"].get("Policies", [])))
    }
    assert {f"{function}Role" for function in GROUP_FUNCTIONS} <= readers


def test_a_tmf_stack_needs_its_bss_url():
    rule = source()["Rules"]["TmfNeedsItsBss"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Backend"}, "tmf"]}
    assert rule["Assertions"][0]["Assert"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "BssBaseUrl"}, ""]}]
    }


# --- Alarms, deployments and the dashboard ---------------------------------------------------
def metric_key(namespace: str, name: str, dimensions: dict[str, str]) -> tuple[str, str, str]:
    return namespace, name, json.dumps(dimensions, sort_keys=True)


def alarms(env: str) -> dict[str, dict[str, Any]]:
    """Alarm logical id -> resolved properties (resources appear as `<LogicalId>`)."""
    cfn = resolver(env)
    return {
        logical_id: cfn.resolve(resource["Properties"])
        for logical_id, resource in resources(env).items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def watched(alarm: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Every metric an alarm reads (its own, or its metric math's)."""

    def dims(items: list[dict[str, str]]) -> dict[str, str]:
        return {d["Name"]: d["Value"] for d in items}

    if "MetricName" in alarm:
        return {
            metric_key(alarm["Namespace"], alarm["MetricName"], dims(alarm.get("Dimensions", [])))
        }
    return {
        metric_key(m["Namespace"], m["MetricName"], dims(m.get("Dimensions", [])))
        for m in (q["MetricStat"]["Metric"] for q in alarm["Metrics"] if "MetricStat" in q)
    }


def alarm_on(env: str, *metrics: tuple[str, str, str]) -> str:
    """The one alarm reading exactly these metrics."""
    (found,) = [i for i, alarm in alarms(env).items() if watched(alarm) == set(metrics)]
    return found


def api_dimensions(env: str) -> dict[str, str]:
    cfn = resolver(env)
    api = resources(env)["Api"]["Properties"]
    return {"ApiName": cfn.resolve(api["Name"]), "Stage": parameters(env)["Stage"]}


def function_env(env: str, function: str) -> dict[str, str]:
    variables = resources(env)[function]["Properties"]["Environment"]["Variables"]
    return resolver(env).resolve(variables)


def billing_code() -> str:
    return "\n".join(p.read_text() for p in (ROOT / "functions" / "billing").rglob("*.py"))


def metrics_namespace(env: str) -> str:
    return function_env(env, "BillingFunction")["POWERTOOLS_METRICS_NAMESPACE"]


def test_alarms_cover_the_api_the_functions_and_checkouts_and_notify_the_topic(env):
    api = api_dimensions(env)
    five_xx = alarms(env)[
        alarm_on(
            env,
            metric_key("AWS/ApiGateway", "5XXError", api),
            metric_key("AWS/ApiGateway", "Count", api),
        )
    ]
    (rate,) = [q for q in five_xx["Metrics"] if q.get("ReturnData", True)]
    assert {"errors", "requests"} <= set(re.findall(r"\w+", rate["Expression"]))
    latency = alarms(env)[alarm_on(env, metric_key("AWS/ApiGateway", "Latency", api))]
    assert latency["ExtendedStatistic"] == "p99"
    assert str(latency["Threshold"]) == parameters(env)["LatencyP99Milliseconds"]
    for function in FUNCTIONS:
        alarm_on(env, metric_key("AWS/Lambda", "Throttles", {"FunctionName": f"<{function}>"}))
    for function in GROUP_FUNCTIONS:
        alarm_on(env, *failures(env, function))
    alarm_on(env, metric_key(metrics_namespace(env), "AuthorizerFailures", {}))
    billing = function_env(env, "BillingFunction")["POWERTOOLS_SERVICE_NAME"]
    for metric in ALARMED_METRICS:
        alarm_on(env, metric_key(metrics_namespace(env), metric, {"service": billing}))
        assert f'"{metric}"' in billing_code()
    for logical_id, alarm in alarms(env).items():
        assert "<AlarmTopic>" in alarm["AlarmActions"], f"{logical_id} notifies no one"


def failures(env: str, function: str) -> tuple[tuple[str, str, str], ...]:
    """What a function's failures alarm reads: Lambda's Errors (crashes, timeouts) and the
    failures it answered with a 500 (its log's ERROR lines), or, for the authorizer, whose
    refusals Lambda counts as Errors, its ERROR lines and timeouts only."""
    namespace = metrics_namespace(env)
    if function == "AuthorizerFunction":
        return (metric_key(namespace, "AuthorizerFailures", {}),)
    service = function_env(env, function)["POWERTOOLS_SERVICE_NAME"]
    return (
        metric_key("AWS/Lambda", "Errors", {"FunctionName": f"<{function}>"}),
        metric_key(namespace, "UnexpectedErrors", {"service": service}),
    )


def metric_filters(env: str) -> dict[str, set[tuple[str, str]]]:
    """{metric name: {(log group, filter pattern)}} of the log-derived metrics."""
    found: dict[str, set[tuple[str, str]]] = {}
    for resource in resources(env).values():
        if resource["Type"] == "AWS::Logs::MetricFilter":
            properties = resolver(env).resolve(resource["Properties"])
            for transformation in properties["MetricTransformations"]:
                assert transformation["MetricNamespace"] == metrics_namespace(env)
                found.setdefault(transformation["MetricName"], set()).add(
                    (properties["LogGroupName"], properties["FilterPattern"])
                )
    return found


def test_failures_are_counted_from_the_functions_error_lines(env):
    """Unexpected failures are answered with a 500 (not a Lambda error) and logged at ERROR
    with the function's service; the authorizer logs its failures at ERROR too, and a
    timeout as Lambda's `Task timed out`."""
    error_lines = '{ $.level = "ERROR" }'
    filters = metric_filters(env)
    assert filters["UnexpectedErrors"] == {
        (f"<{function}Logs>", error_lines) for function in GROUP_FUNCTIONS
    }
    assert filters["AuthorizerFailures"] == {
        ("<AuthorizerFunctionLogs>", error_lines),
        ("<AuthorizerFunctionLogs>", '"Task timed out"'),
    }
    api = (ROOT / "layers/common/python/selfcare/api.py").read_text()
    assert 'self.logger.exception("Unexpected failure")' in api
    authorizer = (ROOT / "functions/authorizer/app.py").read_text()
    assert "logger.error(" in authorizer and "logger.exception(" in authorizer


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_deployment_rolls_back_on_the_functions_failures_and_the_api_5xx_rate(env, function):
    update = resources(env)[f"{function}Aliaslive"]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    (group_id,) = referenced(update["DeploymentGroupName"])
    group = resolver(env).resolve(resources(env)[group_id]["Properties"])
    api = api_dimensions(env)
    expected = {
        f"<{alarm_on(env, *failures(env, function))}>",
        f"<{alarm_on(env, *(metric_key('AWS/ApiGateway', m, api) for m in ('5XXError', 'Count')))}>",
    }
    assert group["AlarmConfiguration"]["Enabled"] is True
    assert {a["Name"] for a in group["AlarmConfiguration"]["Alarms"]} == expected
    assert group["AutoRollbackConfiguration"]["Enabled"] is True
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    deployment_type = parameters(env)["DeploymentType"]
    assert group["DeploymentConfigName"] == f"CodeDeployDefault.Lambda{deployment_type}"


def dashboard_metrics(env: str) -> set[tuple[str, str, str]]:
    """Every metric of the dashboard, its `.` and `...` shorthands expanded."""
    body = resolver(env).resolve(resources(env)["Dashboard"]["Properties"]["DashboardBody"])
    found = set()
    for widget in json.loads(body)["widgets"]:
        assert widget["properties"]["region"] == "us-east-1"
        previous: list[str] = []
        for row in widget["properties"].get("metrics", []):
            names = [v for v in row if not isinstance(v, dict)]
            if "..." in names:
                names = names[: names.index("...")] + previous[names.index("...") :]
            names = [previous[i] if v == "." else v for i, v in enumerate(names)]
            previous = names
            found.add(
                metric_key(names[0], names[1], dict(zip(names[2::2], names[3::2], strict=True)))
            )
    return found


def test_the_dashboard_shows_requests_errors_latency_cold_starts_and_business(env):
    shown = dashboard_metrics(env)
    api, namespace = api_dimensions(env), metrics_namespace(env)
    for metric in ("Count", "5XXError", "Latency"):
        assert metric_key("AWS/ApiGateway", metric, api) in shown, metric
    for function in FUNCTIONS:
        for metric in ("Invocations", "Errors"):
            assert metric_key("AWS/Lambda", metric, {"FunctionName": f"<{function}>"}) in shown
    for function in GROUP_FUNCTIONS:
        duration = metric_key("AWS/Lambda", "Duration", {"FunctionName": f"<{function}>"})
        assert duration in shown, f"no latency of {function}"
        service = function_env(env, function)["POWERTOOLS_SERVICE_NAME"]
        cold = {"function_name": f"<{function}>", "service": service}  # Powertools' dimensions
        assert metric_key(namespace, "ColdStart", cold) in shown, f"no cold starts of {service}"
    for metric in BUSINESS_METRICS:
        assert metric_key(namespace, metric, {"service": "billing"}) in shown, metric
    for function in GROUP_FUNCTIONS:
        assert set(failures(env, function)) <= shown, function
    assert set(failures(env, "AuthorizerFunction")) <= shown
    from_logs = set(metric_filters(env))
    for shown_namespace, metric, _ in shown:
        if shown_namespace == namespace and metric not in {"ColdStart", *from_logs}:
            assert f'"{metric}"' in billing_code(), f"billing never emits {metric}"


# --- Parameters ------------------------------------------------------------------------------
def test_every_parameter_resolves_within_its_constraints(env):
    declared = source()["Parameters"]
    assert set(overrides(env)) <= set(declared), "samconfig overrides an unknown parameter"
    values = parameters(env)
    for name, spec in declared.items():
        assert name in values, f"{name} has no default and {env} gives it no value"
        value = values[name]
        if "AllowedValues" in spec:
            assert value in map(str, spec["AllowedValues"]), f"{name}={value}"
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), f"{name}={value}"
        if spec["Type"] == "Number":
            number = float(value)
            assert spec.get("MinValue", number) <= number <= spec.get("MaxValue", number), name


def test_each_config_env_deploys_its_own_country(env):
    values, deploy = parameters(env), config_env(env)
    assert values["Country"] == env
    assert deploy["stack_name"] == f"home-self-care-{env}-{values['Stage']}"
    assert deploy["s3_prefix"] == f"home-self-care-{env}"
    assert f"country={env}" in deploy["tags"].split()


def test_exactly_one_stack_per_region_configures_the_api_gateway_account():
    regions: dict[str, list[str]] = {}
    for env in CONFIG_ENVS:
        if parameters(env)["ConfigureApiGatewayAccount"] == "true":
            regions.setdefault(config_env(env)["region"], []).append(env)
    assert regions
    assert all(len(envs) == 1 for envs in regions.values()), regions


def decided(node: Any, cfn: Resolver) -> Any:
    """`node` with every Fn::If replaced by the branch the config-env's conditions pick."""
    if isinstance(node, list):
        return [decided(item, cfn) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Fn::If"}:
        condition, then, otherwise = node["Fn::If"]
        return decided(then if cfn.condition(condition) else otherwise, cfn)
    return {key: decided(value, cfn) for key, value in node.items()}


def waits_for(template: dict[str, Any], logical_id: str, cfn: Resolver) -> set[str]:
    """Every resource `logical_id` is created after, directly or not (DependsOn, Ref,
    GetAtt, Sub anywhere in it, Metadata included)."""
    found: set[str] = set()
    pending = [logical_id]
    while pending:
        resource = template["Resources"][pending.pop()]
        after = resource.get("DependsOn", [])
        named = {after} if isinstance(after, str) else set(after)
        for name in (named | referenced(decided(resource, cfn))) - found:
            if name in template["Resources"]:
                found.add(name)
                pending.append(name)
    return found


def test_the_api_stage_is_created_after_the_account_role_its_logs_need(env):
    """API Gateway refuses a stage with logging until the account's CloudWatch role is set."""
    template = transformed(env)
    (stage,) = (k for k, v in resources(env).items() if v["Type"] == "AWS::ApiGateway::Stage")
    configures = parameters(env)["ConfigureApiGatewayAccount"] == "true"
    assert ("ApiGatewayAccount" in waits_for(template, stage, resolver(env))) is configures
