"""`--seed` makes the demo organization reproducible (a separate module: two full builds)."""

from __future__ import annotations

from blindspot.simulation.org import demo_organization


def _fingerprint(seed: int) -> tuple:
    with demo_organization(seed=seed, size="small") as org:
        return (
            org.account_ids,
            org.organization_id,
            [(p.arn, p.control, p.state) for p in org.ground_truth],
            sorted(org.facts["hosted_zones"].items()),
            # default VPCs included: moto creates them lazily, the collector must not
            sorted(
                vpc["VpcId"]
                for account in org.accounts.values()
                for region in org.regions
                for vpc in account.client("ec2", region).describe_vpcs()["Vpcs"]
            ),
        )


def test_same_seed_rebuilds_the_same_organization_and_another_seed_does_not() -> None:
    first = _fingerprint(7)
    assert _fingerprint(7) == first
    other = _fingerprint(8)
    assert other[0] != first[0]
    assert other[2] != first[2]
