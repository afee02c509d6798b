"""examples/cross-account-app.ts, as a Python user writes it: the SES identity
in a sending account, Route53 in a central DNS account, one app. A reader role
in the sending account; in the DNS account, a lookup through it, the
identity's records, and a gate that waits until SES has verified the domain.

Run: python cross_account_app.py OUTDIR
"""
import sys

import aws_cdk as cdk
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk_ses_identity_lookup import (
    EmailIdentityDnsRecords,
    EmailIdentityLookup,
    EmailIdentityReaderRole,
    EmailIdentityVerificationGate,
)

# examples/example-app.ts and examples/cross-account-app.ts.
EXAMPLE_HOSTED_ZONE_ID = "Z0123456789EXAMPLE"
SENDING_ENV = cdk.Environment(account="111111111111", region="eu-west-1")
DNS_ENV = cdk.Environment(account="222222222222", region="eu-west-1")
EXTERNAL_ID = "dns-account"


class SendingAccountStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, domain: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        self.reader = EmailIdentityReaderRole(
            self, "Reader",
            email_identities=[domain],
            trusted_accounts=[DNS_ENV.account],
            external_id=EXTERNAL_ID,
        )


class DnsAccountStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, *, domain: str, hosted_zone_id: str, reader: EmailIdentityReaderRole, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
        identity = EmailIdentityLookup(
            self, "Identity",
            email_identity=domain,
            region=SENDING_ENV.region,
            reader_role=reader,
        )
        hosted_zone = route53.HostedZone.from_hosted_zone_attributes(self, "Zone", hosted_zone_id=hosted_zone_id, zone_name=domain)
        EmailIdentityDnsRecords(self, "Records", identity=identity, hosted_zone=hosted_zone)
        # The gate reads through the lookup's reader role.
        EmailIdentityVerificationGate(self, "Verified", identity=identity)


def build_cross_account_app(outdir: str) -> cdk.App:
    app = cdk.App(outdir=outdir)
    domain = "example.com"
    sending = SendingAccountStack(app, "SendingAccount", domain=domain, env=SENDING_ENV)
    DnsAccountStack(app, "DnsAccount", domain=domain, hosted_zone_id=EXAMPLE_HOSTED_ZONE_ID, reader=sending.reader, env=DNS_ENV)
    return app


if __name__ == "__main__":
    build_cross_account_app(sys.argv[1]).synth()
