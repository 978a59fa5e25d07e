"""RDS and Aurora: DB instances and clusters (their log exports are in `configuration`).

As in AWS Config, `resource_id` is the immutable resource id (`db-...`, `cluster-...`) and
the name is the identifier people type.
"""

from __future__ import annotations

from ._common import ApiRegion, arn, paginate, tags_from, to_config_shape
from .ec2 import security_group_id, subnet_id, vpc_id

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


def collect(ctx: ApiRegion) -> None:
    rds = ctx.client("rds")
    if ctx.wants(DB_SUBNET_GROUP):
        with ctx.listing("rds", "DescribeDBSubnetGroups", DB_SUBNET_GROUP):
            for group in paginate(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
                gid = _subnet_group_arn(ctx, group)
                if gid is None:  # a group without a name: nothing to call it by
                    continue
                ctx.add(
                    DB_SUBNET_GROUP,
                    gid,
                    resource_id=group["DBSubnetGroupName"],
                    name=group["DBSubnetGroupName"],
                    configuration=to_config_shape(group),
                )
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
                did = db.get("DBInstanceArn") or arn(
                    "rds", ctx.region, ctx.account, f"db:{db['DBInstanceIdentifier']}"
                )
                instance_arns[db["DBInstanceIdentifier"]] = did
                ctx.add(
                    DB_INSTANCE,
                    did,
                    resource_id=db.get("DbiResourceId") or db["DBInstanceIdentifier"],
                    name=db["DBInstanceIdentifier"],
                    tags=tags_from(db.get("TagList")),
                    configuration=to_config_shape(db),
                )
                for group in db.get("VpcSecurityGroups") or []:
                    ctx.relate(
                        did,
                        security_group_id(ctx, group.get("VpcSecurityGroupId")),
                        "Is associated with SecurityGroup",
                    )
                ctx.relate(
                    did,
                    _subnet_group_arn(ctx, db.get("DBSubnetGroup")),
                    "Is associated with DBSubnetGroup",
                )
    if ctx.wants(DB_CLUSTER):
        with ctx.listing("rds", "DescribeDBClusters", DB_CLUSTER):
            for cluster in paginate(rds, "describe_db_clusters", "DBClusters"):
                cid = cluster.get("DBClusterArn") or arn(
                    "rds", ctx.region, ctx.account, f"cluster:{cluster['DBClusterIdentifier']}"
                )
                ctx.add(
                    DB_CLUSTER,
                    cid,
                    resource_id=cluster.get("DbClusterResourceId")
                    or cluster["DBClusterIdentifier"],
                    name=cluster["DBClusterIdentifier"],
                    tags=tags_from(cluster.get("TagList")),
                    configuration=to_config_shape(cluster),
                )
                for member in cluster.get("DBClusterMembers") or []:
                    identifier = member.get("DBInstanceIdentifier")
                    if identifier:
                        target = instance_arns.get(identifier) or arn(
                            "rds", ctx.region, ctx.account, f"db:{identifier}"
                        )
                        ctx.relate(cid, target, "Contains DBInstance")
                for group in cluster.get("VpcSecurityGroups") or []:
                    ctx.relate(
                        cid,
                        security_group_id(ctx, group.get("VpcSecurityGroupId")),
                        "Is associated with SecurityGroup",
                    )
                if cluster.get("DBSubnetGroup"):
                    ctx.relate(
                        cid,
                        arn("rds", ctx.region, ctx.account, f"subgrp:{cluster['DBSubnetGroup']}"),
                        "Is associated with DBSubnetGroup",
                    )
