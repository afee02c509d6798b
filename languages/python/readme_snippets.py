"""The README's snippets as jsii-rosetta translates them to Python (the
translations Construct Hub shows), each run as a Python user pastes it: a
stack snippet into the constructor of a stack, an app snippet after
`app = cdk.App()`, under the Python form of the README's imports. Each must
synthesize without an error. Stacks get an account and region, so that the
hosted zone and synth-time lookups leave their queries for the CDK CLI as a
first `cdk synth` does.

Run: python readme_snippets.py TABLET OUTDIR
"""
import json
import os
import sys
import textwrap
import traceback

from aws_cdk import cx_api

# The README's import block (rosetta/*.ts-fixture), in Python.
IMPORTS = """
import aws_cdk as cdk
from constructs import Construct
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from cdk_ses_identity_lookup import (
    DmarcPolicy, EmailIdentityDnsRecords, EmailIdentityFunctions, EmailIdentityLookup, EmailIdentityMonitor,
    EmailIdentityReaderRole, EmailIdentityVerificationGate, IdentityCheck, VerificationCondition,
)
"""
ENV = 'cdk.Environment(account="123456789012", region="eu-west-1")'
# rosetta/default.ts-fixture: a stack that cdk init made; rosetta/app.ts-fixture: its bin/ file.
STACK_FIXTURE_MARK = "export class Fixture extends cdk.Stack"


def program(snippet: str, in_stack: bool, outdir: str) -> str:
    if in_stack:
        body = f"""
class Fixture(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)
{textwrap.indent(snippet, " " * 8)}

app = cdk.App(outdir={outdir!r})
Fixture(app, "Fixture", env={ENV})
"""
    else:
        body = f"""
app = cdk.App(outdir={outdir!r})
{snippet}
"""
    return IMPORTS + body + "\nassembly = app.synth()\n"


def errors_of(assembly) -> list:
    return [f"{stack.stack_name}: {message.entry.data}" for stack in assembly.stacks for message in stack.messages if message.level == cx_api.SynthesisMessageLevel.ERROR]


def main(tablet_file: str, outdir: str) -> int:
    tablet = json.load(open(tablet_file))
    readme = [s for s in tablet["snippets"].values() if s["location"]["api"]["api"] == "moduleReadme"]
    readme.sort(key=lambda s: s["location"]["field"]["line"])
    if not readme:
        print(f"{tablet_file} holds no README snippet: was it extracted (jsii-rosetta extract)?")
        return 1
    failures = 0
    for snippet in readme:
        line = snippet["location"]["field"]["line"]
        in_stack = STACK_FIXTURE_MARK in snippet["fullSource"]
        source = program(snippet["translations"]["python"]["source"], in_stack, os.path.join(outdir, f"line-{line}"))
        namespace: dict = {}
        try:
            exec(compile(source, f"README.md line {line} (Python)", "exec"), namespace)
            problems = errors_of(namespace["assembly"])
            missing = len(json.load(open(os.path.join(outdir, f"line-{line}", "manifest.json"))).get("missing", []))
            verdict = "; ".join(problems) if problems else f"ok, {len(namespace['assembly'].stacks)} stack(s)" + (f", {missing} lookup(s) left for the CDK CLI" if missing else "")
        except Exception:
            problems = [traceback.format_exc()]
            verdict = "FAILED\n" + textwrap.indent(problems[0] + "\n--- the program:\n" + source, "    ")
        failures += bool(problems)
        print(f"README.md line {line} ({'stack' if in_stack else 'app'} snippet): {verdict}")
    print(f"README snippets in Python: {len(readme) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
