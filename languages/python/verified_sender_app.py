"""examples/verified-sender-app.ts, as a Python user writes it: an SES domain
made outside the stack, its DNS records published from a lookup, and a Cognito
user pool that is not deployed before SES has verified the domain.

Run: python verified_sender_app.py OUTDIR
"""
import sys

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk_ses_identity_lookup import (
    DmarcPolicy,
    EmailIdentityDnsRecords,
    EmailIdentityLookup,
    EmailIdentityVerificationGate,
)

# examples/example-app.ts: the pretend account, region and hosted zone.
EXAMPLE_ENV = cdk.Environment(account="123456789012", region="eu-west-1")
EXAMPLE_HOSTED_ZONE_ID = "Z0123456789EXAMPLE"


class VerifiedSenderStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, domain: str, hosted_zone_id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        identity = EmailIdentityLookup(self, "Identity", email_identity=domain)

        zone = route53.HostedZone.from_hosted_zone_attributes(self, "Zone", hosted_zone_id=hosted_zone_id, zone_name=domain)
        records = EmailIdentityDnsRecords(
            self, "Records",
            identity=identity,
            hosted_zone=zone,
            mail_from=True,
            dmarc_policy=DmarcPolicy.NONE,
        )

        # Waits, at most 45 minutes, for SES to see the records and verify the domain.
        verified = EmailIdentityVerificationGate(self, "Verified", identity=identity, timeout=cdk.Duration.minutes(45))

        users = cognito.UserPool(
            self, "Users",
            email=cognito.UserPoolEmail.with_ses(
                from_email=f"noreply@{domain}",
                ses_verified_domain=domain,
                ses_region=self.region,
            ),
        )
        users.node.add_dependency(verified)

        cdk.CfnOutput(self, "DnsRecords", value=records.to_zone_file())


def build_verified_sender_app(outdir: str) -> cdk.App:
    app = cdk.App(outdir=outdir)
    VerifiedSenderStack(app, "VerifiedSender", domain="example.com", hosted_zone_id=EXAMPLE_HOSTED_ZONE_ID, env=EXAMPLE_ENV)
    return app


if __name__ == "__main__":
    build_verified_sender_app(sys.argv[1]).synth()
