"""AWS Config configuration items -> collected resources and Config-named relationships.

Every Config-based source (the account's Config, an aggregator, delivered S3 files) ends
here, so the inconsistencies of AWS Config are normalised once (graph-anchors.md section 4):

* **Two JSON shapes.** API responses (BatchGetResourceConfig, GetResourceConfigHistory,
  SelectResourceConfig rows) say `relationshipName`, `accountId`, `arn`, and give
  `configuration` as a JSON string; delivered snapshot/history files and change
  notifications say `name`, `awsAccountId`, `ARN` and give objects. Both are read.
* **Two relationship naming styles.** Older types qualify the verb with the target
  (`Is contained in Vpc`); newer ones use a bare verb with a trailing space
  (`Is contained in `) and name the target only in `resourceType`. Both become the
  qualified form, the raw string is kept in `Relationship.raw`.
* **Targets without ids.** Lambda -> IAM role carries only the role's name; it is resolved to
  the role's ARN in the same account.
* **Owners Config does not record.** An ENI's owner (load balancer, NAT gateway, Lambda,
  RDS, VPC endpoint ...) is inferred from `interfaceType`, `description` and
  `requesterId`, as Workload Discovery on AWS does (origin `inferred`).
* **Indirect relationships** (removed by Config in 2021, still in old items) are kept as
  given; the graph de-duplicates them against the reverse edges it adds.

Untrusted strings (names, tags) are cleaned of terminal control characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from snapshot.model import GLOBAL_REGION, Origin, Relationship, Resource
from snapshot.sanitize import clean, clean_single_line

from .base import CollectedResource, RegionInventory

#: Configuration item statuses of resources that no longer exist or are not recorded.
GONE_STATUSES = frozenset({"ResourceDeleted", "ResourceNotRecorded", "ResourceDeletedNotRecorded"})

#: Types whose resources are global: their region is "global" whatever Config's awsRegion.
GLOBAL_TYPES = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::Policy",
        "AWS::IAM::InstanceProfile",
        "AWS::CloudFront::Distribution",
        "AWS::CloudFront::StreamingDistribution",
        "AWS::Route53::HostedZone",
        "AWS::WAF::WebACL",
        "AWS::WAF::RateBasedRule",
    }
)

#: Types whose items the probes of every region of the account read (IAM is global; a
#: multi-region trail homed in one region covers the others).
ACCOUNT_WIDE_TYPES = frozenset({"AWS::IAM::Role", "AWS::IAM::Policy", "AWS::CloudTrail::Trail"})

#: Relationship verbs as Config writes them, keyed by a lower-cased, "is"-less form, so that
#: sloppy variants ("Attached to Instance" in AWS's own doc samples) normalise too.
_VERBS: dict[str, str] = {
    "contains": "Contains",
    "contained in": "Is contained in",
    "associated with": "Is associated with",
    "attached to": "Is attached to",
}
_VERB_RE = re.compile(
    r"^\s*(?:is\s+)?(contains|contained\s+in|associated\s+with|attached\s+to)\b\s*(.*?)\s*$",
    re.IGNORECASE,
)

#: Target names where Config's qualified form differs from the type's last part.
_SHORT_NAMES: dict[str, str] = {
    "AWS::EC2::VPC": "Vpc",
    "AWS::EC2::EIP": "ElasticIp",
}

#: Where a Config relationship names a target only by id: the ARN AWS Config reports for
#: that type, from (account, region, id, name). Types whose resourceId is already the ARN
#: (ELBv2 load balancers, listeners) need no entry.
_ARN_TEMPLATES: dict[str, str] = {
    "AWS::EC2::Instance": "arn:{p}:ec2:{region}:{account}:instance/{id}",
    "AWS::EC2::VPC": "arn:{p}:ec2:{region}:{account}:vpc/{id}",
    "AWS::EC2::Subnet": "arn:{p}:ec2:{region}:{account}:subnet/{id}",
    "AWS::EC2::SecurityGroup": "arn:{p}:ec2:{region}:{account}:security-group/{id}",
    "AWS::EC2::NetworkInterface": "arn:{p}:ec2:{region}:{account}:network-interface/{id}",
    "AWS::EC2::Volume": "arn:{p}:ec2:{region}:{account}:volume/{id}",
    "AWS::EC2::InternetGateway": "arn:{p}:ec2:{region}:{account}:internet-gateway/{id}",
    "AWS::EC2::NatGateway": "arn:{p}:ec2:{region}:{account}:natgateway/{id}",
    "AWS::EC2::NetworkAcl": "arn:{p}:ec2:{region}:{account}:network-acl/{id}",
    "AWS::EC2::RouteTable": "arn:{p}:ec2:{region}:{account}:route-table/{id}",
    "AWS::EC2::VPCEndpoint": "arn:{p}:ec2:{region}:{account}:vpc-endpoint/{id}",
    "AWS::EC2::TransitGateway": "arn:{p}:ec2:{region}:{account}:transit-gateway/{id}",
    "AWS::EC2::TransitGatewayAttachment": (
        "arn:{p}:ec2:{region}:{account}:transit-gateway-attachment/{id}"
    ),
    # Config's EIP resourceId is the allocation id; IAM and Config write this form.
    "AWS::EC2::EIP": "arn:{p}:ec2:{region}:{account}:eip-allocation/{id}",
    "AWS::EC2::FlowLog": "arn:{p}:ec2:{region}:{account}:vpc-flow-log/{id}",
    "AWS::IAM::Role": "arn:{p}:iam::{account}:role/{name}",
    "AWS::IAM::User": "arn:{p}:iam::{account}:user/{name}",
    "AWS::IAM::Group": "arn:{p}:iam::{account}:group/{name}",
    "AWS::IAM::InstanceProfile": "arn:{p}:iam::{account}:instance-profile/{name}",
    "AWS::RDS::DBInstance": "arn:{p}:rds:{region}:{account}:db:{name}",
    "AWS::RDS::DBCluster": "arn:{p}:rds:{region}:{account}:cluster:{name}",
    "AWS::RDS::DBSubnetGroup": "arn:{p}:rds:{region}:{account}:subgrp:{name}",
    "AWS::Lambda::Function": "arn:{p}:lambda:{region}:{account}:function:{name}",
    "AWS::S3::Bucket": "arn:{p}:s3:::{name}",
    "AWS::ElasticLoadBalancing::LoadBalancer": (
        "arn:{p}:elasticloadbalancing:{region}:{account}:loadbalancer/{name}"
    ),
    "AWS::ApiGateway::RestApi": "arn:{p}:apigateway:{region}::/restapis/{id}",
    "AWS::ApiGatewayV2::Api": "arn:{p}:apigateway:{region}::/apis/{id}",
    "AWS::Elasticsearch::Domain": "arn:{p}:es:{region}:{account}:domain/{name}",
    "AWS::OpenSearch::Domain": "arn:{p}:es:{region}:{account}:domain/{name}",
    "AWS::EFS::FileSystem": "arn:{p}:elasticfilesystem:{region}:{account}:file-system/{id}",
    "AWS::CloudTrail::Trail": "arn:{p}:cloudtrail:{region}:{account}:trail/{name}",
    "AWS::KMS::Key": "arn:{p}:kms:{region}:{account}:key/{id}",
    "AWS::Redshift::Cluster": "arn:{p}:redshift:{region}:{account}:cluster:{name}",
    "AWS::Redshift::ClusterParameterGroup": (
        "arn:{p}:redshift:{region}:{account}:parametergroup:{name}"
    ),
    "AWS::Redshift::ClusterSubnetGroup": "arn:{p}:redshift:{region}:{account}:subnetgroup:{name}",
    "AWS::DynamoDB::Table": "arn:{p}:dynamodb:{region}:{account}:table/{name}",
    "AWS::SQS::Queue": "arn:{p}:sqs:{region}:{account}:{name}",
    "AWS::SNS::Topic": "arn:{p}:sns:{region}:{account}:{name}",
    "AWS::ECS::Cluster": "arn:{p}:ecs:{region}:{account}:cluster/{name}",
    "AWS::EKS::Cluster": "arn:{p}:eks:{region}:{account}:cluster/{name}",
    "AWS::ECR::Repository": "arn:{p}:ecr:{region}:{account}:repository/{name}",
    "AWS::CodeBuild::Project": "arn:{p}:codebuild:{region}:{account}:project/{name}",
    "AWS::Kinesis::Stream": "arn:{p}:kinesis:{region}:{account}:stream/{name}",
    "AWS::StepFunctions::StateMachine": "arn:{p}:states:{region}:{account}:stateMachine:{name}",
    "AWS::ACM::Certificate": "arn:{p}:acm:{region}:{account}:certificate/{id}",
    "AWS::ElasticBeanstalk::Application": (
        "arn:{p}:elasticbeanstalk:{region}:{account}:application/{name}"
    ),
}

#: Types whose Config resourceId is an opaque id while the ARN uses the name.
_NAMED_BY_NAME = frozenset(
    {
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::InstanceProfile",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
    }
)

_UUID_SUFFIX = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def short_type_name(resource_type: str) -> str:
    """The target part of a qualified relationship name: AWS::EC2::VPC -> Vpc."""
    return _SHORT_NAMES.get(resource_type, resource_type.rsplit("::", 1)[-1])


def default_verb(source_type: str, target_type: str) -> str:
    """The verb Config uses between two types, for relationships that arrive unnamed.

    Advanced-query rows may carry a relationship's target without its name; the verb is
    then the one Config writes for that pair (graph-anchors.md section 4).
    """
    if source_type == "AWS::EC2::Instance" and target_type == "AWS::EC2::NetworkInterface":
        return "Contains"
    if source_type == "AWS::RDS::DBCluster" and target_type == "AWS::RDS::DBInstance":
        return "Contains"
    if target_type in ("AWS::EC2::VPC", "AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        return "Is contained in"
    if target_type == "AWS::EC2::Subnet":
        return "Is attached to" if "LoadBalancing" in source_type else "Is contained in"
    if target_type in (
        "AWS::EC2::Volume",
        "AWS::EC2::Instance",
        "AWS::EC2::InternetGateway",
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::EIP",
    ):
        return "Is attached to"
    return "Is associated with"


def normalise_relationship_name(raw: str, target_type: str) -> str:
    """Config's qualified wording for a relationship, whichever style it arrived in.

    `Is contained in ` + AWS::EC2::VPC -> `Is contained in Vpc`; `Is contained in Vpc`
    stays; `Attached to Instance` -> `Is attached to Instance`. An unknown verb is kept,
    qualified with the target when it came bare.
    """
    match = _VERB_RE.match(raw or "")
    short = short_type_name(target_type) if target_type else ""
    if match is None:
        text = (raw or "").strip()
        if text and not (raw or "")[-1:].isspace():
            return text  # an unknown verb, already qualified
        verb, qualifier = text, ""
    else:
        verb = _VERBS[re.sub(r"\s+", " ", match.group(1).lower())]
        qualifier = match.group(2)
    if not qualifier or (short and qualifier.lower() == short.lower()):
        qualifier = short
    return f"{verb} {qualifier}".strip() if verb else qualifier


def parse_json_value(value: Any) -> Any:
    """A JSON document given as a string parsed; anything else returned as is."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "[", '"') or text in ("null", "true", "false"):
            try:
                return json.loads(text)
            except ValueError:
                return value
    return value


def _as_dict(value: Any) -> dict[str, Any]:
    value = parse_json_value(value)
    return value if isinstance(value, dict) else {}


def parse_tags(value: Any) -> dict[str, str]:
    """Tags given as a mapping or as a list of Key/Value (any case) pairs, cleaned."""
    value = parse_json_value(value)
    if isinstance(value, Mapping):
        pairs: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        pairs = (
            (
                item.get("key", item.get("Key", item.get("tagKey"))),
                item.get("value", item.get("Value", item.get("tagValue"))),
            )
            for item in value
            if isinstance(item, Mapping)
        )
    else:
        return {}
    return {
        clean_single_line(str(key)): clean(str(val if val is not None else ""))
        for key, val in pairs
        if key is not None
    }


def capture_time(item: Mapping[str, Any]) -> datetime:
    """When Config captured an item (the oldest possible time when absent or unreadable)."""
    value = item.get("configurationItemCaptureTime")
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return datetime.min.replace(tzinfo=UTC)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


_REGION_NAME = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


def item_region(aws_region: Any, arn: Any, default_region: str | None) -> str:
    """The item's region: `awsRegion` when it names one, else the ARN's, else the file's.

    Items of some types say `awsRegion: "Not Applicable"` (or nothing); that is not a
    region. The ARN's region field, then the region of the delivery path, stand in.
    """
    named = str(aws_region or "")
    if named == GLOBAL_REGION or _REGION_NAME.match(named):
        return named
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        if len(parts) > 3 and _REGION_NAME.match(parts[3]):
            return parts[3]
    return default_region or ""


def _partition(arn: str | None) -> str:
    if arn and arn.startswith("arn:"):
        return arn.split(":", 2)[1] or "aws"
    return "aws"


def synthetic_id(resource_type: str, account: str, region: str, resource_id: str) -> str:
    """A stable id for a resource Config gives no ARN for."""
    return f"blindspot:{account}:{region}:{resource_type}:{resource_id}"


def arn_for(
    resource_type: str,
    *,
    account: str,
    region: str,
    resource_id: str | None,
    resource_name: str | None = None,
    partition: str = "aws",
) -> str:
    """The ARN Config reports for a resource known only by type and id (or name)."""
    if resource_id and resource_id.startswith("arn:"):
        return resource_id
    template = _ARN_TEMPLATES.get(resource_type)
    name = resource_name or resource_id or ""
    by_name = template is not None and "{name}" in template
    if (
        template is None
        or not name
        or (by_name and not resource_name and not _looks_like_name(resource_type, resource_id))
    ):
        return synthetic_id(resource_type, account, region, resource_id or name)
    return template.format(
        p=partition, region=region, account=account, id=resource_id or name, name=name
    )


def _looks_like_name(resource_type: str, resource_id: str | None) -> bool:
    """Whether a resourceId can stand in for the name in an ARN (not an opaque AROA/db- id)."""
    if not resource_id:
        return False
    opaque = {
        "AWS::IAM::Role": "AROA",
        "AWS::IAM::User": "AIDA",
        "AWS::IAM::Group": "AGPA",
        "AWS::IAM::InstanceProfile": "AIPA",
        "AWS::RDS::DBInstance": "db-",
        "AWS::RDS::DBCluster": "cluster-",
    }.get(resource_type)
    return not (opaque and resource_id.startswith(opaque) and resource_id[len(opaque) :].isupper())


@dataclass(slots=True)
class ParsedItem:
    """One configuration item parsed, with its relationships still as Config gave them."""

    collected: CollectedResource
    relationships: list[dict[str, Any]]
    captured: datetime

    @property
    def resource(self) -> Resource:
        return self.collected.resource


def _redact(resource_type: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """Drop secret values Config records (Lambda environment variables)."""
    if resource_type == "AWS::Lambda::Function":
        env = configuration.get("environment")
        if isinstance(env, dict) and isinstance(env.get("variables"), dict):
            env["variables"] = dict.fromkeys(env["variables"], "<redacted>")
    return configuration


def parse_item(
    item: Mapping[str, Any],
    *,
    source: str = "config",
    default_account: str | None = None,
    default_region: str | None = None,
) -> ParsedItem | None:
    """One configuration item in either shape; None for deleted/unrecorded or typeless items."""
    if not isinstance(item, Mapping):
        return None
    status = item.get("configurationItemStatus")
    resource_type = item.get("resourceType")
    if status in GONE_STATUSES or not isinstance(resource_type, str) or not resource_type:
        return None
    account = str(item.get("accountId") or item.get("awsAccountId") or default_account or "")
    arn = item.get("arn") or item.get("ARN")
    region = item_region(item.get("awsRegion"), arn, default_region)
    if resource_type in GLOBAL_TYPES:
        region = GLOBAL_REGION
    short_id = item.get("resourceId")
    short_id = str(short_id) if short_id is not None else None
    name = item.get("resourceName")
    configuration = _redact(resource_type, _as_dict(item.get("configuration")))
    # Values are JSON strings in API responses, some (S3 AccessControlList) encoded twice.
    supplementary = {
        str(key): parse_json_value(parse_json_value(value))
        for key, value in _as_dict(item.get("supplementaryConfiguration")).items()
    }
    tags = parse_tags(item.get("tags"))
    if not tags and "tags" in configuration:
        tags = parse_tags(configuration.get("tags"))
    if not arn:
        arn = arn_for(
            resource_type,
            account=account,
            region=region,
            resource_id=short_id,
            resource_name=str(name) if name else None,
        )
    display = str(name or tags.get("Name") or short_id or "")
    resource = Resource(
        id=clean_single_line(str(arn)),
        type=clean_single_line(resource_type),
        account=clean_single_line(account),
        region=clean_single_line(region),
        name=clean_single_line(display),
        resource_id=clean_single_line(short_id) if short_id else None,
        tags=tags,
        source=source,
    )
    relationships = [rel for rel in item.get("relationships") or [] if isinstance(rel, Mapping)]
    return ParsedItem(
        collected=CollectedResource(resource, configuration, supplementary),
        relationships=[dict(rel) for rel in relationships],
        captured=capture_time(item),
    )


@dataclass
class _Index:
    """Resources by (account, region, type, resourceId) and by name, to resolve targets.

    The region is part of the key: a relationship that names its target by short id (a KMS
    key `test`, a subnet) means the target in the source's own region (global types: in
    "global"), never a same-named resource of another region.
    """

    by_id: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    by_name: dict[tuple[str, str, str, str], str] = field(default_factory=dict)
    #: Ids by (account, type, resourceId or name) in any region, for global sources.
    anywhere: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    #: RDS instances per (account, region) with their VPC and security groups, for ENIs.
    databases: dict[tuple[str, str], list[tuple[str, str, frozenset[str]]]] = field(
        default_factory=dict
    )

    def add(self, parsed: ParsedItem) -> None:
        res = parsed.resource
        if res.resource_id:
            self.by_id[(res.account, res.region, res.type, res.resource_id)] = res.id
        if res.name:
            self.by_name.setdefault((res.account, res.region, res.type, res.name), res.id)
        for key in {res.resource_id, res.name} - {None, ""}:
            self.anywhere.setdefault((res.account, res.type, str(key)), set()).add(res.id)
        if res.type == "AWS::RDS::DBInstance":
            cfg = parsed.collected.configuration
            subnet_group = _lookup(cfg, "dBSubnetGroup")
            vpc = _lookup(subnet_group, "vpcId") or ""
            groups = frozenset(
                str(_lookup(g, "vpcSecurityGroupId"))
                for g in _lookup(cfg, "vpcSecurityGroups") or []
                if isinstance(g, Mapping)
            )
            self.databases.setdefault((res.account, res.region), []).append(
                (res.id, str(vpc), groups)
            )

    def resolve(
        self, account: str, region: str, resource_type: str, rid: str | None, name: str | None
    ) -> str:
        """The target in `region`; from a global source (a CloudFront distribution), the
        target in the one region that holds it (its web ACL lives in us-east-1)."""
        for key, table in ((rid, self.by_id), (name, self.by_name), (rid, self.by_name)):
            if key and (found := table.get((account, region, resource_type, key))):
                return found
        if region == GLOBAL_REGION:
            for key in (rid, name):
                matches = self.anywhere.get((account, resource_type, key or ""), set())
                if len(matches) == 1:
                    return next(iter(matches))
        return ""


def _lookup(value: Any, key: str) -> Any:
    """A field of a configuration whatever its key case (`dBSubnetGroup`, `DBSubnetGroup`)."""
    if not isinstance(value, Mapping):
        return None
    wanted = key.lower()
    return next((v for k, v in value.items() if str(k).lower() == wanted and v is not None), None)


def infer_eni_owner(
    configuration: Mapping[str, Any], *, account: str, region: str, partition: str = "aws"
) -> tuple[str, str] | None:
    """The (ARN, Config type) of the service resource that owns a requester-managed ENI.

    Decided from the ENI's `interfaceType`, `description` and `requesterId` as EC2 sets them:
    "ELB app/NAME/ID" (ALB), "ELB net/NAME/ID" (NLB), "ELB NAME" (classic ELB),
    "Interface for NAT Gateway nat-..." / interfaceType nat_gateway, "AWS Lambda VPC ENI-
    FUNCTION-UUID" / interfaceType lambda, "VPC Endpoint Interface vpce-...", "ES DOMAIN",
    "EFS mount target for fs-...", "Network Interface for Transit Gateway Attachment ...".
    RDS ENIs name no instance ("RDSNetworkInterface"): see `_rds_owner`.
    """
    description = str(configuration.get("description") or "")
    interface_type = str(configuration.get("interfaceType") or "")
    p = partition
    if match := re.match(r"^ELB ((?:app|net|gwy)/[^/\s]+/[0-9a-f]+)$", description):
        return (
            f"arn:{p}:elasticloadbalancing:{region}:{account}:loadbalancer/{match.group(1)}",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
        )
    if match := re.match(r"^ELB ([A-Za-z0-9-]+)$", description):
        return (
            f"arn:{p}:elasticloadbalancing:{region}:{account}:loadbalancer/{match.group(1)}",
            "AWS::ElasticLoadBalancing::LoadBalancer",
        )
    nat = interface_type == "nat_gateway" or description.startswith("Interface for NAT Gateway")
    if nat and (match := re.search(r"\b(nat-[0-9a-f]+)\b", description)):
        return (
            f"arn:{p}:ec2:{region}:{account}:natgateway/{match.group(1)}",
            "AWS::EC2::NatGateway",
        )
    if description.startswith("AWS Lambda VPC ENI-"):
        function = _UUID_SUFFIX.sub("", description[len("AWS Lambda VPC ENI-") :])
        if function:
            return (
                f"arn:{p}:lambda:{region}:{account}:function:{function}",
                "AWS::Lambda::Function",
            )
    endpoint = interface_type in ("vpc_endpoint", "gateway_load_balancer_endpoint", "interface")
    if endpoint and (match := re.search(r"\b(vpce-[0-9a-f]+)\b", description)):
        return (
            f"arn:{p}:ec2:{region}:{account}:vpc-endpoint/{match.group(1)}",
            "AWS::EC2::VPCEndpoint",
        )
    if match := re.match(r"^ES ([a-z][a-z0-9-]+)$", description):
        return (
            f"arn:{p}:es:{region}:{account}:domain/{match.group(1)}",
            "AWS::Elasticsearch::Domain",
        )
    if match := re.match(r"^EFS mount target for (fs-[0-9a-f]+)", description):
        return (
            f"arn:{p}:elasticfilesystem:{region}:{account}:file-system/{match.group(1)}",
            "AWS::EFS::FileSystem",
        )
    if match := re.search(r"\b(tgw-attach-[0-9a-f]+)\b", description):
        return (
            f"arn:{p}:ec2:{region}:{account}:transit-gateway-attachment/{match.group(1)}",
            "AWS::EC2::TransitGatewayAttachment",
        )
    return None


def _is_rds_eni(configuration: Mapping[str, Any]) -> bool:
    return (
        str(configuration.get("description") or "") == "RDSNetworkInterface"
        or str(configuration.get("requesterId") or "") == "amazon-rds"
        or str(configuration.get("interfaceType") or "") == "rds"
    )


def _rds_owner(parsed: ParsedItem, index: _Index) -> str:
    """The one RDS instance in the ENI's VPC sharing its security groups, if exactly one."""
    res, cfg = parsed.resource, parsed.collected.configuration
    vpc = str(cfg.get("vpcId") or "")
    groups = {str(g.get("groupId")) for g in cfg.get("groups") or [] if isinstance(g, Mapping)}
    candidates = [
        db_id
        for db_id, db_vpc, db_groups in index.databases.get((res.account, res.region), [])
        if db_vpc == vpc and groups and groups <= db_groups
    ]
    return candidates[0] if len(candidates) == 1 else ""


def _role_from_configuration(parsed: ParsedItem, target_type: str, name: str | None) -> str:
    """A role's ARN (path included) found in the item's configuration, when the names match.

    Relationships name a role only by name (`codebuild-RDK-service-role`) while the
    configuration holds its ARN with its path (`role/service-role/codebuild-RDK-...`):
    the ARN is taken from there rather than rebuilt without the path.
    """
    if target_type != "AWS::IAM::Role" or not name:
        return ""
    for value in _strings(parsed.collected.configuration, depth=3):
        if value.startswith("arn:") and ":role/" in value and value.rsplit("/", 1)[-1] == name:
            return value
    return ""


def _strings(value: Any, depth: int) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif depth > 0 and isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth - 1)
    elif depth > 0 and isinstance(value, list):
        for item in value[:50]:
            yield from _strings(item, depth - 1)


def resolve_relationships(parsed: ParsedItem, index: _Index, source: str) -> list[Relationship]:
    """The item's relationships with ARNs as targets and Config's qualified names."""
    res = parsed.resource
    partition = _partition(res.id)
    out: list[Relationship] = []
    for rel in parsed.relationships:
        target_type = str(rel.get("resourceType") or "")
        raw = str(rel.get("relationshipName") or rel.get("name") or "")
        named = raw or f"{default_verb(res.type, target_type)} "
        rid = rel.get("resourceId")
        rname = rel.get("resourceName")
        rid = str(rid) if rid else None
        rname = str(rname) if rname else None
        if not target_type or not (rid or rname):
            continue
        target_region = GLOBAL_REGION if target_type in GLOBAL_TYPES else res.region
        target = (
            index.resolve(res.account, target_region, target_type, rid, rname)
            or _role_from_configuration(parsed, target_type, rname)
            or arn_for(
                target_type,
                account=res.account,
                region=target_region,
                resource_id=rid,
                resource_name=rname,
                partition=partition,
            )
        )
        if target == res.id:
            continue
        out.append(
            Relationship(
                source=res.id,
                target=clean_single_line(target),
                name=clean_single_line(normalise_relationship_name(named, target_type)),
                origin=Origin.config,
                raw=clean_single_line(raw) if raw else None,
            )
        )
    if res.type == "AWS::EC2::NetworkInterface":
        cfg = parsed.collected.configuration
        owner = infer_eni_owner(cfg, account=res.account, region=res.region, partition=partition)
        owner_id, owner_type = owner if owner else ("", "")
        if not owner and _is_rds_eni(cfg):
            owner_id, owner_type = _rds_owner(parsed, index), "AWS::RDS::DBInstance"
        if owner_id and owner_id not in {r.target for r in out}:
            out.append(
                Relationship(
                    source=res.id,
                    target=clean_single_line(owner_id),
                    name=f"Is attached to {short_type_name(owner_type)}",
                    origin=Origin.inferred,
                )
            )
    return out


class ConfigItemSet:
    """Configuration items gathered from any Config source, turned into region inventories.

    Keeps the latest item per resource (by capture time) so that history files and
    repeated snapshots can be fed in any order, drops deleted/unrecorded resources, and
    resolves relationships against everything gathered (so a Lambda's role resolves to the
    role's actual ARN, path included, when the role is in the set).
    """

    def __init__(
        self,
        source: str = "config",
        *,
        default_account: str | None = None,
        default_region: str | None = None,
    ) -> None:
        self.source = source
        self.default_account = default_account
        self.default_region = default_region
        self._latest: dict[tuple[str, str, str], ParsedItem] = {}
        self._deleted: dict[tuple[str, str, str], datetime] = {}

    def __len__(self) -> int:
        return len(self._latest)

    def add(self, item: Mapping[str, Any]) -> ParsedItem | None:
        """Add one item; returns it parsed, or None when it was dropped."""
        if not isinstance(item, Mapping):
            return None
        status = item.get("configurationItemStatus")
        if status in GONE_STATUSES:
            key = self._key_of_raw(item)
            when = capture_time(item)
            if key and when >= self._deleted.get(key, datetime.min.replace(tzinfo=UTC)):
                self._deleted[key] = when
                current = self._latest.get(key)
                if current is not None and current.captured <= when:
                    del self._latest[key]
            return None
        parsed = parse_item(
            item,
            source=self.source,
            default_account=self.default_account,
            default_region=self.default_region,
        )
        if parsed is None:
            return None
        res = parsed.resource
        key = (res.account, res.type, res.resource_id or res.id)
        deleted_at = self._deleted.get(key)
        if deleted_at is not None and deleted_at >= parsed.captured:
            return None
        current = self._latest.get(key)
        if current is None or parsed.captured >= current.captured:
            self._latest[key] = parsed
        return parsed

    def extend(self, items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            self.add(item)

    def _key_of_raw(self, item: Mapping[str, Any]) -> tuple[str, str, str] | None:
        account = str(item.get("accountId") or item.get("awsAccountId") or self.default_account)
        rtype = item.get("resourceType")
        rid = item.get("resourceId") or item.get("arn") or item.get("ARN")
        return (account, str(rtype), str(rid)) if rtype and rid else None

    def items(self) -> list[ParsedItem]:
        return list(self._latest.values())

    def inventories(self) -> list[RegionInventory]:
        """One inventory per (account, region) holding resources; `types_covered` = types seen.

        Types seen is what a Config source can vouch for without its recorder settings: the
        direct API may still look for the others. Global resources (IAM, CloudFront) keep
        region "global" but go into one of their account's regional inventories (us-east-1
        where present), as AWS Config records them in a region; an account with nothing
        regional gets an inventory of region "global".
        """
        index = _Index()
        for parsed in self._latest.values():
            index.add(parsed)
        regional = sorted(
            {(p.resource.account, p.resource.region) for p in self._latest.values()},
            key=lambda place: (place[0], place[1] != "us-east-1", place[1]),
        )
        home: dict[str, str] = {}
        for account, region in regional:
            if region != GLOBAL_REGION:
                home.setdefault(account, region)
        out: dict[tuple[str, str], RegionInventory] = {}
        for parsed in _merge_same_arn(list(self._latest.values())):
            res = parsed.resource
            region = (
                home.get(res.account, res.region) if res.region == GLOBAL_REGION else res.region
            )
            inv = out.get((res.account, region))
            if inv is None:
                inv = out[(res.account, region)] = RegionInventory(
                    account=res.account, region=region, source=self.source
                )
            inv.add(parsed.collected)
            inv.types_covered.add(res.type)
            inv.relationships.extend(resolve_relationships(parsed, index, self.source))
        shared: dict[str, dict[str, CollectedResource]] = {}
        for parsed in self._latest.values():
            if parsed.resource.type in ACCOUNT_WIDE_TYPES:
                shared.setdefault(parsed.resource.account, {})[parsed.resource.id] = (
                    parsed.collected
                )
        for (account, _), inv in out.items():
            inv.account_items = shared.setdefault(account, {})
        for parsed in self._latest.values():  # a merged item's other type was seen too
            res = parsed.resource
            region = (
                home.get(res.account, res.region) if res.region == GLOBAL_REGION else res.region
            )
            if (res.account, region) in out:
                out[(res.account, region)].types_covered.add(res.type)
        return list(out.values())


#: Of two types AWS Config records one resource under (same ARN), the one kept.
_PREFERRED_TYPE = {"AWS::Elasticsearch::Domain": "AWS::OpenSearch::Domain"}


def _merge_same_arn(parsed_items: list[ParsedItem]) -> list[ParsedItem]:
    """Items that share an ARN become one resource holding the information of all of them.

    AWS Config records an OpenSearch domain as `AWS::OpenSearch::Domain` and again as
    `AWS::Elasticsearch::Domain`, with one ARN. The resource keeps the OpenSearch type; its
    configuration, supplementary configuration and tags hold both items' keys (the newer
    item's value first, so a case-insensitive lookup finds it), and both items'
    relationships are resolved. Both types count as seen.
    """
    groups: dict[str, list[ParsedItem]] = {}
    for parsed in parsed_items:
        groups.setdefault(parsed.resource.id, []).append(parsed)
    out: list[ParsedItem] = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        group.sort(key=lambda p: p.captured, reverse=True)
        types = {p.resource.type for p in group}
        kept_type = next(
            (_PREFERRED_TYPE[t] for t in types if _PREFERRED_TYPE.get(t) in types),
            group[0].resource.type,
        )
        base = next(p for p in group if p.resource.type == kept_type)
        configuration: dict[str, Any] = {}
        supplementary: dict[str, Any] = {}
        tags: dict[str, str] = {}
        for parsed in group:
            for key, value in parsed.collected.configuration.items():
                configuration.setdefault(key, value)
            for key, value in parsed.collected.supplementary.items():
                supplementary.setdefault(key, value)
            for key, value in parsed.resource.tags.items():
                tags.setdefault(key, value)
        resource = base.resource.model_copy(update={"tags": tags})
        merged = ParsedItem(
            collected=CollectedResource(resource, configuration, supplementary),
            relationships=[rel for parsed in group for rel in parsed.relationships],
            captured=group[0].captured,
        )
        out.append(merged)
    return out
