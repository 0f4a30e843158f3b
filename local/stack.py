"""One country's stack as template.yaml declares it, made real on the local machine:
tables and secrets created in (moto's) AWS from the template's own resource definitions,
functions with their resolved environment, and the API's routes."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local import cfn

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Route:
    method: str  # upper-case
    path: str  # API Gateway resource path, e.g. /v1/tigo/home/{country}/billing/...
    function: str  # logical id
    authorizer: str | None = None  # name in the Api's Auth.Authorizers, None when public

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.strip("/").split("/"))


@dataclass(frozen=True)
class Authorizer:
    """A TOKEN Lambda authorizer as the Api's Auth declares it."""

    function: str  # logical id
    header: str
    validation: str | None
    ttl: int


@dataclass
class Function:
    name: str  # logical id
    code_dir: Path
    handler: str  # module.attribute
    environment: dict[str, str]
    memory_mb: int = 128
    timeout_s: int = 3


@dataclass
class Stack:
    country: str
    stage: str = "local"
    template_path: Path = TEMPLATE
    overrides: dict[str, str] = field(default_factory=dict)
    bss: Any = None  # Backend tmf: the TMF stand-in it points at (local.tmf_standin), if local

    def __post_init__(self) -> None:
        self.template = cfn.load(self.template_path)
        self.resources: dict[str, dict[str, Any]] = self.template["Resources"]
        parameters = {
            name: str(spec.get("Default", ""))
            for name, spec in self.template.get("Parameters", {}).items()
        }
        parameters.update(
            {
                "Country": self.country,
                "Stage": self.stage,
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::StackName": self.name,
            }
        )
        parameters.update(self.overrides)
        self.physical: dict[str, str] = {}
        self.cfn = cfn.Resolver(
            parameters, self.template.get("Conditions", {}), self._ref, self._get_att
        )

    @property
    def name(self) -> str:
        return f"home-self-care-{self.country}-{self.stage}"

    # Intrinsics -----------------------------------------------------------------------------
    def _ref(self, logical_id: str) -> str:
        # SAM's AutoPublishAlias: `Function.Alias`, or the alias it generates, FunctionAliaslive
        if logical_id.endswith((".Alias", "Aliaslive")) and logical_id not in self.resources:
            function = logical_id.removesuffix(".Alias").removesuffix("Aliaslive")
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}:live"
        resource = self.resources[logical_id]
        if resource["Type"] == "AWS::DynamoDB::Table":
            return f"{self.name}-{logical_id}"
        if resource["Type"] == "AWS::SecretsManager::Secret":
            return self.physical.get(logical_id) or self.secret_name(logical_id)
        return f"{self.name}-{logical_id}"

    def _get_att(self, logical_id: str, attribute: str) -> str:
        kind = self.resources[logical_id]["Type"]
        if attribute == "Arn" and kind == "AWS::DynamoDB::Table":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self._ref(logical_id)}"
        if attribute == "Arn" and kind == "AWS::Serverless::Function":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{logical_id}"
        return f"{self.name}-{logical_id}.{attribute}"

    def exists(self, logical_id: str) -> bool:
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.cfn.condition(condition)

    def of_type(self, kind: str) -> list[str]:
        return [k for k, v in self.resources.items() if v["Type"] == kind and self.exists(k)]

    def table_name(self, logical_id: str) -> str:
        return self._ref(logical_id)

    def secret_name(self, logical_id: str) -> str:
        return str(self.cfn.resolve(self.resources[logical_id]["Properties"]["Name"]))

    # Provisioning -------------------------------------------------------------------------------
    def provision(self) -> None:
        """Create (or reuse) every table and secret of the stack, as the template defines them."""
        import boto3

        dynamodb = boto3.client("dynamodb", region_name=REGION)
        existing = set(dynamodb.list_tables()["TableNames"])
        for logical_id in self.of_type("AWS::DynamoDB::Table"):
            name = self.table_name(logical_id)
            if name not in existing:
                _create_table(
                    dynamodb, name, self.cfn.resolve(self.resources[logical_id]["Properties"])
                )
        manager = boto3.client("secretsmanager", region_name=REGION)
        for logical_id in self.of_type("AWS::SecretsManager::Secret"):
            properties = self.cfn.resolve(self.resources[logical_id]["Properties"])
            self.physical[logical_id] = _ensure_secret(manager, properties)

    # Functions and routes -----------------------------------------------------------------------
    def functions(self) -> dict[str, Function]:
        globals_ = self.template.get("Globals", {}).get("Function", {})
        shared_env = self.cfn.resolve(globals_.get("Environment", {}).get("Variables", {}))
        found = {}
        for logical_id in self.of_type("AWS::Serverless::Function"):
            properties = self.resources[logical_id]["Properties"]
            env = dict(shared_env)
            env.update(self.cfn.resolve(properties.get("Environment", {}).get("Variables", {})))
            found[logical_id] = Function(
                name=logical_id,
                code_dir=ROOT / properties["CodeUri"],
                handler=properties.get("Handler", globals_.get("Handler", "app.handler")),
                environment={k: str(v) for k, v in env.items()},
                memory_mb=int(properties.get("MemorySize", globals_.get("MemorySize", 128))),
                timeout_s=int(properties.get("Timeout", globals_.get("Timeout", 3))),
            )
        return found

    def routes(self) -> list[Route]:
        """The functions' Api events, then the Lambda methods of the Api's DefinitionBody
        (its ANY methods: "ANY"), which SAM merges with them."""
        api = self.api()
        default = api.get("Auth", {}).get("DefaultAuthorizer")
        found = []
        for logical_id in self.of_type("AWS::Serverless::Function"):
            for event in self.resources[logical_id]["Properties"].get("Events", {}).values():
                if event["Type"] == "Api":
                    props = event["Properties"]
                    authorizer = props.get("Auth", {}).get("Authorizer", default)
                    authorizer = None if authorizer in (None, "NONE") else authorizer
                    found.append(
                        Route(props["Method"].upper(), props["Path"], logical_id, authorizer)
                    )
        for path, item in (api.get("DefinitionBody") or {}).get("paths", {}).items():
            for method, operation in item.items():
                integration = operation.get("x-amazon-apigateway-integration", {})
                if integration.get("type") != "aws_proxy":
                    continue
                arn = integration["uri"].partition("/functions/")[2].removesuffix("/invocations")
                public = any("NONE" in s for s in operation.get("security", []))
                method = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                found.append(
                    Route(method, path, self.resources_by_arn(arn), None if public else default)
                )
        return found

    def authorizers(self) -> dict[str, Authorizer]:
        found = {}
        for name, spec in self.api().get("Auth", {}).get("Authorizers", {}).items():
            identity = spec.get("Identity", {})
            function = self.resources_by_arn(spec["FunctionArn"])
            found[name] = Authorizer(
                function=function,
                header=identity.get("Header", "Authorization"),
                validation=identity.get("ValidationExpression"),
                ttl=int(identity.get("ReauthorizeEvery", 300)),
            )
        return found

    def resources_by_arn(self, arn: str) -> str:
        """The function logical id behind a resolved `!GetAtt X.Arn`."""
        return arn.rpartition(":function:")[2].removesuffix(":live")

    def api(self) -> dict[str, Any]:
        (logical_id,) = self.of_type("AWS::Serverless::Api")
        properties: dict[str, Any] = self.cfn.resolve(self.resources[logical_id]["Properties"])
        return properties


def _create_table(client: Any, name: str, properties: dict[str, Any]) -> None:
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": properties["AttributeDefinitions"],
        "KeySchema": properties["KeySchema"],
        "BillingMode": properties.get("BillingMode", "PAY_PER_REQUEST"),
    }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in properties:
            request[key] = properties[key]
    try:
        client.create_table(**request)
    except client.exceptions.ResourceInUseException:
        return  # another runner sharing this embedded AWS created it meanwhile
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    pitr = properties.get("PointInTimeRecoverySpecification")
    if pitr:
        client.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=pitr)


def _ensure_secret(client: Any, properties: dict[str, Any]) -> str:
    name = properties["Name"]
    try:
        return str(client.describe_secret(SecretId=name)["ARN"])
    except client.exceptions.ResourceNotFoundException:
        pass
    try:
        created = client.create_secret(
            Name=name,
            Description=properties.get("Description", ""),
            SecretString=_generate(properties.get("GenerateSecretString", {})),
        )
    except client.exceptions.ResourceExistsException:  # another runner created it meanwhile
        return str(client.describe_secret(SecretId=name)["ARN"])
    return str(created["ARN"])


def _generate(spec: dict[str, Any]) -> str:
    """A value like Secrets Manager's GenerateSecretString makes (never a fixed string)."""
    import json

    alphabet = string.ascii_letters + string.digits
    if not spec.get("ExcludePunctuation"):
        alphabet += "!#$%&()*+,-.:;<=>?@[]^_{|}~"
    password = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    template = spec.get("SecretStringTemplate")
    if not template:
        return password
    value = json.loads(template)
    value[spec["GenerateStringKey"]] = password
    return json.dumps(value)
