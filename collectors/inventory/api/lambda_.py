"""Lambda functions, with their execution role and VPC placement.

Environment variable values are secrets more often than not: they are replaced by
`<redacted>` before the configuration is kept (keys stay, they help a responder).
"""

from __future__ import annotations

from ._common import REDACTED, ApiRegion, paginate, to_config_shape
from .ec2 import security_group_id, subnet_id

FUNCTION = "AWS::Lambda::Function"
TYPES = (FUNCTION,)
GLOBAL = False


def redact_environment(function: dict) -> dict:
    environment = function.get("Environment")
    if isinstance(environment, dict) and isinstance(environment.get("Variables"), dict):
        function = dict(function)
        function["Environment"] = {
            **environment,
            "Variables": {key: REDACTED for key in environment["Variables"]},
        }
    return function


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("lambda")
    with ctx.listing("lambda", "ListFunctions", FUNCTION):
        for function in paginate(client, "list_functions", "Functions"):
            function = redact_environment(function)
            fid = function["FunctionArn"]
            ctx.add(
                FUNCTION,
                fid,
                resource_id=function["FunctionName"],
                name=function["FunctionName"],
                configuration=to_config_shape(function),
            )
            ctx.relate(fid, function.get("Role"), "Is associated with Role")
            vpc = function.get("VpcConfig") or {}
            for subnet in vpc.get("SubnetIds") or []:
                ctx.relate(fid, subnet_id(ctx, subnet), "Is contained in Subnet")
            for group in vpc.get("SecurityGroupIds") or []:
                ctx.relate(fid, security_group_id(ctx, group), "Is associated with SecurityGroup")
