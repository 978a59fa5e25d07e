"""EKS clusters (their control-plane logging is in `configuration.logging`)."""

from __future__ import annotations

from ._common import ApiRegion, paginate, tags_from, to_config_shape
from .ec2 import security_group_id, subnet_id

CLUSTER = "AWS::EKS::Cluster"
TYPES = (CLUSTER,)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    client = ctx.client("eks")
    with ctx.listing("eks", "ListClusters", CLUSTER):
        for name in paginate(client, "list_clusters", "clusters"):
            with ctx.detail("eks", "DescribeCluster"):
                cluster = client.describe_cluster(name=name)["cluster"]
                cid = cluster["arn"]
                ctx.add(
                    CLUSTER,
                    cid,
                    resource_id=name,
                    name=name,
                    tags=tags_from(cluster.get("tags")),
                    configuration=to_config_shape(cluster),
                )
                vpc = cluster.get("resourcesVpcConfig") or {}
                for subnet in vpc.get("subnetIds") or []:
                    ctx.relate(cid, subnet_id(ctx, subnet), "Is contained in Subnet")
                for group in vpc.get("securityGroupIds") or []:
                    ctx.relate(
                        cid, security_group_id(ctx, group), "Is associated with SecurityGroup"
                    )
                ctx.relate(cid, cluster.get("roleArn"), "Is associated with Role")
