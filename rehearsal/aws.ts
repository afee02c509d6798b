/**
 * How the rehearsal talks to MiniStack: the real CDK CLI (the pinned
 * devDependency), and the AWS SDK for what a user would look at in the
 * console (stack status, events, outputs, record sets, SES, EventBridge rules,
 * CloudWatch metrics and alarms), and Lambda's Invoke, as EventBridge runs a target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  CloudFormationClient, DescribeStackEventsCommand, DescribeStackResourcesCommand, DescribeStacksCommand,
  type Stack, type StackEvent, type StackResource,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet, CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { REGION } from './world';

const CDK = path.join(__dirname, '..', 'node_modules', 'aws-cdk', 'bin', 'cdk');

/** One account of MiniStack's: the credentials that name it, and its clients. */
export class Account {
  public readonly cloudFormation: CloudFormationClient;
  public readonly route53: Route53Client;
  public readonly ses: SESv2Client;
  public readonly cloudWatch: CloudWatchClient;
  public readonly eventBridge: EventBridgeClient;
  public readonly lambda: LambdaClient;

  constructor(public readonly id: string, public readonly endpoint: string) {
    const config = { endpoint, region: REGION, credentials: { accessKeyId: id, secretAccessKey: 'test' }, maxAttempts: 1 };
    this.cloudFormation = new CloudFormationClient(config);
    this.route53 = new Route53Client(config);
    this.ses = new SESv2Client(config);
    this.cloudWatch = new CloudWatchClient(config);
    this.eventBridge = new EventBridgeClient(config);
    this.lambda = new LambdaClient(config);
  }

  /** The environment a CDK CLI run in this account gets: MiniStack's endpoint, this account's credentials, nothing of the machine's AWS setup. */
  public cliEnvironment(workDir: string): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_ACCESS_KEY_ID: this.id,
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      // No profile or credentials file of the machine's may point elsewhere.
      AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      CI: process.env.CI,
    };
  }

  public async createHostedZone(name: string): Promise<string> {
    const answer = await this.route53.send(new CreateHostedZoneCommand({ Name: name, CallerReference: `rehearsal-${this.id}-${name}` }));
    return answer.HostedZone!.Id!.replace('/hostedzone/', '');
  }

  /** The stack as DescribeStacks shows it, or undefined once it is gone. */
  public async stack(name: string): Promise<Stack | undefined> {
    try {
      const answer = await this.cloudFormation.send(new DescribeStacksCommand({ StackName: name }));
      return answer.Stacks?.[0];
    } catch (error) {
      if (error instanceof Error && /does not exist/.test(error.message)) return undefined;
      throw error;
    }
  }

  public async outputs(name: string): Promise<Record<string, string>> {
    const stack = await this.stack(name);
    return Object.fromEntries((stack?.Outputs ?? []).map((output) => [output.OutputKey!, output.OutputValue ?? '']));
  }

  public async events(name: string): Promise<StackEvent[]> {
    const answer = await this.cloudFormation.send(new DescribeStackEventsCommand({ StackName: name }));
    return answer.StackEvents ?? [];
  }

  public async resources(name: string): Promise<StackResource[]> {
    const answer = await this.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: name }));
    return answer.StackResources ?? [];
  }

  public async recordSets(zoneId: string): Promise<ResourceRecordSet[]> {
    const answer = await this.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    return answer.ResourceRecordSets ?? [];
  }
}

export interface CliRun {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

/** Runs under way (their whole process groups): ended with this process, however it ends (MiniStack's signal handlers exit it). */
const running = new Set<ChildProcess>();
const killGroup = (child: ChildProcess): void => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
};
process.on('exit', () => running.forEach(killGroup));

/** The CDK CLI, run as a user runs it, with everything it prints kept; killed after `withinMs`. */
export async function cdk(args: readonly string[], env: NodeJS.ProcessEnv, withinMs = 180_000): Promise<CliRun> {
  return runCommand(process.execPath, [CDK, ...args, '--no-notices', '--no-version-reporting'], env, withinMs);
}

/** A command run from the repository's root, everything it prints kept; it and what it starts killed after `withinMs`. */
export async function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv, withinMs: number): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: path.join(__dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, so that what it starts (integ-runner's workers) ends with it.
      detached: true,
    });
    running.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const timer = setTimeout(() => {
      output += `\n(rehearsal: killed after ${withinMs / 1000} s)`;
      killGroup(child);
    }, withinMs);
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      clearTimeout(timer);
      resolve({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}
