"""Lambda functions, with their execution role and VPC placement.

Environment variable values are secrets more often than not: they are replaced by
`<redacted>` before the configuration is kept (keys stay, they help a responder).
"""

from __future__ import annotations

from typing import Any

from ._common import REDACTED, ApiRegion
from ._family import add_described, each_listed
from .ec2 import relate_security_groups, subnet_id

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
    def add_function(_client: Any, listed: dict) -> None:
        function = redact_environment(listed)
        fid = function["FunctionArn"]
        add_described(ctx, FUNCTION, fid, function, "FunctionName")
        ctx.relate(fid, function.get("Role"), "Is associated with Role")
        vpc = function.get("VpcConfig") or {}
        for subnet in vpc.get("SubnetIds") or []:
            ctx.relate(fid, subnet_id(ctx, subnet), "Is contained in Subnet")
        relate_security_groups(ctx, fid, vpc.get("SecurityGroupIds"))

    listing = ("ListFunctions", "list_functions", "Functions")
    each_listed(ctx, "lambda", listing, FUNCTION, add_function)
