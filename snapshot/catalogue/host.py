"""Controls of the `host` layer, one row a control.

Sources:
- CloudWatch agent: default log stream `{instance_id}` and the `CWAgent` namespace,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch-Agent-Configuration-File-Details.html
- Session Manager preferences live in the `SSM-SessionManagerRunShell` document,
  https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-configure-preferences-cli.html
- EKS control-plane log types and group `/aws/eks/<cluster>/cluster`,
  https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html
- ECS `logConfiguration`,
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

CONTROLS: tuple[Control, ...] = (
    Control(
        id="cloudwatch-agent",
        layer=Layer.host,
        title="CloudWatch agent ships OS and application logs from the instance",
        resource_types=("AWS::EC2::Instance",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "ssm:GetInventory AWS:Application.Name=amazon-cloudwatch-agent; "
            "cloudwatch:ListMetrics Namespace=CWAgent Dimensions[InstanceId]; "
            "logs:DescribeLogStreams logStreamName=<instance-id>; "
            "iam:GetInstanceProfile + role policies (logs:PutLogEvents)"
        ),
        logs_land_in="CloudWatch Logs groups chosen in the agent configuration",
        remediation=(
            "aws ssm send-command --document-name AWS-ConfigureAWSPackage --targets "
            "Key=InstanceIds,Values=<instance-id> --parameters "
            "action=Install,name=AmazonCloudWatchAgent"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @logStream like /<instance-id>/ "
            "| sort @timestamp desc | limit 200"
        ),
        attack_data_components=(
            "Process: Process Creation",
            "Command: Command Execution",
            "Logon Session: Logon Session Creation",
            "Application Log: Application Log Content",
        ),
        partial_when=(
            "only the instance profile permits shipping logs; no metrics, streams or "
            "SSM inventory show the agent"
        ),
        item_fields=(
            "AWS::SSM::ManagedInstanceInventory AWS:Application.Content (amazon-cloudwatch-agent "
            "installed)"
        ),
        fill_call=(
            "cloudwatch:ListMetrics CWAgent; logs:DescribeLogStreams; iam:GetRole / "
            "ListAttachedRolePolicies"
        ),
    ),
    Control(
        id="ssm-managed",
        layer=Layer.host,
        title="Instance managed by Systems Manager (SSM agent online)",
        resource_types=("AWS::EC2::Instance",),
        expectation=Expectation.extended,
        evaluated_by="ssm:DescribeInstanceInformation InstanceInformationList[].PingStatus",
        logs_land_in="SSM inventory, Run Command and Session Manager output (when configured)",
        remediation=(
            "aws ec2 associate-iam-instance-profile --instance-id <instance-id> "
            "--iam-instance-profile Name=<profile-with-AmazonSSMManagedInstanceCore>"
        ),
        first_query=(
            "SELECT eventtime, eventname, useridentity.arn, requestparameters "
            "FROM cloudtrail_logs WHERE eventsource = 'ssm.amazonaws.com' "
            "AND eventname IN ('SendCommand','StartSession') "
            "AND requestparameters LIKE '%<instance-id>%' ORDER BY eventtime"
        ),
        attack_data_components=("Command: Command Execution",),
        partial_when="PingStatus ConnectionLost",
        item_fields=(
            "AWS::SSM::ManagedInstanceInventory AWS:InstanceInformation (the instance reports to "
            "SSM)"
        ),
        fill_call="ssm:DescribeInstanceInformation PingStatus",
    ),
    Control(
        id="ssm-session-logging",
        layer=Layer.host,
        title="Session Manager session logging (S3 or CloudWatch Logs)",
        resource_types=("blindspot::Account::Region",),
        expectation=Expectation.extended,
        evaluated_by=(
            "ssm:GetDocument SSM-SessionManagerRunShell inputs.s3BucketName/cloudWatchLogGroupName"
        ),
        logs_land_in="S3 bucket/prefix or CloudWatch Logs group from Session Manager preferences",
        remediation=(
            "aws ssm update-document --name SSM-SessionManagerRunShell --document-version "
            "'$LATEST' --content file://session-prefs.json  # set inputs.cloudWatchLogGroupName"
            " or inputs.s3BucketName"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @logStream like /<user-or-session>/"
            " | sort @timestamp asc"
        ),
        attack_data_components=("Command: Command Execution",),
        partial_when="",
        item_fields="",
        fill_call="ssm:GetDocument SSM-SessionManagerRunShell",
    ),
    Control(
        id="eks-control-plane-logs",
        layer=Layer.host,
        title="EKS control-plane logs (api, audit, authenticator)",
        resource_types=("AWS::EKS::Cluster",),
        expectation=Expectation.baseline,
        evaluated_by="eks:DescribeCluster logging.clusterLogging[].types/enabled",
        logs_land_in="CloudWatch Logs group /aws/eks/<cluster>/cluster",
        remediation=(
            "aws eks update-cluster-config --name <cluster> --logging "
            '\'{"clusterLogging":[{"types":["api","audit","authenticator",'
            '"controllerManager","scheduler"],"enabled":true}]}\''
        ),
        first_query=(
            "fields @timestamp, verb, objectRef.resource, objectRef.name, user.username, "
            "sourceIPs.0 | filter @logStream like /kube-apiserver-audit/ "
            "| filter user.username like /<principal>/ | sort @timestamp desc"
        ),
        attack_data_components=(
            "Container: Container Creation",
            "Pod: Pod Creation",
            "User Account: User Account Authentication",
        ),
        partial_when="some of api, audit, authenticator enabled",
        item_fields=(
            "AWS::EKS::Cluster Logging.ClusterLogging.EnabledTypes (logging.clusterLogging in the "
            "Describe shape)"
        ),
        fill_call="eks:DescribeCluster",
    ),
    Control(
        id="ecs-task-logging",
        layer=Layer.host,
        title="ECS task definition containers ship their logs (log driver)",
        resource_types=("AWS::ECS::TaskDefinition",),
        expectation=Expectation.baseline,
        evaluated_by="ecs:DescribeTaskDefinition containerDefinitions[].logConfiguration.logDriver",
        logs_land_in="CloudWatch Logs group in the awslogs-group option, or the FireLens/Splunk "
        "destination",
        remediation=(
            "aws ecs register-task-definition --cli-input-json file://taskdef.json  "
            "# add logConfiguration {logDriver: awslogs, options: {awslogs-group: <group>, "
            "awslogs-region: <region>, awslogs-stream-prefix: <prefix>}} to every container"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @logStream like /<task-id>/ "
            "| sort @timestamp desc"
        ),
        attack_data_components=(
            "Application Log: Application Log Content",
            "Container: Container Start",
        ),
        partial_when="some containers have no log driver, or keep logs on the host "
        "(json-file, journald)",
        item_fields="AWS::ECS::TaskDefinition ContainerDefinitions[].LogConfiguration.LogDriver",
        fill_call="ecs:DescribeTaskDefinition",
    ),
    Control(
        id="elasticbeanstalk-logging",
        layer=Layer.host,
        title="Elastic Beanstalk instance logs streamed to CloudWatch Logs",
        resource_types=("AWS::ElasticBeanstalk::Environment",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "elasticbeanstalk:DescribeConfigurationSettings "
            "aws:elasticbeanstalk:cloudwatch:logs StreamLogs"
        ),
        logs_land_in="CloudWatch Logs /aws/elasticbeanstalk/<environment>/<log file>",
        remediation=(
            "aws elasticbeanstalk update-environment --environment-name <environment> "
            "--option-settings Namespace=aws:elasticbeanstalk:cloudwatch:logs,"
            "OptionName=StreamLogs,Value=true"
        ),
        first_query=(
            "fields @timestamp, @logStream, @message | filter @message like /<ip or path>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=(
            "Application Log: Application Log Content",
            "Command: Command Execution",
        ),
        partial_when="",
        item_fields=(
            "AWS::ElasticBeanstalk::Environment "
            "optionSettings['aws:elasticbeanstalk:cloudwatch:logs'].StreamLogs"
        ),
        fill_call="elasticbeanstalk:DescribeConfigurationSettings",
    ),
)
