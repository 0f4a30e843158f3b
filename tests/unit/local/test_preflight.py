"""The local runner's CORS preflights follow SAM's `Cors` the way API Gateway does: an
OPTIONS mock on every resource of the API (the most static resource chosen, as for any
method), SAM's defaults where the template says nothing, and the default authorizer in front
of it unless Auth sets AddDefaultAuthorizerToCorsPreflight to false. Small templates, no AWS:
a preflight never reaches a function."""

from __future__ import annotations

from pathlib import Path

from werkzeug.test import Client

from local.gateway import Gateway
from local.stack import Stack

TEMPLATE = """\
Parameters:
  AllowedOrigins:
    Type: String
    Default: https://mi.tigo.com.co,https://mi.tigo.com.gt
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: local
      Auth:
        DefaultAuthorizer: Jwt
        PREFLIGHT_AUTH
        Authorizers:
          Jwt:
            FunctionArn: !GetAtt AuthorizerFunction.Arn
            Identity:
              Header: Authorization
      Cors: !Sub
        - "'${Origin}'"
        - Origin: !Select [0, !Split [",", !Ref AllowedOrigins]]
      GatewayResponses:
        UNAUTHORIZED:
          StatusCode: "401"
  AuthorizerFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/authorizer/
      Handler: app.handler
  ThingsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/customer/
      Handler: app.handler
      Events:
        Read:
          Type: Api
          Properties:
            Path: /v1/tigo/home/{country}/things/{thingId}
            Method: get
        Remove:
          Type: Api
          Properties:
            Path: /v1/tigo/home/{country}/things/{thingId}
            Method: delete
        Special:
          Type: Api
          Properties:
            Path: /v1/tigo/home/{country}/things/special
            Method: get
"""


def client(tmp_path: Path, preflight_auth: str = "") -> Client:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.replace("PREFLIGHT_AUTH", preflight_auth))
    return Client(Gateway({"co": Stack("co", template_path=path)}, "co"))


def preflight(browser: Client, path: str, **headers: str):
    return browser.open(
        path,
        method="OPTIONS",
        headers={"Origin": "https://mi.tigo.com.co", "Access-Control-Request-Method": "GET"}
        | headers,
    )


def test_sams_defaults_list_the_resources_own_methods_and_nothing_else(tmp_path):
    browser = client(tmp_path, "AddDefaultAuthorizerToCorsPreflight: false")

    response = preflight(browser, "/v1/tigo/home/co/things/42")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://mi.tigo.com.co"
    assert response.headers["Access-Control-Allow-Methods"] == "DELETE,GET,OPTIONS"
    for absent in ("Allow-Headers", "Max-Age", "Allow-Credentials"):
        assert f"Access-Control-{absent}" not in response.headers


def test_the_most_static_resource_answers_with_its_own_methods(tmp_path):
    browser = client(tmp_path, "AddDefaultAuthorizerToCorsPreflight: false")

    response = preflight(browser, "/v1/tigo/home/co/things/special")

    assert response.headers["Access-Control-Allow-Methods"] == "GET,OPTIONS"


def test_the_mock_answers_the_first_origin_whatever_the_request_sends(tmp_path):
    """API Gateway's mock cannot echo: a second allowed origin fails its preflights."""
    browser = client(tmp_path, "AddDefaultAuthorizerToCorsPreflight: false")

    response = preflight(browser, "/v1/tigo/home/co/things/42", Origin="https://mi.tigo.com.gt")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://mi.tigo.com.co"


def test_by_default_sam_puts_the_authorizer_in_front_of_preflights(tmp_path):
    """Browsers send no token in a preflight: every cross-origin call would fail with 401."""
    browser = client(tmp_path)

    response = preflight(browser, "/v1/tigo/home/co/things/42")

    assert response.status_code == 401


def test_an_unknown_resource_has_no_options_method(tmp_path):
    browser = client(tmp_path, "AddDefaultAuthorizerToCorsPreflight: false")

    assert preflight(browser, "/v1/tigo/home/co/others/42").status_code == 403


ANY_METHOD = """\
      MergeDefinitions: true
      DefinitionBody:
        openapi: "3.0.1"
        paths:
          /v1/tigo/home/{country}/things/{thingId}:
            x-amazon-apigateway-any-method:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ThingsFunctionAliaslive}/invocations
"""


def test_an_any_method_takes_other_methods_but_not_the_preflight(tmp_path):
    """API Gateway: the resource's own methods and SAM's OPTIONS mock win over its ANY
    method, which takes every other method (SAM's default AllowMethods then lists them all)."""
    from local.gateway import _match

    template = TEMPLATE.replace("      GatewayResponses:", ANY_METHOD + "      GatewayResponses:")
    path = tmp_path / "template.yaml"
    path.write_text(
        template.replace("PREFLIGHT_AUTH", "AddDefaultAuthorizerToCorsPreflight: false")
    )
    stack = Stack("co", template_path=path)
    routes = stack.routes()
    thing = ("v1", "tigo", "home", "co", "things", "42")

    assert [(r.method, r.function) for r in routes if r.method == "ANY"] == [
        ("ANY", "ThingsFunction")
    ]
    assert _match(routes, thing, "GET")[0].method == "GET"  # type: ignore[index]
    assert _match(routes, thing, "PATCH")[0].method == "ANY"  # type: ignore[index]
    assert _match(routes, (*thing[:5], "special"), "PATCH") is None  # another resource
    response = preflight(Client(Gateway({"co": stack}, "co")), "/v1/tigo/home/co/things/42")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Methods"] == (
        "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT"
    )
