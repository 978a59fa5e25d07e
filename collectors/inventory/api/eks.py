"""EKS clusters (their control-plane logging is in `configuration.logging`)."""

from __future__ import annotations

from typing import Any

from ._common import ApiRegion
from ._family import add_described, each_listed
from .ec2 import relate_security_groups, subnet_id

CLUSTER = "AWS::EKS::Cluster"
TYPES = (CLUSTER,)
GLOBAL = False


def collect(ctx: ApiRegion) -> None:
    def add_cluster(client: Any, name: str) -> None:
        with ctx.detail("eks", "DescribeCluster"):
            cluster = client.describe_cluster(name=name)["cluster"]
            cid = cluster["arn"]
            add_described(ctx, CLUSTER, cid, cluster, "name", tags_key="tags")
            vpc = cluster.get("resourcesVpcConfig") or {}
            for subnet in vpc.get("subnetIds") or []:
                ctx.relate(cid, subnet_id(ctx, subnet), "Is contained in Subnet")
            relate_security_groups(ctx, cid, vpc.get("securityGroupIds"))
            ctx.relate(cid, cluster.get("roleArn"), "Is associated with Role")

    each_listed(ctx, "eks", ("ListClusters", "list_clusters", "clusters"), CLUSTER, add_cluster)
