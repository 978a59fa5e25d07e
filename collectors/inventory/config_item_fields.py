"""One AWS Config configuration item, in either JSON shape, -> a parsed collected resource.

Reads the fields whose spelling differs between API responses and delivered files
(`accountId`/`awsAccountId`, `arn`/`ARN`, JSON strings or objects), names relationships in
Config's qualified form, and builds the ARN of a resource Config names only by id or name.
How the items of a source are combined is `config_items.py`; their relationships,
`config_relations.py`. Untrusted strings (names, tags) are cleaned of control characters.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from snapshot.model import GLOBAL_REGION, Resource
from snapshot.sanitize import clean, clean_single_line
from snapshot.times import parse_time

from .base import CollectedResource

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
        with contextlib.suppress(ValueError):
            return parse_time(value)
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


def arn_partition(arn: str | None) -> str:
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
