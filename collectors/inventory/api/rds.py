"""RDS and Aurora: DB instances and clusters (their log exports are in `configuration`).

As in AWS Config, `resource_id` is the immutable resource id (`db-...`, `cluster-...`) and
the name is the identifier people type.
"""

from __future__ import annotations

from ._common import ApiRegion, arn, paginate
from ._family import add_described
from .ec2 import relate_security_groups, subnet_id, vpc_id

DB_INSTANCE = "AWS::RDS::DBInstance"
DB_CLUSTER = "AWS::RDS::DBCluster"
DB_SUBNET_GROUP = "AWS::RDS::DBSubnetGroup"
TYPES = (DB_INSTANCE, DB_CLUSTER, DB_SUBNET_GROUP)
GLOBAL = False


def _subnet_group_arn(ctx: ApiRegion, group: dict | None) -> str | None:
    if not group:
        return None
    return group.get("DBSubnetGroupArn") or (
        arn("rds", ctx.region, ctx.account, f"subgrp:{group['DBSubnetGroupName']}")
        if group.get("DBSubnetGroupName")
        else None
    )


#: How an instance's and a cluster's answers name things: the ARN, the identifier people
#: type, the immutable resource id, and the ARN's resource prefix (built when AWS gives none).
_INSTANCE_KEYS = ("DBInstanceArn", "DBInstanceIdentifier", "DbiResourceId", "db")
_CLUSTER_KEYS = ("DBClusterArn", "DBClusterIdentifier", "DbClusterResourceId", "cluster")


def _add_database(
    ctx: ApiRegion, type_: str, described: dict, keys: tuple[str, str, str, str]
) -> str:
    """A DB instance or cluster as a resource; its ARN."""
    arn_key, name_key, id_key, prefix = keys
    did = described.get(arn_key) or arn(
        "rds", ctx.region, ctx.account, f"{prefix}:{described[name_key]}"
    )
    add_described(ctx, type_, did, described, name_key, id_key=id_key, tags_key="TagList")
    return did


def _relate_security_groups(ctx: ApiRegion, did: str, described: dict) -> None:
    groups = described.get("VpcSecurityGroups") or []
    relate_security_groups(ctx, did, (group.get("VpcSecurityGroupId") for group in groups))


def collect(ctx: ApiRegion) -> None:
    rds = ctx.client("rds")
    if ctx.wants(DB_SUBNET_GROUP):
        with ctx.listing("rds", "DescribeDBSubnetGroups", DB_SUBNET_GROUP):
            for group in paginate(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
                gid = _subnet_group_arn(ctx, group)
                if gid is None:  # a group without a name: nothing to call it by
                    continue
                add_described(ctx, DB_SUBNET_GROUP, gid, group, "DBSubnetGroupName")
                ctx.relate(gid, vpc_id(ctx, group.get("VpcId")), "Is contained in Vpc")
                for subnet in group.get("Subnets") or []:
                    ctx.relate(
                        gid,
                        subnet_id(ctx, subnet.get("SubnetIdentifier")),
                        "Is attached to Subnet",
                    )
    instance_arns: dict[str, str] = {}
    if ctx.wants(DB_INSTANCE):
        with ctx.listing("rds", "DescribeDBInstances", DB_INSTANCE):
            for db in paginate(rds, "describe_db_instances", "DBInstances"):
                did = _add_database(ctx, DB_INSTANCE, db, _INSTANCE_KEYS)
                instance_arns[db["DBInstanceIdentifier"]] = did
                _relate_security_groups(ctx, did, db)
                ctx.relate(
                    did,
                    _subnet_group_arn(ctx, db.get("DBSubnetGroup")),
                    "Is associated with DBSubnetGroup",
                )
    if ctx.wants(DB_CLUSTER):
        with ctx.listing("rds", "DescribeDBClusters", DB_CLUSTER):
            for cluster in paginate(rds, "describe_db_clusters", "DBClusters"):
                cid = _add_database(ctx, DB_CLUSTER, cluster, _CLUSTER_KEYS)
                for member in cluster.get("DBClusterMembers") or []:
                    identifier = member.get("DBInstanceIdentifier")
                    if identifier:
                        target = instance_arns.get(identifier) or arn(
                            "rds", ctx.region, ctx.account, f"db:{identifier}"
                        )
                        ctx.relate(cid, target, "Contains DBInstance")
                _relate_security_groups(ctx, cid, cluster)
                if cluster.get("DBSubnetGroup"):
                    ctx.relate(
                        cid,
                        arn("rds", ctx.region, ctx.account, f"subgrp:{cluster['DBSubnetGroup']}"),
                        "Is associated with DBSubnetGroup",
                    )
