"""Controls of the `database` layer, one row a control.

Sources:
- RDS log groups `/aws/rds/instance|cluster/<id>/<type>`,
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
- DocumentDB https://docs.aws.amazon.com/documentdb/latest/developerguide/event-auditing.html
- Neptune https://docs.aws.amazon.com/neptune/latest/userguide/cloudwatch-logs.html
- Redshift https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html
- ElastiCache https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Log_Delivery.html
- OpenSearch
  https://docs.aws.amazon.com/opensearch-service/latest/developerguide/createdomain-configure-slow-logs.html
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

_DB_ACCESS = (
    "Application Log: Application Log Content",
    "Logon Session: Logon Session Creation",
    "User Account: User Account Authentication",
)

CONTROLS: tuple[Control, ...] = (
    Control(
        id="rds-log-exports",
        layer=Layer.database,
        title="RDS / Aurora log exports to CloudWatch Logs (per engine)",
        resource_types=("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"),
        expectation=Expectation.baseline,
        evaluated_by=(
            "rds:DescribeDBInstances / DescribeDBClusters EnabledCloudwatchLogsExports "
            "(MySQL/MariaDB/Aurora MySQL audit,error,general,slowquery; PostgreSQL postgresql; "
            "SQL Server error,agent; Oracle alert,audit,listener; Db2 diag.log,notify.log)"
        ),
        logs_land_in="CloudWatch Logs /aws/rds/instance/<db>/<type> or "
        "/aws/rds/cluster/<cluster>/<type>",
        remediation=(
            "aws rds modify-db-instance --db-instance-identifier <db-id> "
            "--cloudwatch-logs-export-configuration "
            '\'{"EnableLogTypes":["audit","error","general","slowquery"]}\' '
            "--apply-immediately  # Aurora: aws rds modify-db-cluster --db-cluster-identifier"
        ),
        first_query=(
            "fields @timestamp, @message | filter @message like /<user or client ip>/ "
            "| sort @timestamp asc | limit 500"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="some of the engine's log types are exported",
        item_fields=(
            "AWS::RDS::DBInstance / AWS::RDS::DBCluster engine, enabledCloudwatchLogsExports, "
            "dBClusterIdentifier (any key case)"
        ),
        fill_call="rds:DescribeDBClusters; rds:DescribeDBInstances",
    ),
    Control(
        id="redshift-audit-logging",
        layer=Layer.database,
        title="Redshift audit logging (connection, user, user activity logs)",
        resource_types=("AWS::Redshift::Cluster",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "redshift:DescribeLoggingStatus LoggingEnabled/LogDestinationType/LogExports/BucketName"
        ),
        logs_land_in="S3 <bucket>/<prefix>AWSLogs/<account>/redshift/<region>/... or "
        "CloudWatch Logs /aws/redshift/cluster/<cluster>/<log>",
        remediation=(
            "aws redshift enable-logging --cluster-identifier <cluster> "
            "--log-destination-type cloudwatch "
            "--log-exports connectionlog userlog useractivitylog"
        ),
        first_query=(
            "fields @timestamp, @message | filter @logStream like /connectionlog/ "
            "| filter @message like /<client ip or user>/ | sort @timestamp asc"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="CloudWatch destination exporting only some of connectionlog, userlog, "
        "useractivitylog",
        item_fields="AWS::Redshift::Cluster supplementaryConfiguration.LoggingStatus",
        fill_call="redshift:DescribeLoggingStatus",
    ),
    Control(
        id="docdb-log-exports",
        layer=Layer.database,
        title="DocumentDB audit and profiler log exports",
        resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
        expectation=Expectation.baseline,
        evaluated_by="rds:DescribeDBClusters (Engine=docdb) EnabledCloudwatchLogsExports "
        "audit/profiler",
        logs_land_in="CloudWatch Logs /aws/docdb/<cluster>/audit and /profiler",
        remediation=(
            "aws docdb modify-db-cluster --db-cluster-identifier <cluster> "
            "--cloudwatch-logs-export-configuration "
            '\'{"EnableLogTypes":["audit","profiler"]}\' --apply-immediately'
        ),
        first_query=(
            "fields @timestamp, atype, param.user, remote_ip | filter atype like "
            "/authenticate|createUser|dropCollection/ | sort @timestamp asc"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="one of audit, profiler exported",
        item_fields="AWS::RDS::DBCluster / DBInstance engine=docdb, enabledCloudwatchLogsExports",
        fill_call="rds:DescribeDBClusters",
    ),
    Control(
        id="neptune-log-exports",
        layer=Layer.database,
        title="Neptune audit log export",
        resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
        expectation=Expectation.baseline,
        evaluated_by="rds:DescribeDBClusters (Engine=neptune) EnabledCloudwatchLogsExports audit",
        logs_land_in="CloudWatch Logs /aws/neptune/<cluster>/audit",
        remediation=(
            "aws neptune modify-db-cluster --db-cluster-identifier <cluster> "
            '--cloudwatch-logs-export-configuration \'{"EnableLogTypes":["audit"]}\' '
            "--apply-immediately  # and neptune_enable_audit_log=1 in the parameter group"
        ),
        first_query=(
            "fields @timestamp, @message | filter @message like /<client ip or IAM arn>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="",
        item_fields="AWS::RDS::DBCluster / DBInstance engine=neptune, enabledCloudwatchLogsExports",
        fill_call="rds:DescribeDBClusters",
    ),
    Control(
        id="elasticache-log-delivery",
        layer=Layer.database,
        title="ElastiCache (Redis OSS / Valkey) slow-log and engine-log delivery",
        resource_types=("AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"),
        expectation=Expectation.baseline,
        evaluated_by=(
            "elasticache:DescribeReplicationGroups / DescribeCacheClusters "
            "LogDeliveryConfigurations[].LogType/Status"
        ),
        logs_land_in="CloudWatch Logs group or Kinesis Data Firehose stream named in "
        "DestinationDetails",
        remediation=(
            "aws elasticache modify-replication-group --replication-group-id <group> "
            '--log-delivery-configurations \'[{"LogType":"engine-log","DestinationType":'
            '"cloudwatch-logs","DestinationDetails":{"CloudWatchLogsDetails":{"LogGroup":'
            '"<log-group>"}},"LogFormat":"json"}]\' --apply-immediately'
        ),
        first_query=(
            "fields @timestamp, @message | filter @message like /AUTH|CONFIG|<client ip>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=("Application Log: Application Log Content",),
        partial_when="one of slow-log, engine-log delivered",
        item_fields=(
            "AWS::ElastiCache::ReplicationGroup / CacheCluster LogDeliveryConfigurations, Engine, "
            "ReplicationGroupId (items when a source provides them)"
        ),
        fill_call="elasticache:DescribeReplicationGroups; elasticache:DescribeCacheClusters",
    ),
    Control(
        id="opensearch-log-publishing",
        layer=Layer.database,
        title="OpenSearch audit, application and slow-log publishing",
        resource_types=("AWS::OpenSearch::Domain", "AWS::Elasticsearch::Domain"),
        expectation=Expectation.baseline,
        evaluated_by=(
            "es:DescribeDomains LogPublishingOptions.AUDIT_LOGS/ES_APPLICATION_LOGS/"
            "SEARCH_SLOW_LOGS/INDEX_SLOW_LOGS.Enabled"
        ),
        logs_land_in="CloudWatch Logs groups in LogPublishingOptions[].CloudWatchLogsLogGroupArn",
        remediation=(
            "aws opensearch update-domain-config --domain-name <domain> --log-publishing-options "
            "'AUDIT_LOGS={CloudWatchLogsLogGroupArn=<log-group-arn>,Enabled=true}'"
        ),
        first_query=(
            "fields @timestamp, audit_category, audit_request_effective_user, "
            "audit_request_remote_address | filter audit_category like /FAILED_LOGIN|"
            "MISSING_PRIVILEGES/ | sort @timestamp desc"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="some of the four log types published",
        item_fields=(
            "AWS::OpenSearch::Domain LogPublishingOptions; AWS::Elasticsearch::Domain "
            "logPublishingOptions"
        ),
        fill_call="es:DescribeDomains",
    ),
    Control(
        id="mq-broker-logging",
        layer=Layer.database,
        title="Amazon MQ broker general and audit logs",
        resource_types=("AWS::AmazonMQ::Broker",),
        expectation=Expectation.baseline,
        evaluated_by="mq:DescribeBroker Logs.General/Logs.Audit (audit: ActiveMQ only)",
        logs_land_in="CloudWatch Logs /aws/amazonmq/broker/<broker-id>/general and /audit",
        remediation=("aws mq update-broker --broker-id <broker-id> --logs General=true,Audit=true"),
        first_query=(
            "fields @timestamp, @message | filter @message like /<user or client ip>/ "
            "| sort @timestamp asc"
        ),
        attack_data_components=_DB_ACCESS,
        partial_when="ActiveMQ with general but not audit logs (or the reverse)",
        item_fields="AWS::AmazonMQ::Broker Logs.General / Logs.Audit, EngineType",
        fill_call="mq:DescribeBroker",
    ),
)
