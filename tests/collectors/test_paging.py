"""`collectors.aws.paging`: the one loop for calls without a botocore paginator.

WAFv2 ListWebACLs runs in moto (which pages it by `Limit`/`NextMarker`). moto has neither
CloudFront ListRealtimeLogConfigs nor Detective: those pages are AWS-shaped answers through
botocore's Stubber, which also checks every request parameter against the service model.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import PaginationError
from botocore.stub import Stubber
from moto import mock_aws

from collectors.aws import paging

VISIBILITY = {
    "SampledRequestsEnabled": False,
    "CloudWatchMetricsEnabled": False,
    "MetricName": "m",
}


def _count_calls(client: Any, operation: str) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        f"provide-client-params.*.{operation}", lambda params, **_: sent.append(dict(params))
    )
    return sent


@mock_aws
def test_every_web_acl_is_listed_across_pages() -> None:
    wafv2 = boto3.client("wafv2", region_name="us-east-1")
    for name in ("a", "b", "c"):
        wafv2.create_web_acl(
            Name=name, Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY
        )
    sent = _count_calls(wafv2, "ListWebACLs")
    acls = list(
        paging.items(
            wafv2.list_web_acls,
            "WebACLs",
            token="NextMarker",
            empty_page_ends=True,
            Scope="REGIONAL",
            Limit=1,
        )
    )
    assert sorted(acl["Name"] for acl in acls) == ["a", "b", "c"]
    assert len(sent) == 3 and "NextMarker" not in sent[0]
    assert all(call["NextMarker"] for call in sent[1:])


@mock_aws
def test_no_web_acl_is_one_call_and_an_empty_list() -> None:
    wafv2 = boto3.client("wafv2", region_name="us-east-1")
    sent = _count_calls(wafv2, "ListWebACLs")
    assert (
        list(paging.items(wafv2.list_web_acls, "WebACLs", token="NextMarker", Scope="CLOUDFRONT"))
        == []
    )
    assert len(sent) == 1


def _realtime_config(name: str) -> dict[str, Any]:
    return {
        "ARN": f"arn:aws:cloudfront::123456789012:realtime-log-config/{name}",
        "Name": name,
        "SamplingRate": 100,
        "EndPoints": [
            {
                "StreamType": "Kinesis",
                "KinesisStreamConfig": {
                    "RoleARN": "arn:aws:iam::123456789012:role/rt",
                    "StreamARN": f"arn:aws:kinesis:us-east-1:123456789012:stream/{name}",
                },
            }
        ],
        "Fields": ["timestamp"],
    }


def _page(names: list[str], *, truncated: bool, next_marker: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "MaxItems": 1,
        "IsTruncated": truncated,
        "Marker": "",
        "Items": [_realtime_config(name) for name in names],
    }
    if next_marker:
        page["NextMarker"] = next_marker
    return {"RealtimeLogConfigs": page}


def test_cloudfront_marker_pages_inside_their_wrapper() -> None:
    cloudfront = boto3.client("cloudfront", region_name="us-east-1")
    with Stubber(cloudfront) as stub:
        stub.add_response(
            "list_realtime_log_configs", _page(["one"], truncated=True, next_marker="m1"), {}
        )
        stub.add_response(
            "list_realtime_log_configs",
            _page(["two"], truncated=False, next_marker="ignored: not truncated"),
            {"Marker": "m1"},  # the request names it Marker; the answer, NextMarker
        )
        configs = paging.items(
            cloudfront.list_realtime_log_configs,
            "Items",
            token="NextMarker",
            request_token="Marker",
            within="RealtimeLogConfigs",
        )
        assert [config["Name"] for config in configs] == ["one", "two"]
        stub.assert_no_pending_responses()


def test_detective_next_token_pages() -> None:
    detective = boto3.client("detective", region_name="us-east-1")
    graph = {"Arn": "arn:aws:detective:us-east-1:123456789012:graph:abc"}
    with Stubber(detective) as stub:
        stub.add_response("list_graphs", {"GraphList": [graph], "NextToken": "t1"}, {})
        stub.add_response("list_graphs", {"GraphList": []}, {"NextToken": "t1"})
        assert list(paging.items(detective.list_graphs, "GraphList")) == [graph]
        stub.assert_no_pending_responses()


def test_a_token_that_comes_back_unchanged_is_an_error_not_a_loop() -> None:
    detective = boto3.client("detective", region_name="us-east-1")
    with Stubber(detective) as stub:
        stub.add_response("list_graphs", {"GraphList": [], "NextToken": "same"}, {})
        stub.add_response(
            "list_graphs", {"GraphList": [], "NextToken": "same"}, {"NextToken": "same"}
        )
        with pytest.raises(PaginationError, match="received twice"):
            list(paging.items(detective.list_graphs, "GraphList"))


def test_an_empty_page_ends_a_waf_listing_only_when_asked() -> None:
    answers = iter([{"WebACLs": [], "NextMarker": "m"}, {"WebACLs": [{"Name": "late"}]}])

    def call(**params: Any) -> dict[str, Any]:
        return next(answers)

    assert list(paging.items(call, "WebACLs", token="NextMarker", empty_page_ends=True)) == []
    assert next(answers) == {"WebACLs": [{"Name": "late"}]}  # the second page was never asked

    answers = iter([{"WebACLs": [], "NextMarker": "m"}, {"WebACLs": [{"Name": "late"}]}])
    assert list(paging.items(call, "WebACLs", token="NextMarker")) == [{"Name": "late"}]
