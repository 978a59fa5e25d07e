"""Names and helpers the access-layer probe modules share."""

from __future__ import annotations

from snapshot.sanitize import clean_single_line

CLASSIC_ELB = "AWS::ElasticLoadBalancing::LoadBalancer"
ELBV2 = "AWS::ElasticLoadBalancingV2::LoadBalancer"
BUCKET = "AWS::S3::Bucket"
DISTRIBUTION = "AWS::CloudFront::Distribution"
WEB_ACL_V2 = "AWS::WAFv2::WebACL"
WEB_ACL_CLASSIC = "AWS::WAF::WebACL"
WEB_ACL_REGIONAL = "AWS::WAFRegional::WebACL"
REST_STAGE = "AWS::ApiGateway::Stage"
V2_STAGE = "AWS::ApiGatewayV2::Stage"
V2_API = "AWS::ApiGatewayV2::Api"
#: Resource types a web ACL can protect (ListResourcesForWebACL ResourceType, CloudFront).
PROTECTABLE_TYPES = frozenset(
    {
        ELBV2,
        REST_STAGE,
        DISTRIBUTION,
        "AWS::AppSync::GraphQLApi",
        "AWS::Cognito::UserPool",
        "AWS::AppRunner::Service",
        "AWS::EC2::VerifiedAccessInstance",
        "AWS::Amplify::App",
    }
)
#: The region whose endpoints serve CloudFront and CLOUDFRONT-scope WAF.
CLOUDFRONT_REGION = "us-east-1"
#: Error codes meaning "this service does not exist here" for WAF Classic (retired API).
_ABSENT = frozenset({"404", "NotImplementedError", "EndpointUnreachable", "UnknownOperation"})


def _s3_destination(bucket: str, prefix: str | None) -> str:
    bucket = clean_single_line(bucket)
    prefix = clean_single_line(prefix or "").strip("/")
    return f"arn:aws:s3:::{bucket}/{prefix}" if prefix else f"arn:aws:s3:::{bucket}"
