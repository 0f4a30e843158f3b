"""A smoke deployment: each country's transformed template (tests/infrastructure/transform.py)
created with moto's CloudFormation, the three stacks side by side in one account and region as
samconfig.toml deploys them, and what moto made of each.

moto 5.2.5 creates only some resource types from a template, and only some of their
properties; references to a skipped resource resolve to nothing.
- Skipped ("No Moto CloudFormation support"): AWS::Lambda::Alias, AWS::CodeDeploy::Application,
  AWS::CodeDeploy::DeploymentGroup, AWS::ApiGateway::Stage, AWS::ApiGateway::Account,
  AWS::ApiGateway::ApiKey, AWS::ApiGateway::UsagePlan, AWS::ApiGateway::UsagePlanKey,
  AWS::CloudWatch::Alarm, AWS::SecretsManager::Secret, AWS::SNS::Subscription,
  AWS::WAFv2::WebACLAssociation.
- Stubbed: AWS::ApiGateway::RestApi (its name only: the OpenAPI Body is ignored, so it has no
  methods); AWS::DynamoDB::Table (key schema, billing mode, deletion protection: not TTL,
  SSE or point-in-time recovery); AWS::Logs::LogGroup (name, retention: not the KMS key);
  AWS::Lambda::Function (code, handler, role, runtime, memory, timeout, environment: not
  layers, KMS key, tracing or logging config); AWS::KMS::Key (rotation; its key policy breaks
  DescribeKey).
- Stripped below, because create_stack fails on them: the AWS::Lambda::Permission resources
  on the aliases (their FunctionName resolves to nothing) and AWS::ApiGateway::Deployment
  ("The REST API doesn't contain any methods").
What moto skips, stubs or cannot take is asserted on the transformed template instead
(test_transformed.py).
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.cfn import Resolver
from tests.infrastructure.transform import CONFIG_ENVS, config_env, parameters, transformed

pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")

ACCOUNT = "210987654321"  # apart from the account the integration tests' embedded AWS uses
REGION = "us-east-1"
SKIPPED = {
    "AWS::Lambda::Alias",
    "AWS::CodeDeploy::Application",
    "AWS::CodeDeploy::DeploymentGroup",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Account",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::Logs::MetricFilter",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::CloudWatch::Alarm",
    "AWS::SecretsManager::Secret",
    "AWS::SNS::Subscription",
    "AWS::WAFv2::WebACLAssociation",
}
CREATED = Counter(
    {
        "AWS::DynamoDB::Table": 4,
        "AWS::Lambda::Function": 6,
        "AWS::Lambda::Version": 6,
        "AWS::Lambda::LayerVersion": 2,  # the common layer and the sandbox's
        "AWS::IAM::Role": 7,  # 6 functions' and CodeDeploy's
        "AWS::Logs::LogGroup": 7,
        "AWS::KMS::Key": 1,
        "AWS::KMS::Alias": 1,
        "AWS::SNS::Topic": 1,
        "AWS::CloudWatch::Dashboard": 1,
        "AWS::ApiGateway::RestApi": 1,
    }
)
GROUPS = ("billing", "portfolio", "tokenization", "cases", "customer", "authorizer")


def client(service: str) -> Any:
    """A client of moto's AWS in ACCOUNT."""
    made = boto3.client(service, region_name=REGION)

    def into_account(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = ACCOUNT

    made.meta.events.register("before-sign", into_account)
    return made


def deployable(env: str) -> dict[str, Any]:
    """The transformed template without what moto's create_stack cannot take (see above),
    and with a role's policies chosen as CloudFormation chooses them: moto keeps an
    Fn::If's AWS::NoValue in the list (a null policy) where CloudFormation drops it."""
    template = copy.deepcopy(transformed(env))
    resources = template["Resources"]
    conditions = Resolver(
        parameters(env), template.get("Conditions", {}), lambda n: n, lambda n, a: n
    )
    for resource in resources.values():
        policies = resource.get("Properties", {}).get("Policies")
        if resource["Type"] == "AWS::IAM::Role" and isinstance(policies, list):
            chosen = [
                (p["Fn::If"][1] if conditions.condition(p["Fn::If"][0]) else p["Fn::If"][2])
                if isinstance(p, dict) and "Fn::If" in p
                else p
                for p in policies
            ]
            resource["Properties"]["Policies"] = [p for p in chosen if p != {"Ref": "AWS::NoValue"}]
    aliases = {k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Alias"}
    for logical_id, resource in list(resources.items()):
        kind = resource["Type"]
        on_alias = kind == "AWS::Lambda::Permission" and (
            resource["Properties"]["FunctionName"].get("Ref") in aliases
        )
        if on_alias or kind == "AWS::ApiGateway::Deployment":
            del resources[logical_id]
    return template


def upload_code(template: dict[str, Any]) -> None:
    """The functions' and the layer's code where the transformed template points."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", "def handler(event, context):\n    return {}\n")
    s3 = client("s3")
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        location = properties.get("Code") or properties.get("Content")
        if isinstance(location, dict) and "S3Key" in location:
            if location["S3Bucket"] not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
                s3.create_bucket(Bucket=location["S3Bucket"])
            s3.put_object(
                Bucket=location["S3Bucket"], Key=location["S3Key"], Body=archive.getvalue()
            )


@pytest.fixture(scope="module")
def stacks() -> Iterator[dict[str, dict[str, Any]]]:
    """Config-env -> {stack, resources: {logical id: (type, physical id)}, outputs}."""
    # Neither reset on start nor removed on stop: moto's backends are process-wide, and the
    # integration tests' embedded AWS (another account) may already hold this worker's data.
    mock = mock_aws()
    mock.start(reset=False)
    try:
        cloudformation = client("cloudformation")
        for env in CONFIG_ENVS:
            template = deployable(env)
            upload_code(template)
            cloudformation.create_stack(
                StackName=config_env(env)["stack_name"],
                TemplateBody=json.dumps(template),
                Parameters=[
                    {"ParameterKey": k, "ParameterValue": v} for k, v in parameters(env).items()
                ],
                Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            )
        found = {}
        for env in CONFIG_ENVS:
            name = config_env(env)["stack_name"]
            (stack,) = cloudformation.describe_stacks(StackName=name)["Stacks"]
            summaries = cloudformation.list_stack_resources(StackName=name)
            found[env] = {
                "stack": stack,
                "resources": {
                    r["LogicalResourceId"]: (r["ResourceType"], r["PhysicalResourceId"])
                    for r in summaries["StackResourceSummaries"]
                },
                "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
            }
        yield found
    finally:
        mock.stop(remove_data=False)


@pytest.fixture(params=CONFIG_ENVS)
def env(request: pytest.FixtureRequest) -> str:
    return request.param


def physical(stacks: dict[str, Any], env: str, logical_id: str) -> str:
    return str(stacks[env]["resources"][logical_id][1])


def test_each_country_stack_is_created_beside_the_others(stacks, env):
    assert stacks[env]["stack"]["StackStatus"] == "CREATE_COMPLETE"


def test_moto_creates_everything_but_the_types_it_skips(stacks, env):
    created = Counter(kind for kind, _ in stacks[env]["resources"].values() if kind)
    declared = Counter(r["Type"] for r in deployable(env)["Resources"].values())
    configures_account = parameters(env)["ConfigureApiGatewayAccount"] == "true"
    conditional_role = Counter({"AWS::IAM::Role": 1})  # API Gateway's CloudWatch role
    unstripped = Counter({"AWS::Lambda::Permission": declared["AWS::Lambda::Permission"]})
    expected = CREATED + unstripped + (conditional_role if configures_account else Counter())
    assert created == expected
    skipped = Counter({kind: n for kind, n in declared.items() if kind in SKIPPED})
    assert declared - created == skipped + (Counter() if configures_account else conditional_role)


def test_tables_have_their_keys_and_owned_data_is_deletion_protected(stacks, env):
    dynamodb = client("dynamodb")
    pk_sk = [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    expected = {
        "SandboxTable": (pk_sk, False),
        "CheckoutTable": (pk_sk, True),
        "PaperlessTable": (pk_sk, True),
        "IdempotencyTable": ([{"AttributeName": "id", "KeyType": "HASH"}], True),
    }
    for logical_id, (keys, protected) in expected.items():
        table = dynamodb.describe_table(TableName=physical(stacks, env, logical_id))["Table"]
        assert table["KeySchema"] == keys, logical_id
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is protected, logical_id
        assert stacks[env]["outputs"][f"{logical_id}Name"] == table["TableName"]


def test_functions_are_wired_to_this_stacks_tables_and_log_to_their_groups(stacks, env):
    lambda_, logs = client("lambda"), client("logs")
    tables = {
        variable: physical(stacks, env, logical_id)
        for variable, logical_id in (
            ("SANDBOX_TABLE", "SandboxTable"),
            ("CHECKOUT_TABLE", "CheckoutTable"),
            ("PAPERLESS_TABLE", "PaperlessTable"),
            ("IDEMPOTENCY_TABLE", "IdempotencyTable"),
        )
    }
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    for group in GROUPS:
        logical_id = f"{group.capitalize()}Function"
        name = physical(stacks, env, logical_id)
        assert name == f"home-self-care-{group}-{env}-dev"
        function = lambda_.get_function_configuration(FunctionName=name)
        assert function["Runtime"] == "python3.13"
        assert physical(stacks, env, f"{logical_id}Role") in function["Role"]
        variables = function["Environment"]["Variables"]
        assert variables["COUNTRY"] == env
        for variable, table in tables.items():
            assert variables.get(variable, table) == table, f"{group}: {variable}"
        log_group = groups[f"/aws/lambda/{name}"]
        assert log_group["logGroupName"] == physical(stacks, env, f"{logical_id}Logs")
        assert log_group["retentionInDays"] == int(parameters(env)["LogRetentionDays"])
    assert f"/aws/apigateway/home-self-care-{env}-dev" in groups


def test_the_key_rotates_and_encrypts_the_alarm_topic(stacks, env):
    kms, sns = client("kms"), client("sns")
    key_id = physical(stacks, env, "DataKey")
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases[f"alias/home-self-care-{env}-dev"] == key_id
    topic = stacks[env]["outputs"]["AlarmTopicArn"]
    assert topic.endswith(f":home-self-care-alarms-{env}-dev")
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"] == key_id


def test_the_dashboard_names_this_stacks_api_and_functions(stacks, env):
    name = physical(stacks, env, "Dashboard")
    body = json.loads(client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"])
    named = {
        value
        for widget in body["widgets"]
        for row in widget["properties"]["metrics"]
        for key, value in itertools.pairwise(row)
        if key in ("FunctionName", "function_name", "ApiName")
    }
    functions = {physical(stacks, env, f"{g.capitalize()}Function") for g in GROUPS}
    api = client("apigateway").get_rest_api(restApiId=physical(stacks, env, "Api"))["name"]
    assert named == functions | {api}
    assert stacks[env]["outputs"]["DashboardUrl"].endswith(f"#dashboards:name={name}")


def test_the_api_url_points_at_this_countrys_base_path(stacks, env):
    api_id = physical(stacks, env, "Api")
    assert stacks[env]["outputs"]["ApiUrl"] == (
        f"https://{api_id}.execute-api.{REGION}.amazonaws.com/dev/v1/tigo/home/{env}"
    )
