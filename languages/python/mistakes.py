"""What a Python user sees for each mistake: a missing required prop, a wrong
type, a bad literal. Each must fail, before deployment, with an error that
names what is wrong, never a JavaScript-level crash from inside the library.
Prints each case and the error as the user reads it (its last traceback line);
exits 1 if any case passes silently, crashes in JavaScript or names nothing.

Run: python mistakes.py
"""
import re
import sys
import tempfile
import traceback

import aws_cdk as cdk
from aws_cdk import aws_route53 as route53

from cdk_ses_identity_lookup import (
    EmailIdentityDnsRecords,
    EmailIdentityLookup,
    EmailIdentityReaderRole,
    EmailIdentityVerificationGate,
)

# The JavaScript crashes a user must never meet: the library reading a prop that is not there.
JAVASCRIPT_CRASH = re.compile(r"Cannot read propert|is not a function|is not iterable|undefined is not|of undefined|of null")


def stack() -> cdk.Stack:
    app = cdk.App(outdir=tempfile.mkdtemp(prefix="mistakes-"))
    return cdk.Stack(app, "App", env=cdk.Environment(account="123456789012", region="eu-west-1"))


def lookup(scope: cdk.Stack) -> EmailIdentityLookup:
    return EmailIdentityLookup(scope, "Identity", email_identity="example.com")


def zone(scope: cdk.Stack) -> route53.IHostedZone:
    return route53.HostedZone.from_hosted_zone_attributes(scope, "Zone", hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")


def synth(scope: cdk.Stack) -> None:
    # Errors that aws-cdk-lib collects (annotations, validations) surface here, as `cdk synth` shows them.
    scope.node.root.synth()


# (mistake, what the error must name, what the user writes)
CASES = [
    ("missing required prop: EmailIdentityLookup without email_identity", "email_identity",
     lambda s: EmailIdentityLookup(s, "Identity")),
    ("missing required prop: EmailIdentityDnsRecords without identity", "identity",
     lambda s: EmailIdentityDnsRecords(s, "Records", hosted_zone=zone(s))),
    ("missing required prop: EmailIdentityVerificationGate without identity", "identity",
     lambda s: EmailIdentityVerificationGate(s, "Verified")),
    ("missing required prop: EmailIdentityReaderRole without trusted_accounts", "trusted_accounts",
     lambda s: EmailIdentityReaderRole(s, "Reader", email_identities=["example.com"])),
    ("missing required prop: EmailIdentityLookup.from_lookup without email_identity", "email_identity",
     lambda s: EmailIdentityLookup.from_lookup(s, "Identity")),
    ("required prop given as None: EmailIdentityDnsRecords(identity=None)", "identity",
     lambda s: EmailIdentityDnsRecords(s, "Records", identity=None, hosted_zone=zone(s))),
    ("wrong type: email_identity=42", "email_identity",
     lambda s: EmailIdentityLookup(s, "Identity", email_identity=42)),
    ("wrong type: identity='example.com' (a string, not an IEmailIdentity)", "identity",
     lambda s: EmailIdentityVerificationGate(s, "Verified", identity="example.com")),
    ("wrong type: timeout=45 (a number, not a Duration)", "timeout",
     lambda s: EmailIdentityVerificationGate(s, "Verified", identity=lookup(s), timeout=45)),
    ("wrong type: trusted_accounts='222222222222' (a string, not a list)", "trusted_accounts",
     lambda s: EmailIdentityReaderRole(s, "Reader", email_identities=["example.com"], trusted_accounts="222222222222")),
    ("bad literal: email_identity=''", "email_identity",
     lambda s: synth(EmailIdentityLookup(s, "Identity", email_identity="") and s)),
    ("bad literal: region='moon'", "region",
     lambda s: synth(EmailIdentityLookup(s, "Identity", email_identity="example.com", region="moon") and s)),
]


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def main() -> int:
    failures = 0
    for mistake, names, make in CASES:
        try:
            make(stack())
        except Exception as error:  # what the user's app dies of
            seen = traceback.format_exception_only(type(error), error)[-1].strip()
            problems = []
            if JAVASCRIPT_CRASH.search(seen):
                problems.append("a JavaScript crash, not an error about the mistake")
            # jsii's own errors and the library's name the prop as TypeScript spells it.
            if names not in seen and camel_case(names) not in seen:
                problems.append(f"does not name {names!r} (nor {camel_case(names)!r})")
            verdict = "FAIL: " + "; ".join(problems) if problems else "ok"
        else:
            seen = "(nothing: the app went on)"
            verdict = "FAIL: the mistake passed silently"
        failures += verdict != "ok"
        print(f"{mistake}\n  {seen}\n  {verdict}")
    print(f"mistakes: {len(CASES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
