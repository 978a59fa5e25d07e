"""Controls of the `serverless` layer, one row a control.

Sources: Lambda's log group rules (default `/aws/lambda/<function>`, `LoggingConfig.LogGroup`
for a custom one) https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html
and Step Functions logging levels
https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html .
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

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
        item_fields=(
            "AWS::Lambda::Function role, loggingConfig; AWS::IAM::Role rolePolicyList, "
            "attachedManagedPolicies; AWS::IAM::Policy policyVersionList"
        ),
        fill_call=(
            "iam:GetRole / ListRolePolicies / GetRolePolicy / ListAttachedRolePolicies / "
            "GetPolicyVersion; logs:DescribeLogGroups"
        ),
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
        item_fields="AWS::StepFunctions::StateMachine LoggingConfiguration.Level / Destinations",
        fill_call="states:DescribeStateMachine",
    ),
    Control(
        id="codebuild-logging",
        layer=Layer.serverless,
        title="CodeBuild project build logs (CloudWatch Logs or S3)",
        resource_types=("AWS::CodeBuild::Project",),
        expectation=Expectation.baseline,
        evaluated_by="codebuild:BatchGetProjects logsConfig.cloudWatchLogs.status/s3Logs.status",
        logs_land_in="CloudWatch Logs /aws/codebuild/<project> (or groupName), or S3 location",
        remediation=(
            "aws codebuild update-project --name <project> --logs-config "
            "'cloudWatchLogs={status=ENABLED,groupName=/aws/codebuild/<project>}'"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @message like "
            "/curl|wget|aws sts|<ioc>/ | sort @timestamp asc"
        ),
        attack_data_components=("Command: Command Execution",),
        partial_when="",
        item_fields="AWS::CodeBuild::Project logsConfig.cloudWatchLogs.status / s3Logs.status",
        fill_call="codebuild:BatchGetProjects",
    ),
    Control(
        id="glue-job-logging",
        layer=Layer.serverless,
        title="Glue ETL job continuous logging",
        resource_types=("AWS::Glue::Job",),
        expectation=Expectation.baseline,
        evaluated_by="glue:GetJobs DefaultArguments['--enable-continuous-cloudwatch-log']",
        logs_land_in="CloudWatch Logs /aws-glue/jobs/logs-v2 (continuous), "
        "/aws-glue/jobs/output and /error (end of run)",
        remediation=(
            "aws glue update-job --job-name <job> --job-update "
            "'Role=<role-arn>,Command={Name=glueetl,ScriptLocation=<script-s3-uri>},"
            "DefaultArguments={--enable-continuous-cloudwatch-log=true}'"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @logStream like /<job-run-id>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="continuous logging off: only end-of-run output and error logs",
        item_fields="AWS::Glue::Job DefaultArguments['--enable-continuous-cloudwatch-log']",
        fill_call="glue:GetJobs",
    ),
    Control(
        id="bedrock-invocation-logging",
        layer=Layer.serverless,
        title="Bedrock model invocation logging (per region)",
        resource_types=("blindspot::Account::Region",),
        expectation=Expectation.extended,
        evaluated_by="bedrock:GetModelInvocationLoggingConfiguration "
        "loggingConfig.cloudWatchConfig/s3Config",
        logs_land_in="CloudWatch Logs group and/or S3 bucket from loggingConfig",
        remediation=(
            "aws bedrock put-model-invocation-logging-configuration --logging-config "
            "'cloudWatchConfig={logGroupName=<log-group>,roleArn=<role-arn>},"
            "textDataDeliveryEnabled=true'"
        ),
        first_query=(
            "fields @timestamp, identity.arn, modelId, operation, input.inputTokenCount "
            "| filter identity.arn like /<principal>/ | sort @timestamp desc"
        ),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="",
        item_fields="",
        fill_call="bedrock:GetModelInvocationLoggingConfiguration",
    ),
)
