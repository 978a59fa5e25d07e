"""Controls of the `network` layer, one row a control.

VPC Flow Logs are resolved along the graph (ENI -> subnet -> VPC, instance and other
ENI-owning resources -> their ENIs), unlike Prowler's `vpc_flow_logs_enabled`, which only
counts VPC-level flow logs. Route 53 Resolver query logging and traffic mirroring have no
Prowler check at all.
"""

from __future__ import annotations

from snapshot.catalogue import Control
from snapshot.model import Expectation, Layer

CONTROLS: tuple[Control, ...] = (
    Control(
        id="vpc-flow-logs",
        layer=Layer.network,
        title="VPC Flow Logs on this ENI, its subnet or its VPC",
        resource_types=(
            "AWS::EC2::VPC",
            "AWS::EC2::Subnet",
            "AWS::EC2::NetworkInterface",
            "AWS::EC2::Instance",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::ElasticLoadBalancing::LoadBalancer",
            "AWS::RDS::DBInstance",
            "AWS::Lambda::Function",
            "AWS::EC2::NatGateway",
            "AWS::EC2::VPCEndpoint",
        ),
        expectation=Expectation.baseline,
        evaluated_by=(
            "ec2:DescribeFlowLogs FlowLogs[].ResourceId/TrafficType/FlowLogStatus/"
            "LogDestination (inherited ENI -> subnet -> VPC)"
        ),
        logs_land_in=(
            "CloudWatch Logs group, S3 <bucket>/<prefix>/AWSLogs/<account>/vpcflowlogs/<region>/"
            "YYYY/MM/DD/, or a Firehose stream"
        ),
        remediation=(
            "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc-id> "
            "--traffic-type ALL --log-destination-type s3 "
            "--log-destination arn:aws:s3:::<log-bucket>"
        ),
        first_query=(
            "SELECT srcaddr, dstaddr, dstport, protocol, action, SUM(bytes) AS total_bytes "
            "FROM vpc_flow_logs WHERE interface_id = '<eni-id>' AND start BETWEEN <t0> AND <t1> "
            "GROUP BY srcaddr, dstaddr, dstport, protocol, action ORDER BY total_bytes DESC"
        ),
        attack_data_components=(
            "Network Traffic: Network Traffic Flow",
            "Network Traffic: Network Connection Creation",
        ),
        partial_when=(
            "only ACCEPT or only REJECT traffic is captured, or only some of the resource's "
            "ENIs or subnets are covered"
        ),
        item_fields=(
            "AWS::EC2::FlowLog resourceId, trafficType, flowLogStatus (none, where Config records "
            "AWS::EC2::FlowLog: missing)"
        ),
        fill_call="ec2:DescribeFlowLogs",
    ),
    Control(
        id="tgw-flow-logs",
        layer=Layer.network,
        title="Transit Gateway Flow Logs",
        resource_types=("AWS::EC2::TransitGateway",),
        expectation=Expectation.baseline,
        evaluated_by="ec2:DescribeFlowLogs FlowLogs[ResourceId=<tgw-id>] (transit gateway)",
        logs_land_in=(
            "CloudWatch Logs group or S3 <bucket>/<prefix>/AWSLogs/<account>/vpcflowlogs/"
            "<region>/YYYY/MM/DD/"
        ),
        remediation=(
            "aws ec2 create-flow-logs --resource-type TransitGateway --resource-ids <tgw-id> "
            "--log-destination-type s3 --log-destination arn:aws:s3:::<log-bucket>"
        ),
        first_query=(
            "SELECT srcaddr, dstaddr, dstport, protocol, SUM(bytes) AS total_bytes "
            "FROM tgw_flow_logs WHERE tgw_attachment_id = '<tgw-attachment-id>' "
            "GROUP BY srcaddr, dstaddr, dstport, protocol ORDER BY total_bytes DESC"
        ),
        attack_data_components=("Network Traffic: Network Traffic Flow",),
        partial_when="",
        item_fields=(
            "AWS::EC2::FlowLog resourceId (none, where Config records AWS::EC2::FlowLog: missing)"
        ),
        fill_call="ec2:DescribeFlowLogs",
    ),
    Control(
        id="resolver-query-logs",
        layer=Layer.network,
        title="Route 53 Resolver DNS query logging for this VPC",
        resource_types=("AWS::EC2::VPC",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "route53resolver:ListResolverQueryLogConfigAssociations ResourceId/Status=ACTIVE; "
            "ListResolverQueryLogConfigs DestinationArn"
        ),
        logs_land_in=(
            "CloudWatch Logs group, S3 <bucket>/<prefix>/AWSLogs/<account>/vpcdnsquerylogs/"
            "<vpc-id>/YYYY/MM/DD/, or a Firehose stream"
        ),
        remediation=(
            "aws route53resolver create-resolver-query-log-config --name <config-name> "
            "--destination-arn arn:aws:s3:::<log-bucket> && aws route53resolver "
            "associate-resolver-query-log-config --resolver-query-log-config-id <config-id> "
            "--resource-id <vpc-id>"
        ),
        first_query=(
            "fields @timestamp, query_name, query_type, srcaddr, rcode "
            "| filter srcaddr = '<ip>' | stats count() by query_name | sort count() desc"
        ),
        attack_data_components=(
            "Network Traffic: Network Traffic Content",
            "Domain Name: Passive DNS",
        ),
        partial_when="",
        item_fields=(
            "AWS::Route53Resolver::ResolverQueryLoggingConfigAssociation ResourceId, Status "
            "(none, where Config records the type: missing)"
        ),
        fill_call="route53resolver:ListResolverQueryLogConfigAssociations",
    ),
    Control(
        id="route53-query-logs",
        layer=Layer.network,
        title="Route 53 public hosted zone query logging",
        resource_types=("AWS::Route53::HostedZone",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "route53:ListHostedZones Config.PrivateZone; ListQueryLoggingConfigs "
            "QueryLoggingConfigs[].HostedZoneId/CloudWatchLogsLogGroupArn"
        ),
        logs_land_in="CloudWatch Logs group in us-east-1 (/aws/route53/<zone-name>)",
        remediation=(
            "aws route53 create-query-logging-config --hosted-zone-id <zone-id> "
            "--cloud-watch-logs-log-group-arn arn:aws:logs:us-east-1:<account>:log-group:"
            "/aws/route53/<zone-name>"
        ),
        first_query=(
            "fields @timestamp, @message | parse @message '* * * * * * * *' as version, "
            "ts, zone, query_name, query_type, rcode, protocol, edge | "
            "filter query_name like /<domain>/ | stats count() by query_name, rcode"
        ),
        attack_data_components=("Network Traffic: Network Traffic Content",),
        partial_when="",
        item_fields=(
            "AWS::Route53::HostedZone QueryLoggingConfig, VPCs / HostedZoneConfig.PrivateZone"
        ),
        fill_call="route53:ListQueryLoggingConfigs",
    ),
    Control(
        id="traffic-mirroring",
        layer=Layer.network,
        title="VPC Traffic Mirroring session on this ENI (packet capture)",
        resource_types=("AWS::EC2::NetworkInterface",),
        expectation=Expectation.extended,
        evaluated_by=(
            "ec2:DescribeTrafficMirrorSessions TrafficMirrorSessions[].NetworkInterfaceId/"
            "TrafficMirrorTargetId"
        ),
        logs_land_in="packets at the mirror target (ENI, NLB or Gateway Load Balancer endpoint)",
        remediation=(
            "aws ec2 create-traffic-mirror-session --network-interface-id <eni-id> "
            "--traffic-mirror-target-id <target-id> --traffic-mirror-filter-id <filter-id> "
            "--session-number 1"
        ),
        first_query=(
            "tshark -r <capture.pcap> -Y 'ip.addr == <ip>' -T fields -e frame.time "
            "-e ip.src -e ip.dst -e tcp.dstport"
        ),
        attack_data_components=("Network Traffic: Network Traffic Content",),
        partial_when="",
        item_fields=(
            "AWS::EC2::TrafficMirrorSession NetworkInterfaceId (none, where Config records the "
            "type: missing)"
        ),
        fill_call="ec2:DescribeTrafficMirrorSessions",
    ),
    Control(
        id="network-firewall-logs",
        layer=Layer.network,
        title="AWS Network Firewall alert and flow logging",
        resource_types=("AWS::NetworkFirewall::Firewall",),
        expectation=Expectation.baseline,
        evaluated_by=(
            "network-firewall:ListFirewalls; DescribeLoggingConfiguration "
            "LoggingConfiguration.LogDestinationConfigs[].LogType/LogDestinationType"
        ),
        logs_land_in="CloudWatch Logs group, S3 bucket or Firehose stream per log type",
        remediation=(
            "aws network-firewall update-logging-configuration --firewall-name <firewall-name> "
            '--logging-configuration \'{"LogDestinationConfigs":[{"LogType":"ALERT",'
            '"LogDestinationType":"S3","LogDestination":{"bucketName":"<log-bucket>"}},'
            '{"LogType":"FLOW","LogDestinationType":"S3","LogDestination":'
            '{"bucketName":"<log-bucket>"}}]}\''
        ),
        first_query=(
            "fields @timestamp, event.src_ip, event.dest_ip, event.dest_port, "
            "event.alert.signature | filter event.event_type = 'alert' | sort @timestamp desc"
        ),
        attack_data_components=(
            "Network Traffic: Network Traffic Flow",
            "Network Traffic: Network Traffic Content",
        ),
        partial_when="only one of ALERT and FLOW logs has a destination",
        item_fields=(
            "AWS::NetworkFirewall::LoggingConfiguration FirewallArn, "
            "LoggingConfiguration.LogDestinationConfigs (when a source provides it)"
        ),
        fill_call="network-firewall:DescribeLoggingConfiguration",
    ),
)
