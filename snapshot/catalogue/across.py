"""Controls that apply across layers: the quality of the log stores themselves.

Snapshot layers are the six fixed ones, so these rows are filed under `account` (the
account's logging posture) and are `extended`: they qualify the logs other controls found
rather than counting as a source of their own.
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

CONTROLS: tuple[Control, ...] = (
    Control(
        id="log-retention",
        layer=Layer.account,
        title="CloudWatch Logs group retention (at least a year, or never expire)",
        resource_types=("AWS::Logs::LogGroup",),
        expectation=Expectation.extended,
        evaluated_by="logs:DescribeLogGroups logGroups[].retentionInDays (absent = never expire)",
        logs_land_in="the log group itself",
        remediation=(
            "aws logs put-retention-policy --log-group-name <log-group> --retention-in-days 365"
        ),
        first_query=("fields @timestamp, @logStream, @message | sort @timestamp asc | limit 20"),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="retention is set to fewer than 365 days",
        item_fields="AWS::Logs::LogGroup retentionInDays (items when a source provides them)",
        fill_call="logs:DescribeLogGroups",
    ),
    Control(
        id="log-archive-separation",
        layer=Layer.account,
        title="Log destination in a separate log-archive account",
        resource_types=("AWS::S3::Bucket", "AWS::Logs::LogGroup"),
        expectation=Expectation.extended,
        evaluated_by=(
            "destinations of every coverage record (bucket / log group ARN) compared with the "
            "accounts whose logs they receive; Account.role=log-archive when known"
        ),
        logs_land_in="the destination bucket or log group",
        remediation=(
            "aws cloudtrail update-trail --name <trail-name> --s3-bucket-name "
            "<bucket-in-log-archive-account>"
        ),
        first_query=(
            "SELECT eventtime, eventname, useridentity.arn FROM cloudtrail_logs WHERE "
            "eventsource = 's3.amazonaws.com' AND eventname IN ('DeleteObject', "
            "'PutBucketPolicy', 'PutBucketLifecycle', 'DeleteBucket') AND "
            "json_extract_scalar(requestparameters, '$.bucketName') = '<log-bucket>'"
        ),
        attack_data_components=("Cloud Service: Cloud Service Disable",),
        partial_when="",
        item_fields="the destinations other controls recorded (no call of its own)",
        fill_call="",
    ),
)
