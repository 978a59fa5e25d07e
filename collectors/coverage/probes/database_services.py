"""Database-layer probes of the managed engines outside RDS: ElastiCache, OpenSearch, MQ.

Each reads its logging setting from the configuration item where the source holds it
(`LogDeliveryConfigurations`, `LogPublishingOptions`, `Logs`), else from the Describe call;
with no credential for the account what no item holds is `unknown`, naming the call. One
`_decide_*` function per control, whatever the source.
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource, log_group_arn
from ..items import has, item_operation, lookup, pascal
from ..records import call_failed, offline_capable, record
from ._common import config_first, in_batches, list_all, needs_call

CACHE_CLUSTER = "AWS::ElastiCache::CacheCluster"
REPLICATION_GROUP = "AWS::ElastiCache::ReplicationGroup"
OPENSEARCH_DOMAIN = "AWS::OpenSearch::Domain"


def exports_status(expected: tuple[str, ...], enabled: list[str]) -> Status:
    """All the expected log types on: logged; some: partial; none: missing."""
    got = [t for t in expected if t in enabled]
    if len(got) == len(expected):
        return Status.logged
    return Status.partial if got else Status.missing


_exports_status = exports_status


# --------------------------------------------------------------------------- ElastiCache

ELASTICACHE_LOGS = ("slow-log", "engine-log")


def _delivery(configs: list[dict[str, Any]] | None) -> tuple[list[str], str | None]:
    active: list[str] = []
    destination = None
    for config in configs or []:
        if str(config.get("Status", "active")) not in ("active", "enabling", "modifying"):
            continue
        active.append(str(config.get("LogType")))
        details = config.get("DestinationDetails") or {}
        group = (details.get("CloudWatchLogsDetails") or {}).get("LogGroup")
        stream = (details.get("KinesisFirehoseDetails") or {}).get("DeliveryStream")
        if destination is None and group:
            destination = clean_single_line(str(group))
        elif destination is None and stream:
            destination = clean_single_line(str(stream))
    return active, destination


def _elasticache_destination(ctx: ProbeContext, name: str | None) -> str | None:
    if not name:
        return None
    if name.startswith("arn:"):
        return name
    return log_group_arn(ctx.region, ctx.account, name)


@offline_capable
def probe_elasticache_log_delivery(ctx: ProbeContext) -> None:
    """elasticache-log-delivery: slow-log and engine-log delivery of Redis/Valkey.

    Items holding `LogDeliveryConfigurations` (and memcached clusters) decide, whatever the
    credential; the Describe listings read the others.
    """
    control_id = "elasticache-log-delivery"
    operation = "elasticache:DescribeReplicationGroups"
    types = (REPLICATION_GROUP, CACHE_CLUSTER)
    split = config_first(ctx, types, control_id, holds=_elasticache_holds)
    groups, clusters = _elasticache_from_items(split.deciding)
    decided = _decide_elasticache(
        ctx, groups, clusters, item_operation(REPLICATION_GROUP, "LogDeliveryConfigurations")
    )
    if not split.needs_call():
        return
    client = ctx.client("elasticache")
    listed = split.read(
        operation,
        lambda: [
            *list_all(client, "describe_replication_groups", "ReplicationGroups"),
            *list_all(client, "describe_cache_clusters", "CacheClusters"),
        ],
        key=lambda entry: str(entry.get("ARN")),
        what=f"{operation}/DescribeCacheClusters",
    )
    if listed is not None:
        groups = [entry for entry in listed if "CacheClusterId" not in entry]
        clusters = [entry for entry in listed if "CacheClusterId" in entry]
        _decide_elasticache(ctx, groups, clusters, operation, decided)


def _elasticache_holds(item: CollectedResource) -> bool:
    return has(item.configuration, "LogDeliveryConfigurations") or (
        item.type == CACHE_CLUSTER and lookup(item.configuration, "Engine") == "memcached"
    )


def _elasticache_from_items(
    items: list[CollectedResource],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Replication groups and cache clusters in API shape from items that hold the fields."""
    groups: list[dict[str, Any]] = []
    clusters: list[dict[str, Any]] = []
    for item in items:
        config = item.configuration
        shaped = pascal(config)
        shaped["ARN"] = item.id
        shaped["LogDeliveryConfigurations"] = pascal(
            lookup(config, "LogDeliveryConfigurations") or []
        )
        shaped["Engine"] = lookup(config, "Engine")
        shaped["ReplicationGroupId"] = lookup(config, "ReplicationGroupId")
        short = item.resource.resource_id or item.resource.name
        if item.type == REPLICATION_GROUP:
            shaped["ReplicationGroupId"] = shaped["ReplicationGroupId"] or short
            groups.append(shaped)
        else:
            shaped["CacheClusterId"] = lookup(config, "CacheClusterId") or short
            clusters.append(shaped)
    return groups, clusters


def _decide_elasticache(
    ctx: ProbeContext,
    groups: list[dict[str, Any]],
    clusters: list[dict[str, Any]],
    operation: str,
    decided: dict[str, tuple[Status, str, str | None]] | None = None,
) -> dict[str, tuple[Status, str, str | None]]:
    """Record each group and cluster; returns the groups decided (id -> status, ARN,
    destination), whose member clusters inherit their record (`decided` adds earlier ones)."""
    control_id = "elasticache-log-delivery"
    cluster_op = operation.replace("DescribeReplicationGroups", "DescribeCacheClusters")
    cluster_op = cluster_op.replace(REPLICATION_GROUP, CACHE_CLUSTER)
    decided = dict(decided or {})
    for group in groups:
        gid = group["ReplicationGroupId"]
        arn = group.get("ARN") or (
            f"arn:aws:elasticache:{ctx.region}:{ctx.account}:replicationgroup:{gid}"
        )
        ensure_resource(ctx, arn=arn, type_=REPLICATION_GROUP, resource_id=gid, name=gid)
        active, target = _delivery(group.get("LogDeliveryConfigurations"))
        status = _exports_status(ELASTICACHE_LOGS, active)
        destination = _elasticache_destination(ctx, target)
        record(
            ctx,
            arn,
            control_id,
            status,
            f"{operation}: replication group {clean_single_line(gid)} "
            f"LogDeliveryConfigurations={','.join(active) or 'none'}",
            destination=destination,
            operation=operation,
            notes=[f"not delivered: {t}" for t in ELASTICACHE_LOGS if t not in active]
            if active
            else [],
        )
        decided[gid] = (status, arn, destination)
    for cluster in clusters:
        cid = cluster["CacheClusterId"]
        arn = cluster.get("ARN") or f"arn:aws:elasticache:{ctx.region}:{ctx.account}:cluster:{cid}"
        ensure_resource(ctx, arn=arn, type_=CACHE_CLUSTER, resource_id=cid, name=cid)
        shown = clean_single_line(cid)
        engine = str(cluster.get("Engine") or "")
        if engine == "memcached":
            record(
                ctx,
                arn,
                control_id,
                Status.not_applicable,
                f"{cluster_op}: {shown} is memcached (no log delivery)",
                operation=cluster_op,
            )
            continue
        group_id = cluster.get("ReplicationGroupId")
        if group_id and group_id in decided:
            status, group_arn, destination = decided[group_id]
            record(
                ctx,
                arn,
                control_id,
                status,
                f"{operation}: log delivery is set on replication group "
                f"{clean_single_line(group_id)}",
                inherited_from=group_arn,
                destination=destination,
                operation=operation,
            )
            continue
        active, target = _delivery(cluster.get("LogDeliveryConfigurations"))
        record(
            ctx,
            arn,
            control_id,
            _exports_status(ELASTICACHE_LOGS, active),
            f"{cluster_op}: {shown} LogDeliveryConfigurations={','.join(active) or 'none'}",
            destination=_elasticache_destination(ctx, target),
            operation=cluster_op,
        )
    return decided


# --------------------------------------------------------------------------- OpenSearch

OPENSEARCH_LOGS = ("AUDIT_LOGS", "ES_APPLICATION_LOGS", "SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS")
_DESCRIBE_BATCH = 5  # DescribeDomains takes at most 5 names


@offline_capable
def probe_opensearch_log_publishing(ctx: ProbeContext) -> None:
    """opensearch-log-publishing: LogPublishingOptions of every domain.

    AWS Config records one domain under both types, with one ARN; the inventory keeps one
    resource holding both items' configurations (`ConfigItemSet`), so either spelling
    decides, whatever the credential. es:DescribeDomains reads the others.
    """
    control_id = "opensearch-log-publishing"
    operation = "es:DescribeDomains"
    types = (OPENSEARCH_DOMAIN, "AWS::Elasticsearch::Domain")
    split = config_first(ctx, types, control_id, "LogPublishingOptions")
    for item in split.deciding:
        config = item.configuration
        domain = {
            "LogPublishingOptions": pascal(lookup(config, "LogPublishingOptions") or {}),
            "AdvancedSecurityOptions": pascal(lookup(config, "AdvancedSecurityOptions") or {}),
        }
        name = _domain_name(item)
        _decide_domain(
            ctx, item.id, name, domain, item_operation(item.type, "LogPublishingOptions")
        )
    # One domain is recorded under both types: either type recorded whole lists them all.
    listing = all(needs_call(ctx, [rtype], []) for rtype in types)
    if not (split.rest or listing):
        return
    client = ctx.client("opensearch")
    decided = {_domain_name(item) for item in split.deciding}

    def read() -> list[dict[str, Any]]:
        if listing:
            listed = client.list_domain_names().get("DomainNames", [])
            names = [d["DomainName"] for d in listed]
        else:
            names = [_domain_name(item) for item in split.rest]
        return in_batches(
            [name for name in names if name not in decided],
            _DESCRIBE_BATCH,
            lambda batch: client.describe_domains(DomainNames=batch).get("DomainStatusList", []),
        )

    call = "es:ListDomainNames/DescribeDomains"
    domains = split.read(call, read, operation=operation) or []
    for domain in domains:
        name = domain["DomainName"]
        arn = domain.get("ARN") or f"arn:aws:es:{ctx.region}:{ctx.account}:domain/{name}"
        ensure_resource(ctx, arn=arn, type_=OPENSEARCH_DOMAIN, resource_id=name, name=name)
        _decide_domain(ctx, arn, name, domain, operation)


def _domain_name(item: CollectedResource) -> str:
    return str(lookup(item.configuration, "DomainName") or item.resource.name)


def _decide_domain(
    ctx: ProbeContext, arn: str, name: str, domain: dict[str, Any], operation: str
) -> None:
    options = domain.get("LogPublishingOptions") or {}
    enabled = [t for t in OPENSEARCH_LOGS if (options.get(t) or {}).get("Enabled")]
    destination = next(
        (
            options[t].get("CloudWatchLogsLogGroupArn")
            for t in enabled
            if options[t].get("CloudWatchLogsLogGroupArn")
        ),
        None,
    )
    notes = []
    if enabled and len(enabled) < len(OPENSEARCH_LOGS):
        notes.append("not published: " + ", ".join(t for t in OPENSEARCH_LOGS if t not in enabled))
    if "AUDIT_LOGS" not in enabled and not (domain.get("AdvancedSecurityOptions") or {}).get(
        "Enabled"
    ):
        notes.append("audit logs need fine-grained access control (AdvancedSecurityOptions)")
    record(
        ctx,
        arn,
        "opensearch-log-publishing",
        _exports_status(OPENSEARCH_LOGS, enabled),
        f"{operation}: domain {clean_single_line(name)} LogPublishingOptions enabled="
        f"{','.join(enabled) or 'none'}",
        destination=clean_single_line(destination.removesuffix(":*")) if destination else None,
        operation=operation,
        notes=notes,
    )


# --------------------------------------------------------------------------- Amazon MQ

MQ_BROKER = "AWS::AmazonMQ::Broker"


@offline_capable
def probe_mq_broker_logging(ctx: ProbeContext) -> None:
    """mq-broker-logging: general (and, for ActiveMQ, audit) logs to CloudWatch Logs.

    AWS Config records the broker's `Logs` and `EngineType`: its item decides, whatever the
    credential; mq:DescribeBroker reads the others.
    """
    control_id = "mq-broker-logging"
    operation = "mq:DescribeBroker"
    split = config_first(ctx, [MQ_BROKER], control_id, "Logs")
    for item in split.deciding:
        broker = {
            "Logs": pascal(lookup(item.configuration, "Logs") or {}),
            "EngineType": lookup(item.configuration, "EngineType") or "",
        }
        name = str(lookup(item.configuration, "BrokerName") or item.resource.name)
        _decide_broker(ctx, item.id, name, broker, item_operation(MQ_BROKER, "Logs"))
    brokers = split.read_listing(
        "mq:ListBrokers",
        "mq",
        ("list_brokers", "BrokerSummaries"),
        _broker_summary,
        key=lambda summary: str(summary["BrokerArn"]),
    )
    if not brokers:
        return
    client = ctx.client("mq")
    for summary in brokers:
        arn, name = summary["BrokerArn"], summary.get("BrokerName", summary["BrokerId"])
        ensure_resource(ctx, arn=arn, type_=MQ_BROKER, resource_id=summary["BrokerId"], name=name)
        try:
            broker = client.describe_broker(BrokerId=summary["BrokerId"])
        except CALL_ERRORS as exc:
            call_failed(ctx, arn, control_id, exc, operation)
            continue
        broker.setdefault("EngineType", summary.get("EngineType"))
        _decide_broker(ctx, arn, name, broker, operation)


def _broker_summary(item: CollectedResource) -> dict[str, Any]:
    """A ListBrokers entry for a broker the inventory holds (AWS Config's complete record)."""
    config = item.configuration
    broker_id = lookup(config, "BrokerId") or lookup(config, "Id") or item.resource.resource_id
    return {
        "BrokerArn": item.id,
        "BrokerId": str(broker_id or item.id.rsplit(":", 1)[-1]),
        "BrokerName": str(lookup(config, "BrokerName") or item.resource.name),
        "EngineType": lookup(config, "EngineType"),
    }


def _decide_broker(
    ctx: ProbeContext, arn: str, name: str, broker: dict[str, Any], operation: str
) -> None:
    logs = broker.get("Logs") or {}
    engine = str(broker.get("EngineType") or "")
    wanted = ["General", "Audit"] if engine.upper() == "ACTIVEMQ" else ["General"]
    enabled = [kind for kind in wanted if logs.get(kind)]
    group = str(logs.get("GeneralLogGroup") or logs.get("AuditLogGroup") or "")
    if group and not group.startswith("arn:"):
        group = log_group_arn(ctx.region, ctx.account, group)
    record(
        ctx,
        arn,
        "mq-broker-logging",
        _exports_status(tuple(wanted), enabled),
        f"{operation}: {clean_single_line(engine)} broker {clean_single_line(name)} "
        + ", ".join(f"Logs.{kind}={bool(logs.get(kind))}" for kind in wanted),
        destination=clean_single_line(group).removesuffix(":*") if group and enabled else None,
        operation=operation,
    )
