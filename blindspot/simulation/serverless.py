"""The serverless path: API Gateway -> Lambda -> DynamoDB, plus Step Functions.

Planned coverage:
* Lambda `prod-orders-api`: execution role with AWSLambdaBasicExecutionRole, log group
  `/aws/lambda/prod-orders-api` with 30-day retention (logged; the retention
  is short of a year: partial).
* Lambda `prod-image-resizer`: its role has S3 access but no logs:* permission, so nothing it
  prints is ever stored (serverless: missing).
* Lambda `dev-orders-api`: may write logs; its log group never expires (logged, and its
  retention too: never-expire keeps everything).
* REST API `prod-orders-api`, stage `prod`: access logs and INFO execution logs (logged);
  HTTP API `prod-partner-webhooks`, stage `$default`: no access logs (missing).
* State machine `prod-order-fulfilment`: logging ALL (logged);
  `dev-nightly-export`: logging OFF (missing).
"""

from __future__ import annotations

import io
import json
import zipfile
from functools import partial

from .accounts import BuildContext, SimAccount, record_planned, service_trust
from .naming import hostile_tags, tags
from .network import log_group

LAMBDA_TRUST = service_trust("lambda.amazonaws.com")

HANDLER_SOURCE = b"def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def _code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("app.py", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, HANDLER_SOURCE)
    return buffer.getvalue()


CODE = _code()


def execution_role(account: SimAccount, name: str, managed: tuple[str, ...]) -> str:
    iam = account.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    for policy in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    return arn


def create_function(
    account: SimAccount, region: str, name: str, role: str, tag_values: dict[str, str]
) -> str:
    return account.client("lambda", region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": CODE},
        Timeout=15,
        MemorySize=256,
        Environment={"Variables": {"DB_PASSWORD": "hunter2-demo-secret", "STAGE": name}},
        LoggingConfig={"LogFormat": "JSON", "LogGroup": f"/aws/lambda/{name}"},
        Tags=tag_values,
    )["FunctionArn"]


#: Most controls planned here are of the serverless layer; a call names another with `layer=`.
_record = partial(record_planned, layer="serverless")


def build_functions(ctx: BuildContext) -> None:
    prod = ctx.account("production")
    dev = ctx.account("development")
    east = ctx.regions[0]

    role = execution_role(
        prod,
        "prod-orders-api-role",
        ("service-role/AWSLambdaBasicExecutionRole", "AmazonDynamoDBFullAccess"),
    )
    orders = create_function(
        prod, east, "prod-orders-api", role, tags("production", "payments", "cc-1042")
    )
    group = log_group(prod, east, "/aws/lambda/prod-orders-api", retention=30)
    ctx.facts["prod_orders_function_arn"] = orders
    _record(
        ctx,
        prod,
        east,
        "AWS::Lambda::Function",
        "prod-orders-api",
        orders,
        "lambda-logging",
        "logged",
        group,
    )
    _record(
        ctx,
        prod,
        east,
        "AWS::Logs::LogGroup",
        "/aws/lambda/prod-orders-api",
        group,
        "log-retention",
        "partial",
        "30 days, under a year",
        layer="account",
    )

    role = execution_role(prod, "prod-image-resizer-role", ("AmazonS3FullAccess",))
    resizer = create_function(
        prod, east, "prod-image-resizer", role, tags("production", "storefront", "cc-1107")
    )
    _record(
        ctx,
        prod,
        east,
        "AWS::Lambda::Function",
        "prod-image-resizer",
        resizer,
        "lambda-logging",
        "missing",
        "role cannot write logs",
    )

    role = execution_role(dev, "dev-orders-api-role", ("service-role/AWSLambdaBasicExecutionRole",))
    dev_fn = create_function(
        dev,
        east,
        "dev-orders-api",
        role,
        {**tags("development", "payments", "cc-2077"), **hostile_tags()},
    )
    dev_group = log_group(dev, east, "/aws/lambda/dev-orders-api", retention=None)
    _record(
        ctx,
        dev,
        east,
        "AWS::Lambda::Function",
        "dev-orders-api",
        dev_fn,
        "lambda-logging",
        "logged",
        dev_group,
    )
    _record(
        ctx,
        dev,
        east,
        "AWS::Logs::LogGroup",
        "/aws/lambda/dev-orders-api",
        dev_group,
        "log-retention",
        "logged",
        "never expires",
        layer="account",
    )

    for account, fn, state in (
        (prod, orders, "logged"),
        (prod, resizer, "missing"),
        (dev, dev_fn, "missing"),
    ):
        _record(
            ctx,
            account,
            east,
            "AWS::Lambda::Function",
            fn.rsplit(":", 1)[1],
            fn,
            "cloudtrail-lambda-data-events",
            state,
            "prod-account-trail" if state == "logged" else "no selector",
            layer="account",
        )


def build_apis(ctx: BuildContext) -> None:
    """The REST API in front of the orders function, and an HTTP API without logs."""
    prod = ctx.account("production")
    east = ctx.regions[0]
    function = ctx.facts["prod_orders_function_arn"]
    api = prod.client("apigateway", east)
    rest_id = api.create_rest_api(
        name="prod-orders-api", description="orders", tags=tags("production", "payments", "cc-1042")
    )["id"]
    root = next(
        item["id"] for item in api.get_resources(restApiId=rest_id)["items"] if item["path"] == "/"
    )
    resource = api.create_resource(restApiId=rest_id, parentId=root, pathPart="orders")["id"]
    api.put_method(
        restApiId=rest_id, resourceId=resource, httpMethod="POST", authorizationType="AWS_IAM"
    )
    api.put_integration(
        restApiId=rest_id,
        resourceId=resource,
        httpMethod="POST",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:{east}:lambda:path/2015-03-31/functions/{function}/invocations",
    )
    api.create_deployment(restApiId=rest_id, stageName="prod")
    access_group = log_group(prod, east, "/aws/apigateway/prod-orders-api-access", retention=90)
    api.update_stage(
        restApiId=rest_id,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": access_group},
            {
                "op": "replace",
                "path": "/accessLogSettings/format",
                "value": '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
                '"status":"$context.status"}',
            },
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"},
        ],
    )
    stage_arn = f"arn:aws:apigateway:{east}::/restapis/{rest_id}/stages/prod"
    _record(
        ctx,
        prod,
        east,
        "AWS::ApiGateway::Stage",
        f"{rest_id}/prod",
        stage_arn,
        "apigateway-access-logs",
        "logged",
        access_group,
        layer="access",
    )

    v2 = prod.client("apigatewayv2", east)
    http_id = v2.create_api(
        Name="prod-partner-webhooks", ProtocolType="HTTP", Tags={"team": "payments"}
    )["ApiId"]
    v2.create_stage(ApiId=http_id, StageName="$default", AutoDeploy=True)
    http_arn = f"arn:aws:apigateway:{east}::/apis/{http_id}/stages/$default"
    _record(
        ctx,
        prod,
        east,
        "AWS::ApiGatewayV2::Stage",
        f"{http_id}/$default",
        http_arn,
        "apigateway-access-logs",
        "missing",
        "no AccessLogSettings",
        layer="access",
    )
    ctx.facts["prod_rest_api"] = rest_id
    ctx.facts["prod_http_api"] = http_id


def build_state_machines(ctx: BuildContext) -> None:
    east = ctx.regions[0]
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}})
    for role_name, name, level in (
        ("production", "prod-order-fulfilment", "ALL"),
        ("development", "dev-nightly-export", "OFF"),
    ):
        account = ctx.account(role_name)
        role = execution_role(account, f"{name}-sfn-role", ("CloudWatchLogsFullAccess",))
        logging: dict = {"level": level, "includeExecutionData": False}
        if level != "OFF":
            group = log_group(account, east, f"/aws/vendedlogs/states/{name}", retention=60)
            logging["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": f"{group}:*"}}]
        arn = account.client("stepfunctions", east).create_state_machine(
            name=name, definition=definition, roleArn=role, loggingConfiguration=logging
        )["stateMachineArn"]
        _record(
            ctx,
            account,
            east,
            "AWS::StepFunctions::StateMachine",
            name,
            arn,
            "stepfunctions-logging",
            "logged" if level != "OFF" else "missing",
            f"level {level}",
        )
