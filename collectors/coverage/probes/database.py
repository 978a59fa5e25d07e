"""Probes of the `database` layer: what each managed database exports to a log destination.

RDS, Aurora, DocumentDB and Neptune share one API: `rds:DescribeDBClusters` and
`rds:DescribeDBInstances` return all four families (the RDS API reference says so for
Neptune and DocumentDB), so two paginated calls per region decide `rds-log-exports`,
`docdb-log-exports` and `neptune-log-exports`. AWS Config records all of them as
`AWS::RDS::DBCluster` / `AWS::RDS::DBInstance`, and so do we.

Where exports are configured on a cluster (Aurora, Multi-AZ DB clusters, DocumentDB,
Neptune), the member instances inherit the cluster's record (`inherited_from`).

ElastiCache is not an AWS Config type: its resources use the CloudFormation type names
(`AWS::ElastiCache::ReplicationGroup`, `AWS::ElastiCache::CacheCluster`).
"""

from __future__ import annotations

from typing import Any

from snapshot.model import Status
from snapshot.sanitize import clean_single_line

from ...inventory.base import CollectedResource
from ..base import ProbeContext
from ..helpers import CALL_ERRORS, ensure_resource, log_group_arn
from ..items import is_config_source, item_operation, lookup, pascal, supplementary
from ..records import call_failed, offline_capable, record
from ._common import config_first, list_all
from .database_services import (
    exports_status as _exports_status,
)
from .database_services import (
    probe_elasticache_log_delivery,
    probe_mq_broker_logging,
    probe_opensearch_log_publishing,
)

DB_INSTANCE = "AWS::RDS::DBInstance"
DB_CLUSTER = "AWS::RDS::DBCluster"
REDSHIFT_CLUSTER = "AWS::Redshift::Cluster"

#: Log types a security responder needs exported, by engine family. From the RDS user guide
#: pages "Publishing ... logs to Amazon CloudWatch Logs" of each engine.
ENGINE_LOG_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aurora-mysql", ("audit", "error", "general", "slowquery")),
    ("aurora-postgresql", ("postgresql",)),
    ("aurora", ("audit", "error", "general", "slowquery")),  # Aurora MySQL 5.6 engine name
    ("mysql", ("audit", "error", "general", "slowquery")),
    ("mariadb", ("audit", "error", "general", "slowquery")),
    ("postgres", ("postgresql",)),
    ("sqlserver", ("error", "agent")),
    ("oracle", ("alert", "audit", "listener")),
    ("custom-oracle", ("alert", "audit", "listener")),
    ("custom-sqlserver", ("error", "agent")),
    ("db2", ("diag.log", "notify.log")),
    ("docdb", ("audit", "profiler")),
    ("neptune", ("audit",)),
)

#: Engine -> (control id, log group service prefix).
_FAMILY = {"docdb": ("docdb-log-exports", "docdb"), "neptune": ("neptune-log-exports", "neptune")}

#: Controls of the RDS API whose applicability follows the engine (`engine_controls`).
ENGINE_FAMILY = frozenset({"rds-log-exports", *(control for control, _ in _FAMILY.values())})


def expected_log_types(engine: str) -> tuple[str, ...] | None:
    """The log types that matter for an engine, or None for an engine we do not know."""
    engine = engine.lower()
    for prefix, types in ENGINE_LOG_TYPES:
        if engine == prefix or engine.startswith(prefix + "-"):
            return types
    return None


def _control_for(engine: str) -> tuple[str, str]:
    return _FAMILY.get(engine.lower(), ("rds-log-exports", "rds"))


def engine_controls(item: CollectedResource) -> frozenset[str] | None:
    """The RDS-family controls that apply to an RDS resource: its engine's only.

    DocumentDB and Neptune are recorded as `AWS::RDS::DB*` too, so applicability follows the
    item's engine; an item without an engine gets `rds-log-exports` alone. None for
    resources of other types (every control of their type applies).
    """
    if item.type not in (DB_INSTANCE, DB_CLUSTER):
        return None
    engine = str(lookup(item.configuration, "engine") or "")
    return frozenset({_control_for(engine)[0]})


# --------------------------------------------------------------------------- RDS family


@offline_capable
def probe_db_log_exports(ctx: ProbeContext) -> None:
    """rds-log-exports, docdb-log-exports, neptune-log-exports: CloudWatch Logs exports.

    Reads the inventory's configurations when its source listed both RDS types (no call),
    or when there is no credential for the account (Config holds the exports).
    """
    covered = {DB_INSTANCE, DB_CLUSTER} <= ctx.inventory.types_covered
    from_items = covered or ctx.aws is None
    try:
        if from_items:
            clusters, instances = _dbs_from_inventory(ctx)
        else:
            rds = ctx.client("rds")
            clusters = list_all(rds, "describe_db_clusters", "DBClusters")
            instances = list_all(rds, "describe_db_instances", "DBInstances")
    except CALL_ERRORS as exc:
        error = ctx.fail(exc, service="rds", operation="DescribeDBClusters/DescribeDBInstances")
        for item in ctx.inventory.of_type(DB_INSTANCE, DB_CLUSTER):
            engine = str(lookup(item.configuration, "engine") or "")
            record(
                ctx,
                item.id,
                _control_for(engine)[0],
                Status.unknown,
                f"rds:DescribeDBClusters/DescribeDBInstances failed ({error.code})",
                operation="rds:DescribeDBInstances",
            )
        return
    fields = "enabledCloudwatchLogsExports"
    config_items = from_items and (ctx.aws is None or is_config_source(ctx.inventory))
    cluster_op = item_operation(DB_CLUSTER, fields) if config_items else "rds:DescribeDBClusters"
    instance_op = item_operation(DB_INSTANCE, fields) if config_items else "rds:DescribeDBInstances"
    decided: dict[str, tuple[str, Status, str, str | None]] = {}
    for cluster in clusters:
        decision = _isolated(ctx, cluster, "DBClusterArn", _cluster_exports, cluster_op)
        if decision:
            decided[str(cluster["DBClusterIdentifier"])] = decision
    for instance in instances:
        _isolated(ctx, instance, "DBInstanceArn", _instance_exports, instance_op, decided)


def _isolated(ctx: ProbeContext, db: dict[str, Any], arn_key: str, decide: Any, *args: Any) -> Any:
    """One database decided; a failure records that one `unknown`, the others still decided."""
    try:
        return decide(ctx, db, *args)
    except Exception as exc:
        error = ctx.fail(exc, service="blindspot", operation="database.probe_db_log_exports")
        arn = db.get(arn_key)
        if arn:
            engine = str(db.get("Engine") or "")
            record(
                ctx,
                str(arn),
                _control_for(engine)[0],
                Status.unknown,
                f"evaluation failed ({error.code}): {error.message}",
            )
        return None


def _ensure_rds(ctx: ProbeContext, described: dict[str, Any], kind: str) -> tuple[str, str]:
    """(ARN, identifier) of a described `DBCluster` or `DBInstance`, added to the inventory
    when the inventory source did not hold it."""
    identifier = str(described[f"{kind}Identifier"])
    arn_kind, type_ = ("cluster", DB_CLUSTER) if kind == "DBCluster" else ("db", DB_INSTANCE)
    arn = described.get(f"{kind}Arn") or (
        f"arn:aws:rds:{ctx.region}:{ctx.account}:{arn_kind}:{identifier}"
    )
    _ensure_named(ctx, arn, type_, identifier, described.get("TagList"))
    return arn, identifier


def _ensure_named(ctx: ProbeContext, arn: str, type_: str, identifier: str, tag_list: Any) -> None:
    """The inventory's record of a described database (named by its identifier)."""
    tags = _tags(tag_list)
    ensure_resource(ctx, arn=arn, type_=type_, resource_id=identifier, name=identifier, tags=tags)


def _cluster_exports(
    ctx: ProbeContext, cluster: dict[str, Any], operation: str
) -> tuple[str, Status, str, str | None] | None:
    arn, identifier = _ensure_rds(ctx, cluster, "DBCluster")
    return _decide_exports(ctx, arn, identifier, cluster, "cluster", operation)


def _instance_exports(
    ctx: ProbeContext,
    instance: dict[str, Any],
    operation: str,
    decided: dict[str, tuple[str, Status, str, str | None]],
) -> None:
    arn, identifier = _ensure_rds(ctx, instance, "DBInstance")
    cluster_id = instance.get("DBClusterIdentifier")
    cluster_op = operation.replace("DBInstance", "DBCluster").replace(
        "DescribeDBInstances", "DescribeDBClusters"
    )
    if cluster_id and cluster_id in decided:
        control_id, status, cluster_arn, destination = decided[cluster_id]
        record(
            ctx,
            arn,
            control_id,
            status,
            f"{cluster_op}: log exports are set on cluster {clean_single_line(cluster_id)}",
            inherited_from=cluster_arn,
            destination=destination,
            operation=cluster_op,
        )
        return
    engine = str(instance.get("Engine") or "")
    if cluster_id and (engine.startswith(("aurora", "docdb", "neptune"))):
        # Exports of these engines exist only on the cluster, which was not seen.
        record(
            ctx,
            arn,
            _control_for(engine)[0],
            Status.unknown,
            f"{operation}: {clean_single_line(engine)} instance of cluster "
            f"{clean_single_line(cluster_id)}, which was not found",
            operation=cluster_op,
        )
        return
    _decide_exports(ctx, arn, identifier, instance, "instance", operation)


def _dbs_from_inventory(ctx: ProbeContext) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Clusters and instances in API shape, from AWS Config-shaped configurations.

    Config keeps the Describe output with its own key case, which varied over the years:
    `dbclusterIdentifier`, `dBClusterIdentifier` and `DBClusterIdentifier` all occur for
    one field, so every key is looked up without regard to case (`..items.lookup`).
    """

    def api_shape(item: CollectedResource, id_key: str, arn_key: str) -> dict[str, Any]:
        config = item.configuration
        shaped = {
            "Engine": lookup(config, "engine", default=""),
            "EnabledCloudwatchLogsExports": lookup(config, "enabledCloudwatchLogsExports") or [],
            "ActivityStreamStatus": lookup(config, "activityStreamStatus"),
            "DBClusterIdentifier": lookup(config, "DBClusterIdentifier"),
        }
        # The resource's own identifier last: for a cluster it is DBClusterIdentifier.
        shaped[id_key] = lookup(config, id_key) or item.resource.name or item.resource.resource_id
        shaped[arn_key] = item.id
        return shaped

    clusters = [
        api_shape(item, "DBClusterIdentifier", "DBClusterArn")
        for item in ctx.inventory.of_type(DB_CLUSTER)
    ]
    instances = [
        api_shape(item, "DBInstanceIdentifier", "DBInstanceArn")
        for item in ctx.inventory.of_type(DB_INSTANCE)
    ]
    return clusters, instances


def _tags(tag_list: list[dict[str, Any]] | None) -> dict[str, str]:
    return {t.get("Key", ""): t.get("Value", "") for t in tag_list or []}


def _decide_exports(
    ctx: ProbeContext,
    arn: str,
    identifier: str,
    db: dict[str, Any],
    kind: str,
    operation: str,
) -> tuple[str, Status, str, str | None] | None:
    engine = str(db.get("Engine") or "")
    control_id, group_service = _control_for(engine)
    expected = expected_log_types(engine)
    enabled = [str(t) for t in db.get("EnabledCloudwatchLogsExports") or []]
    shown = ",".join(enabled) or "none"
    evidence = (
        f"{operation}: {clean_single_line(engine)} {kind} "
        f"{clean_single_line(identifier)} EnabledCloudwatchLogsExports={shown}"
    )
    if expected is None:
        record(
            ctx,
            arn,
            control_id,
            Status.logged if enabled else Status.missing,
            evidence,
            operation=operation,
            notes=["engine not in the catalogue: any export counts"],
        )
        return None
    status = _exports_status(expected, enabled)
    first = next((t for t in expected if t in enabled), None) or (enabled[0] if enabled else None)
    # /aws/rds/instance|cluster/<id>/<type>; /aws/docdb|neptune/<cluster>/<type>
    path = f"/aws/rds/{kind}" if group_service == "rds" else f"/aws/{group_service}"
    destination = (
        log_group_arn(ctx.region, ctx.account, f"{path}/{identifier}/{first}") if first else None
    )
    notes = []
    missing = [t for t in expected if t not in enabled]
    if status is Status.partial:
        notes.append("not exported: " + ", ".join(missing))
    if "audit" in enabled and engine.lower() in ("mysql", "mariadb"):
        notes.append("audit needs the MARIADB_AUDIT_PLUGIN option in the option group")
    if db.get("ActivityStreamStatus") in ("started", "starting"):
        notes.append("database activity stream is on (Kinesis)")
    record(
        ctx,
        arn,
        control_id,
        status,
        evidence,
        destination=destination,
        operation=operation,
        notes=notes,
    )
    return control_id, status, arn, destination


# --------------------------------------------------------------------------- Redshift

REDSHIFT_LOGS = ("connectionlog", "userlog", "useractivitylog")


@offline_capable
def probe_redshift_audit_logging(ctx: ProbeContext) -> None:
    """redshift-audit-logging: DescribeLoggingStatus of every provisioned cluster.

    AWS Config records the same answer as the cluster's `supplementaryConfiguration`
    `LoggingStatus`; without a credential that is what decides.
    """
    control_id = "redshift-audit-logging"
    split = config_first(
        ctx, [REDSHIFT_CLUSTER], control_id, holds=lambda item: bool(_logging_status(item))
    )
    operation = item_operation(REDSHIFT_CLUSTER, "supplementaryConfiguration.LoggingStatus")
    for item in split.deciding:
        status = pascal(_logging_status(item))
        shown = clean_single_line(str(lookup(item.configuration, "clusterIdentifier") or ""))
        _decide_redshift(ctx, item.id, shown or item.resource.name, status, operation)
    clusters = split.read_listing(
        "redshift:DescribeClusters",
        "redshift",
        ("describe_clusters", "Clusters"),
        lambda item: {"ClusterIdentifier": _redshift_id(item), "arn": item.id},
        key=lambda cluster: _redshift_arn(ctx, cluster),
    )
    if not clusters:
        return
    client = ctx.client("redshift")
    for cluster in clusters:
        identifier = str(cluster["ClusterIdentifier"])
        arn = _redshift_arn(ctx, cluster)
        _ensure_named(ctx, arn, REDSHIFT_CLUSTER, identifier, cluster.get("Tags"))
        try:
            status = client.describe_logging_status(ClusterIdentifier=identifier)
        except CALL_ERRORS as exc:
            call_failed(ctx, arn, control_id, exc, "redshift:DescribeLoggingStatus")
            continue
        _decide_redshift(ctx, arn, clean_single_line(identifier), status)


def _redshift_arn(ctx: ProbeContext, cluster: dict[str, Any]) -> str:
    identifier = cluster["ClusterIdentifier"]
    found = cluster.get("arn")
    return str(found or f"arn:aws:redshift:{ctx.region}:{ctx.account}:cluster:{identifier}")


def _logging_status(item: CollectedResource) -> dict[str, Any] | None:
    status = supplementary(item, "LoggingStatus")
    return status if isinstance(status, dict) else None


def _redshift_id(item: CollectedResource) -> str:
    found = lookup(item.configuration, "clusterIdentifier")
    return str(found or item.resource.resource_id or item.id.rsplit(":", 1)[-1])


def _decide_redshift(
    ctx: ProbeContext,
    arn: str,
    shown: str,
    status: dict[str, Any],
    operation: str = "redshift:DescribeLoggingStatus",
) -> None:
    control_id = "redshift-audit-logging"
    if not status.get("LoggingEnabled"):
        record(
            ctx,
            arn,
            control_id,
            Status.missing,
            f"{operation}: cluster {shown} LoggingEnabled=false",
            operation=operation,
        )
        return
    kind = status.get("LogDestinationType") or "s3"
    if kind == "cloudwatch":
        exports = [str(e) for e in status.get("LogExports") or []]
        missing = [log for log in REDSHIFT_LOGS if log not in exports]
        result = Status.partial if missing else Status.logged
        first = exports[0] if exports else "connectionlog"
        destination = log_group_arn(
            ctx.region, ctx.account, f"/aws/redshift/cluster/{shown}/{first}"
        )
        record(
            ctx,
            arn,
            control_id,
            result,
            f"{operation}: cluster {shown} LoggingEnabled=true, LogDestinationType=cloudwatch, "
            f"LogExports={','.join(exports) or 'none'}",
            destination=destination,
            operation=operation,
            notes=["not exported: " + ", ".join(missing)] if missing else [],
        )
        return
    bucket = clean_single_line(str(status.get("BucketName") or ""))
    prefix = clean_single_line(str(status.get("S3KeyPrefix") or ""))
    record(
        ctx,
        arn,
        control_id,
        Status.logged,
        f"{operation}: cluster {shown} LoggingEnabled=true, BucketName={bucket}",
        destination=f"arn:aws:s3:::{bucket}/{prefix}".rstrip("/") if bucket else None,
        operation=operation,
        notes=[
            "useractivitylog also needs enable_user_activity_logging=true in the parameter group"
        ],
    )


PROBES = (
    probe_db_log_exports,
    probe_redshift_audit_logging,
    probe_elasticache_log_delivery,
    probe_opensearch_log_publishing,
    probe_mq_broker_logging,
)
