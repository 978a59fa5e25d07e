"""Controls of the `serverless` layer, one row a control.

Sources: Lambda's log group rules (default `/aws/lambda/<function>`, `LoggingConfig.LogGroup`
for a custom one) https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html
and Step Functions logging levels
https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html .
"""

from __future__ import annotations

from ...model import Expectation, Layer
from . import Control

CONTROLS: tuple[Control, ...] = (
    Control(
        id="lambda-logging",
        layer=Layer.serverless,
        title="Lambda function logs reach CloudWatch Logs",
        resource_types=("AWS::Lambda::Function",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "lambda:ListFunctions Role/LoggingConfig.LogGroup; iam:GetRole, "
            "ListAttachedRolePolicies, ListRolePolicies/GetRolePolicy, GetPolicyVersion "
            "(logs:CreateLogStream + logs:PutLogEvents on the group); "
            "logs:DescribeLogGroups logGroupName/retentionInDays"
        ),
        logs_land_in=("CloudWatch Logs group /aws/lambda/<function> or LoggingConfig.LogGroup"),
        remediation=(
            "aws iam attach-role-policy --role-name <execution-role> --policy-arn "
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ),
        first_query=(
            "fields @timestamp, @requestId, @message | filter @message like /ERROR|<ioc>/ "
            "| sort @timestamp desc | limit 200"
        ),
        attack_data_components=(
            "Application Log: Application Log Content",
            "Command: Command Execution",
        ),
        partial_when="",
    ),
    Control(
        id="stepfunctions-logging",
        layer=Layer.serverless,
        title="Step Functions state machine execution logging",
        resource_types=("AWS::StepFunctions::StateMachine",),
        expectation=Expectation.baseline,
        evaluated_by="states:DescribeStateMachine loggingConfiguration.level/destinations",
        logs_land_in="CloudWatch Logs group in loggingConfiguration.destinations",
        remediation=(
            "aws stepfunctions update-state-machine --state-machine-arn <state-machine-arn> "
            "--logging-configuration 'level=ALL,includeExecutionData=true,destinations="
            "[{cloudWatchLogsLogGroup={logGroupArn=<log-group-arn>:*}}]'"
        ),
        first_query=(
            "fields @timestamp, type, execution_arn, details.name, details.error "
            "| filter type like /Failed|Aborted|TimedOut/ | sort @timestamp desc"
        ),
        attack_data_components=(
            "Application Log: Application Log Content",
            "Cloud Service: Cloud Service Modification",
        ),
        partial_when="level ERROR or FATAL (only failed executions are logged)",
    ),
)
