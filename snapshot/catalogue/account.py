"""Controls of the `account` layer, one row a control.

CloudTrail (management, data and Insights events, trail integrity), the AWS Config recorder
and the managed detection services (GuardDuty, Detective, Security Hub). Management-event
and Config-recorder status are decided on the account-region pseudo-resource and copied onto
each resource of the region as inherited records, so that "who changed this resource, and
how did its configuration change" shows on the resource itself. Evaluation rules follow
Prowler 5.46's `cloudtrail_*`, `config_recorder_*`, `guardduty_is_enabled` and
`securityhub_enabled` checks and go further where they stop (per-bucket, per-function and
per-table data events from basic *and* advanced selectors; Detective).
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import REGION_TYPE, Expectation, Layer

#: In `resource_types`: the control is also copied onto every resource of the region,
#: whatever its type (inherited from the region pseudo-resource).
ANY_RESOURCE = "*"

CONTROLS: tuple[Control, ...] = (
    Control(
        id="cloudtrail-management-events",
        layer=Layer.account,
        title="CloudTrail management events (read and write) in this region",
        resource_types=(REGION_TYPE, ANY_RESOURCE),
        expectation=Expectation.baseline,
        evaluated_by=(
            "cloudtrail:DescribeTrails(includeShadowTrails) IsMultiRegionTrail/HomeRegion; "
            "GetTrailStatus IsLogging; GetEventSelectors EventSelectors[].ReadWriteType/"
            "IncludeManagementEvents or AdvancedEventSelectors eventCategory=Management, readOnly"
        ),
        logs_land_in=(
            "S3 <bucket>/<prefix>/AWSLogs/[o-<org-id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/; "
            "optionally a CloudWatch Logs group (CloudWatchLogsLogGroupArn)"
        ),
        remediation=(
            "aws cloudtrail create-trail --name <trail-name> --s3-bucket-name <log-bucket> "
            "--is-multi-region-trail --enable-log-file-validation && "
            "aws cloudtrail start-logging --name <trail-name>"
        ),
        first_query=(
            "SELECT eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, "
            "errorcode FROM cloudtrail_logs WHERE useridentity.arn LIKE '%<principal>%' "
            "AND eventtime BETWEEN '<t0>' AND '<t1>' ORDER BY eventtime"
        ),
        attack_data_components=(
            "Cloud Service: Cloud Service Modification",
            "Cloud Service: Cloud Service Disable",
            "User Account: User Account Modification",
            "Instance: Instance Creation",
            "Logon Session: Logon Session Creation",
        ),
        partial_when="the only logging trails record read-only or write-only management events",
        item_fields=(
            "AWS::CloudTrail::Trail isMultiRegionTrail, homeRegion, includeGlobalServiceEvents; "
            "IsLogging and EventSelectors where the item records them (CloudFormation-shaped "
            "items)"
        ),
        fill_call="cloudtrail:GetTrailStatus IsLogging; cloudtrail:GetEventSelectors",
    ),
    Control(
        id="cloudtrail-s3-data-events",
        layer=Layer.account,
        title="CloudTrail S3 object-level data events for this bucket",
        resource_types=("AWS::S3::Bucket",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "cloudtrail:GetEventSelectors EventSelectors[].DataResources[Type=AWS::S3::Object]"
            ".Values/ReadWriteType or AdvancedEventSelectors resources.type=AWS::S3::Object, "
            "resources.ARN, readOnly (logging trails covering the bucket's region)"
        ),
        logs_land_in="the trail's S3 bucket (AWSLogs/<account>/CloudTrail/<region>/...)",
        remediation=(
            "aws cloudtrail put-event-selectors --trail-name <trail-name> --advanced-event-"
            'selectors \'[{"Name":"S3 data events","FieldSelectors":[{"Field":'
            '"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":'
            '["AWS::S3::Object"]},{"Field":"resources.ARN","StartsWith":'
            '["arn:aws:s3:::<bucket>/"]}]}]\''
        ),
        first_query=(
            "SELECT eventtime, eventname, useridentity.arn, sourceipaddress, "
            "json_extract_scalar(requestparameters, '$.key') AS object_key FROM cloudtrail_logs "
            "WHERE eventsource = 's3.amazonaws.com' AND eventname IN ('GetObject', 'CopyObject', "
            "'PutObject', 'DeleteObject') AND json_extract_scalar(requestparameters, "
            "'$.bucketName') = '<bucket>' ORDER BY eventtime"
        ),
        attack_data_components=(
            "Cloud Storage: Cloud Storage Access",
            "Cloud Storage: Cloud Storage Modification",
        ),
        partial_when=(
            "only a key prefix or single objects are selected, or only read or only write events"
        ),
        item_fields=(
            "AWS::CloudTrail::Trail EventSelectors / AdvancedEventSelectors "
            "(CloudFormation-shaped items)"
        ),
        fill_call="cloudtrail:GetEventSelectors",
    ),
    Control(
        id="cloudtrail-lambda-data-events",
        layer=Layer.account,
        title="CloudTrail Lambda data events (Invoke) for this function",
        resource_types=("AWS::Lambda::Function",),
        expectation=Expectation.extended,
        evaluated_by=(
            "cloudtrail:GetEventSelectors DataResources[Type=AWS::Lambda::Function].Values or "
            "AdvancedEventSelectors resources.type=AWS::Lambda::Function, resources.ARN"
        ),
        logs_land_in="the trail's S3 bucket (AWSLogs/<account>/CloudTrail/<region>/...)",
        remediation=(
            "aws cloudtrail put-event-selectors --trail-name <trail-name> --advanced-event-"
            'selectors \'[{"Name":"Lambda data events","FieldSelectors":[{"Field":'
            '"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":'
            '["AWS::Lambda::Function"]}]}]\''
        ),
        first_query=(
            "SELECT eventtime, useridentity.arn, sourceipaddress, errorcode FROM cloudtrail_logs "
            "WHERE eventsource = 'lambda.amazonaws.com' AND eventname = 'Invoke' AND "
            "json_extract_scalar(requestparameters, '$.functionName') LIKE '%<function>%' "
            "ORDER BY eventtime"
        ),
        attack_data_components=("Command: Command Execution",),
        partial_when="only read-only or only write-only data events are selected",
        item_fields=(
            "AWS::CloudTrail::Trail EventSelectors / AdvancedEventSelectors "
            "(CloudFormation-shaped items)"
        ),
        fill_call="cloudtrail:GetEventSelectors",
    ),
    Control(
        id="cloudtrail-dynamodb-data-events",
        layer=Layer.account,
        title="CloudTrail DynamoDB data events (item-level API calls) for this table",
        resource_types=("AWS::DynamoDB::Table",),
        expectation=Expectation.extended,
        evaluated_by=(
            "cloudtrail:GetEventSelectors DataResources[Type=AWS::DynamoDB::Table].Values or "
            "AdvancedEventSelectors resources.type=AWS::DynamoDB::Table, resources.ARN"
        ),
        logs_land_in="the trail's S3 bucket (AWSLogs/<account>/CloudTrail/<region>/...)",
        remediation=(
            "aws cloudtrail put-event-selectors --trail-name <trail-name> --advanced-event-"
            'selectors \'[{"Name":"DynamoDB data events","FieldSelectors":[{"Field":'
            '"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":'
            '["AWS::DynamoDB::Table"]},{"Field":"resources.ARN","Equals":'
            '["<table-arn>"]}]}]\''
        ),
        first_query=(
            "SELECT eventtime, eventname, useridentity.arn, sourceipaddress FROM cloudtrail_logs "
            "WHERE eventsource = 'dynamodb.amazonaws.com' AND json_extract_scalar("
            "requestparameters, '$.tableName') = '<table>' AND eventname IN ('GetItem', "
            "'Scan', 'Query', 'PutItem', 'DeleteItem', 'UpdateItem') ORDER BY eventtime"
        ),
        attack_data_components=("Cloud Storage: Cloud Storage Access",),
        partial_when="only read-only or only write-only data events are selected",
        item_fields=(
            "AWS::CloudTrail::Trail EventSelectors / AdvancedEventSelectors "
            "(CloudFormation-shaped items)"
        ),
        fill_call="cloudtrail:GetEventSelectors",
    ),
    Control(
        id="cloudtrail-insights",
        layer=Layer.account,
        title="CloudTrail Insights (unusual API call and error rates) in this region",
        resource_types=(REGION_TYPE,),
        expectation=Expectation.extended,
        evaluated_by=(
            "cloudtrail:GetInsightSelectors InsightSelectors[].InsightType on logging trails "
            "covering the region"
        ),
        logs_land_in="the trail's S3 bucket (AWSLogs/<account>/CloudTrail-Insight/<region>/...)",
        remediation=(
            "aws cloudtrail put-insight-selectors --trail-name <trail-name> --insight-selectors "
            '\'[{"InsightType":"ApiCallRateInsight"},{"InsightType":'
            '"ApiErrorRateInsight"}]\''
        ),
        first_query=(
            "SELECT eventtime, eventsource, eventname, insightdetails FROM cloudtrail_logs "
            "WHERE eventtype = 'AwsCloudTrailInsight' AND eventtime BETWEEN '<t0>' AND '<t1>' "
            "ORDER BY eventtime"
        ),
        attack_data_components=("Cloud Service: Cloud Service Enumeration",),
        partial_when="only one of ApiCallRateInsight and ApiErrorRateInsight is selected",
        item_fields="AWS::CloudTrail::Trail InsightSelectors (CloudFormation-shaped items)",
        fill_call="cloudtrail:GetInsightSelectors",
    ),
    Control(
        id="cloudtrail-integrity",
        layer=Layer.account,
        title="CloudTrail log integrity: log file validation and KMS encryption",
        resource_types=("AWS::CloudTrail::Trail",),
        expectation=Expectation.extended,
        evaluated_by=(
            "cloudtrail:DescribeTrails LogFileValidationEnabled, KmsKeyId "
            "(CloudWatchLogsLogGroupArn and GetTrailStatus LatestCloudWatchLogsDeliveryTime "
            "as notes)"
        ),
        logs_land_in="digest files in the trail's bucket (AWSLogs/<account>/CloudTrail-Digest/)",
        remediation=(
            "aws cloudtrail update-trail --name <trail-name> --enable-log-file-validation "
            "--kms-key-id <kms-key-arn>"
        ),
        first_query=(
            "aws cloudtrail validate-logs --trail-arn <trail-arn> --start-time <t0> "
            "--end-time <t1> --verbose"
        ),
        attack_data_components=("Cloud Service: Cloud Service Modification",),
        partial_when="only one of log file validation and KMS encryption is on",
        item_fields=(
            "AWS::CloudTrail::Trail logFileValidationEnabled, kmsKeyId, cloudWatchLogsLogGroupArn"
        ),
        fill_call="cloudtrail:DescribeTrails",
    ),
    Control(
        id="config-recorder",
        layer=Layer.account,
        title="AWS Config recorder (configuration history) in this region, for this type",
        resource_types=(REGION_TYPE, ANY_RESOURCE),
        expectation=Expectation.baseline,
        evaluated_by=(
            "config:DescribeConfigurationRecorders recordingGroup (allSupported, resourceTypes, "
            "exclusionByResourceTypes); DescribeConfigurationRecorderStatus recording/"
            "lastStatus; DescribeDeliveryChannels s3BucketName"
        ),
        logs_land_in=(
            "S3 <bucket>/<prefix>/AWSLogs/<account>/Config/<region>/YYYY/M/D/"
            "(ConfigSnapshot, ConfigHistory)"
        ),
        remediation=(
            "aws configservice put-configuration-recorder --configuration-recorder "
            "name=default,roleARN=<config-role-arn> --recording-group allSupported=true,"
            "includeGlobalResourceTypes=true && aws configservice put-delivery-channel "
            "--delivery-channel name=default,s3BucketName=<log-bucket> && "
            "aws configservice start-configuration-recorder --configuration-recorder-name default"
        ),
        first_query=(
            "aws configservice get-resource-config-history --resource-type <AWS::Type> "
            "--resource-id <resource-id> --earlier-time <t0> --later-time <t1>"
        ),
        attack_data_components=(
            "Cloud Service: Cloud Service Modification",
            "Firewall: Firewall Rule Modification",
        ),
        partial_when=(
            "recording only some resource types, or without a delivery channel, or the last "
            "recording attempt failed"
        ),
        item_fields=(
            "the resource's own configuration item (Config recorded it); "
            "AWS::Config::ConfigurationRecorder recordingGroup"
        ),
        fill_call="config:DescribeConfigurationRecorderStatus; config:DescribeDeliveryChannels",
    ),
    Control(
        id="guardduty",
        layer=Layer.account,
        title="Amazon GuardDuty detector enabled in this region",
        resource_types=(REGION_TYPE,),
        expectation=Expectation.baseline,
        evaluated_by="guardduty:ListDetectors; GetDetector Status (DataSources/Features as notes)",
        logs_land_in="GuardDuty findings (console/API, EventBridge, optional S3 export)",
        remediation=(
            "aws guardduty create-detector --enable --finding-publishing-frequency FIFTEEN_MINUTES"
        ),
        first_query=(
            "aws guardduty list-findings --detector-id <detector-id> --finding-criteria "
            '\'{"Criterion":{"resource.instanceDetails.instanceId":{"Eq":["<instance-id>"]}}}\''
        ),
        attack_data_components=("Network Traffic: Network Traffic Flow",),
        partial_when="",
        item_fields=(
            "AWS::GuardDuty::Detector Enable / Status (none, where Config records the type: "
            "missing)"
        ),
        fill_call="guardduty:ListDetectors; guardduty:GetDetector",
    ),
    Control(
        id="detective",
        layer=Layer.account,
        title="Amazon Detective behavior graph in this region",
        resource_types=(REGION_TYPE,),
        expectation=Expectation.extended,
        evaluated_by="detective:ListGraphs GraphList[].Arn",
        logs_land_in="Detective behavior graph (built from CloudTrail, VPC Flow Logs, GuardDuty)",
        remediation="aws detective create-graph",
        first_query=(
            "aws detective search-graph --graph-arn <graph-arn> --entity-type EC2_INSTANCE "
            '--filter-criteria \'{"EntityId":{"Value":"<instance-id>"}}\''
        ),
        attack_data_components=("Network Traffic: Network Traffic Flow",),
        partial_when="",
        item_fields="AWS::Detective::Graph (its presence)",
        fill_call="detective:ListGraphs; detective:ListInvitations",
    ),
    Control(
        id="securityhub",
        layer=Layer.account,
        title="AWS Security Hub enabled with at least one standard in this region",
        resource_types=(REGION_TYPE,),
        expectation=Expectation.extended,
        evaluated_by="securityhub:DescribeHub HubArn; GetEnabledStandards StandardsSubscriptions",
        logs_land_in="Security Hub findings (console/API, EventBridge)",
        remediation="aws securityhub enable-security-hub --enable-default-standards",
        first_query=(
            'aws securityhub get-findings --filters \'{"ResourceId":[{"Value":'
            '"<resource-arn>","Comparison":"EQUALS"}]}\''
        ),
        attack_data_components=("Cloud Service: Cloud Service Modification",),
        partial_when="the hub is enabled but no security standard is enabled",
        item_fields="AWS::SecurityHub::Hub; AWS::SecurityHub::Standard (their presence)",
        fill_call="securityhub:DescribeHub; securityhub:GetEnabledStandards",
    ),
)
