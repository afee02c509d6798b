/**
 * The library's main job, end to end, without deploying anything:
 * synthesize the example app (examples/verified-sender-app.ts), and for each
 * of its lookups and gates take the handler bundle from the cloud assembly
 * (the file Lambda would run), send it the Create event CloudFormation would
 * send, and print what the stack would receive.
 *
 *   npm run demo                                   # against a local SES v2 endpoint
 *   npm run demo -- --aws --identity example.com   # against SES, with your credentials
 *       [--region eu-west-1]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AssetManifestArtifact, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildVerifiedSenderApp } from '../examples/verified-sender-app';
import { createEvent, ResponseReceiver, TEST_ACCOUNT, TEST_REGION } from '../local/cloudformation';
import { FakeSesServer, fullIdentity } from '../local/fake-ses-server';
import { invokeBundle } from '../local/lambda-runner';
import { GATE_RESOURCE_TYPE, LOOKUP_RESOURCE_TYPE } from '../src/shared/wire';

interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      aws: { type: 'boolean', default: false },
      identity: { type: 'string' },
      region: { type: 'string' },
    },
  });
  if (values.aws && !values.identity) {
    console.error('--aws needs --identity <domain or email address>: the identity to read from SES.');
    return 2;
  }
  const domain = values.identity ?? 'example.com';
  const region = values.region ?? (values.aws ? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION : TEST_REGION);
  if (!region) {
    console.error('--aws needs a region: pass --region or set AWS_REGION.');
    return 2;
  }

  // 1. Synthesize the example app.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ses-lookup-demo-'));
  const assembly = buildVerifiedSenderApp({ outdir, domain }).synth();
  const stack = assembly.stacks[0] as CloudFormationStackArtifact;
  const resources = stack.template.Resources as Record<string, TemplateResource>;
  // Lookups first, as CloudFormation would order them; gates after.
  const customResources = Object.entries(resources)
    .filter(([, resource]) => resource.Type === LOOKUP_RESOURCE_TYPE || resource.Type === GATE_RESOURCE_TYPE)
    .sort(([, a], [, b]) => (a.Type === LOOKUP_RESOURCE_TYPE ? 0 : 1) - (b.Type === LOOKUP_RESOURCE_TYPE ? 0 : 1));
  console.log(`Synthesized ${stack.stackName} into ${outdir}: ${Object.keys(resources).length} resources, `
    + `of which ${customResources.map(([, resource]) => resource.Type).join(', ')}.`);

  // 2. SES: a local endpoint with the identity in it, or the real service.
  const ses = values.aws ? undefined : await FakeSesServer.start();
  const receiver = await ResponseReceiver.start();
  let failures = 0;
  try {
    for (const [logicalId, resource] of customResources) {
      const { ServiceToken, ...properties } = resource.Properties ?? {};
      const emailIdentity = String(properties.EmailIdentity);
      if (resource.Type === GATE_RESOURCE_TYPE && values.aws) {
        console.log(`\nSkipped ${logicalId}: a gate on a real identity may wait up to ${properties.TimeoutSeconds} s.`);
        continue;
      }
      ses?.setIdentity(emailIdentity, fullIdentity(emailIdentity));

      // 3. The handler, as staged in the cloud assembly for upload to Lambda.
      const bundleDir = handlerAssetDir(stack, resources, ServiceToken);
      const responseUrl = receiver.url();
      const event = createEvent(properties, {
        responseUrl,
        logicalResourceId: logicalId,
        resourceType: resource.Type,
        stackId: `arn:aws:cloudformation:${region}:${TEST_ACCOUNT}:stack/${stack.stackName}/00000000-0000-0000-0000-000000000000`,
      });
      console.log(`\nCreate ${resource.Type} ${logicalId} (${emailIdentity}) against ${ses ? `local SES at ${ses.endpoint}` : `SES in ${region}`}`);
      console.log(`Handler bundle: ${bundleDir}/index.js (${fs.statSync(path.join(bundleDir, 'index.js')).size} bytes)`);
      const run = await invokeBundle(bundleDir, event, {
        localCredentials: !values.aws,
        env: ses ? { AWS_ENDPOINT_URL_SESV2: ses.endpoint } : { AWS_REGION: region },
      });
      printLambdaOutput(run.stdout + run.stderr);
      const response = await receiver.response(responseUrl);
      console.log(`Response: ${response.body.Status}, ${response.bytes} of 4096 bytes, PhysicalResourceId ${response.body.PhysicalResourceId}, handler process ${run.elapsedMs.toFixed(0)} ms`);
      if (response.body.Status === 'SUCCESS') {
        printTable(response.body.Data ?? {});
      } else {
        failures++;
        console.log(`Reason: ${response.body.Reason}`);
      }
    }
  } finally {
    await receiver.stop();
    await ses?.stop();
  }
  return failures === 0 ? 0 : 1;
}

/** The directory the CLI would zip and upload as the code of the function a ServiceToken names. */
function handlerAssetDir(stack: CloudFormationStackArtifact, resources: Record<string, TemplateResource>, serviceToken: unknown): string {
  // ServiceToken is { "Fn::GetAtt": [<function logical id>, "Arn"] }.
  const [functionId] = (serviceToken as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'] ?? [];
  const s3Key = (resources[functionId]?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key;
  const manifest = stack.dependencies.find((artifact) => artifact instanceof AssetManifestArtifact);
  if (!s3Key || !(manifest instanceof AssetManifestArtifact)) {
    throw new Error('The synthesized stack has no Lambda function with a file asset.');
  }
  // The asset manifest names each file asset by hash; the function's S3 key is `<hash>.zip`.
  const { files } = JSON.parse(fs.readFileSync(manifest.file, 'utf8')) as { files: Record<string, { source: { path: string } }> };
  const asset = files[s3Key.replace(/\.zip$/, '')];
  if (!asset) {
    throw new Error(`No file asset matches the function's code ${s3Key}.`);
  }
  return path.join(stack.assembly.directory, asset.source.path);
}

function printLambdaOutput(output: string): void {
  for (const line of output.split('\n').filter((text) => text.trim() !== '')) {
    console.log(`  lambda| ${line}`);
  }
}

function printTable(data: Record<string, unknown>): void {
  const width = Math.max(...Object.keys(data).map((name) => name.length));
  for (const [name, value] of Object.entries(data)) {
    console.log(`  ${name.padEnd(width)}  ${JSON.stringify(value)}`);
  }
}

main().then((code) => { process.exitCode = code; }, (error) => {
  console.error(error);
  process.exitCode = 1;
});
