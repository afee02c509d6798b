/**
 * The deploy rehearsal (`npx projen rehearse`): the pinned CDK CLI bootstraps
 * MiniStack, deploys the examples and the rehearsal's own stacks (app.ts),
 * runs the integ test with integ-runner, runs the monitor's function as its
 * schedule would, and this script reads back what AWS would show (stack
 * status, events, outputs, Route53 record sets, SES, EventBridge, CloudWatch
 * metrics and alarms) and tears everything down. It prints
 * every check it makes and exits non-zero on any that fails.
 *
 * Where MiniStack differs from AWS, and how the rehearsal works around it:
 * docs/ministack.md. No check here holds a MiniStack quirk as AWS behaviour.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateEmailIdentityCommand, DeleteEmailIdentityCommand, GetEmailIdentityCommand } from '@aws-sdk/client-sesv2';
import { Account, cdk, type CliRun, runCommand } from './aws';
import { type MiniStack, startMiniStack, tail } from './ministack';
import { ACCOUNTS, CONTEXT, DOMAINS, REGION, STACKS, seededIdentities } from './world';
import { deliver, type RuleTarget, scheduledEvent } from '../local/eventbridge';
import { MONITOR_METRIC } from '../src/shared/wire';

const ROOT = path.join(__dirname, '..');
const WORK_DIR = path.join(__dirname, '.out');
const APP = 'node -r ts-node/register/transpile-only rehearsal/app.ts';

/** The integ test, and the stacks integ-runner deploys of it (the test case and its assertions) and deletes. */
const INTEG_TEST = 'integ.email-identity-lookup.ts';
const INTEG_STACKS = ['EmailIdentityLookupInteg', 'EmailIdentityLookupIntegTestDefaultTestDeployAssertAD594992'];

/** What one record set must be, as Route53 lists it. */
interface ExpectedRecord {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
}

/** What every stage shares: MiniStack, its accounts, their hosted zones. */
class World {
  public readonly main: Account;
  public readonly sending: Account;
  public readonly dns: Account;
  public zoneId = '';
  public dnsZoneId = '';
  private synths = 0;

  constructor(public readonly ministack: MiniStack) {
    this.main = new Account(ACCOUNTS.main, ministack.endpoint);
    this.sending = new Account(ACCOUNTS.sending, ministack.endpoint);
    this.dns = new Account(ACCOUNTS.dns, ministack.endpoint);
  }

  /** The app synthesized with this context, into a folder of its own; every stack of the app. */
  public async synth(extraContext: Record<string, string> = {}): Promise<string> {
    const outdir = path.join(WORK_DIR, `cdk.out.${++this.synths}`);
    const context = {
      [CONTEXT.zoneId]: this.zoneId,
      [CONTEXT.dnsZoneId]: this.dnsZoneId,
      [CONTEXT.refreshToken]: 'first',
      [CONTEXT.mailFrom]: 'false',
      ...extraContext,
    };
    const args = ['synth', '--all', '--quiet', '--app', APP, '--output', outdir, ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
    const run = await cdk(args, this.main.cliEnvironment(WORK_DIR));
    if (run.code !== 0) throw new Error(`cdk synth failed (exit ${run.code}):\n${run.output}`);
    return outdir;
  }
}

/** One stage's view: the world, and the checks it made, printed together when it ends. */
class Rehearsal {
  public readonly lines: string[] = [];
  public readonly failures: string[] = [];
  public readonly main: Account;
  public readonly sending: Account;
  public readonly dns: Account;
  public readonly zoneId: string;
  public readonly dnsZoneId: string;

  constructor(public readonly world: World) {
    ({ main: this.main, sending: this.sending, dns: this.dns, zoneId: this.zoneId, dnsZoneId: this.dnsZoneId } = world);
  }

  /** One check: printed either way, remembered when it fails. */
  public check(what: string, ok: boolean, saw: string): void {
    this.lines.push(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: ${saw}`);
    if (!ok) this.failures.push(`${what}: ${saw}`);
  }

  /** Equal as JSON, objects' keys in any order. */
  public equal(what: string, actual: unknown, expected: unknown): void {
    const same = canonical(actual) === canonical(expected);
    this.check(what, same, same ? canonical(actual) : `${canonical(actual)}, expected ${canonical(expected)}`);
  }

  public synth(extraContext: Record<string, string> = {}): Promise<string> {
    return this.world.synth(extraContext);
  }

  /** `cdk deploy` of stacks of a synthesized app, in the account given. */
  public async deploy(assembly: string, account: Account, stacks: readonly string[]): Promise<CliRun> {
    const run = await cdk(['deploy', '--app', assembly, '--require-approval', 'never', '--progress', 'events', ...stacks], account.cliEnvironment(WORK_DIR));
    this.lines.push(`  (cdk deploy ${stacks.join(' ')}: exit ${run.code}, ${run.seconds.toFixed(1)} s)`);
    fs.writeFileSync(path.join(WORK_DIR, `deploy-${stacks.join('+')}-${Date.now()}.log`), run.output);
    return run;
  }

  public async deployed(assembly: string, account: Account, stacks: readonly string[]): Promise<boolean> {
    const run = await this.deploy(assembly, account, stacks);
    this.check(`cdk deploy ${stacks.join(' ')} succeeds`, run.code === 0, run.code === 0 ? 'exit 0' : `exit ${run.code}:\n${lastLines(run.output, 25)}`);
    for (const stack of stacks) {
      const status = (await account.stack(stack))?.StackStatus;
      this.check(`${stack} is deployed`, status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE', String(status));
    }
    return run.code === 0;
  }

  /** Each expected record set in the zone, exactly, as Route53's ListResourceRecordSets gives it. */
  public async records(account: Account, zoneId: string, expected: readonly ExpectedRecord[]): Promise<void> {
    const listed = await account.recordSets(zoneId);
    for (const record of expected) {
      const found = listed.find((set) => set.Name === record.name && set.Type === record.type);
      const values = found?.ResourceRecords?.map((entry) => entry.Value ?? '') ?? [];
      const same = found !== undefined && canonical(values) === canonical(record.values);
      this.check(`Route53 ${record.type} ${record.name}`, same, found ? canonical(values) + (same ? '' : `, expected ${canonical(record.values)}`) : 'not in the zone');
    }
  }

  /** The record sets of a zone at or under a name, other than its NS and SOA. */
  public async recordsLeft(account: Account, zoneId: string, under: string): Promise<string[]> {
    const listed = await account.recordSets(zoneId);
    return listed.filter((set) => set.Name!.endsWith(`${under}.`) && set.Type !== 'NS' && set.Type !== 'SOA').map((set) => `${set.Type} ${set.Name}`);
  }

  /** `cdk destroy` of stacks, as a user tears them down, and each gone from DescribeStacks. */
  public async destroyed(assembly: string, account: Account, stacks: readonly string[]): Promise<void> {
    const run = await cdk(['destroy', '--app', assembly, '--force', '--exclusively', ...stacks], account.cliEnvironment(WORK_DIR));
    this.lines.push(`  (cdk destroy ${stacks.join(' ')}: exit ${run.code}, ${run.seconds.toFixed(1)} s)`);
    this.check(`cdk destroy ${stacks.join(' ')} succeeds`, run.code === 0, run.code === 0 ? 'exit 0' : `exit ${run.code}:\n${lastLines(run.output, 25)}`);
    for (const stack of stacks) {
      const status = (await account.stack(stack))?.StackStatus;
      this.check(`${stack} is gone`, status === undefined || status === 'DELETE_COMPLETE', status ?? 'not in DescribeStacks');
    }
  }

  /** A resource's events, by its logical id's start, oldest first. */
  public async resourceEvents(account: Account, stack: string, logicalIdStart: string): Promise<StackEvent[]> {
    const events = await account.events(stack);
    return events.filter((event) => event.LogicalResourceId?.startsWith(logicalIdStart))
      .sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
  }

  /** The reason CloudFormation gave for a resource's failure. */
  public async failureReason(account: Account, stack: string, logicalIdStart: string): Promise<string | undefined> {
    const events = await this.resourceEvents(account, stack, logicalIdStart);
    return events.find((event) => event.ResourceStatus?.endsWith('_FAILED'))?.ResourceStatusReason;
  }
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => inner !== null && typeof inner === 'object' && !Array.isArray(inner)
    ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
    : inner);
}

/** Every file under a folder, and its content, as one hash. */
function digest(folder: string): string {
  const hash = createHash('sha256');
  for (const file of (fs.readdirSync(folder, { recursive: true }) as string[]).sort()) {
    const full = path.join(folder, file);
    if (fs.statSync(full).isFile()) hash.update(`${file}\0`).update(fs.readFileSync(full));
  }
  return hash.digest('hex');
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).map((line) => `      ${line}`).join('\n');
}

/** The three Easy DKIM CNAMEs SES asks for (AWS's table: `<token>._domainkey.<domain>` to `<token>.dkim.amazonses.com`). */
function dkimRecords(domain: string, tokens: readonly string[]): ExpectedRecord[] {
  return tokens.map((token) => ({ name: `${token}._domainkey.${domain}.`, type: 'CNAME', values: [`${token}.dkim.amazonses.com`] }));
}

function seededTokens(account: string, name: string): string[] {
  const seeded = seededIdentities().find((identity) => identity.account === account && identity.name === name)!;
  return (seeded.answer.DkimAttributes as { Tokens: string[] }).Tokens;
}

interface Stage {
  readonly name: string;
  run(rehearsal: Rehearsal, assembly: string): Promise<void>;
}

/**
 * The stages, the longest first: all but the last run side by side. Each deploys, checks what AWS shows, and leaves its
 * stacks for the last stage to delete, unless deleting is what it checks.
 */
const STAGES: Stage[] = [
  {
    name: 'updates: a requirement the identity cannot meet rolls back; a changed refreshToken reads SES again',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.main, [STACKS.updates])) return;
      const tokens = seededTokens(ACCOUNTS.main, DOMAINS.updates);
      r.equal('outputs', await r.main.outputs(STACKS.updates), { DkimStatus: 'SUCCESS', DkimToken1: tokens[0] });

      // The records now ask for MAIL FROM, which the identity has not set up.
      const withMailFrom = await r.synth({ [CONTEXT.mailFrom]: 'true' });
      const failed = await r.deploy(withMailFrom, r.main, [STACKS.updates]);
      r.check('cdk deploy of mailFrom: true fails', failed.code !== 0, `exit ${failed.code}`);
      r.equal('stack status', (await r.main.stack(STACKS.updates))?.StackStatus, 'UPDATE_ROLLBACK_COMPLETE');
      const reason = await r.failureReason(r.main, STACKS.updates, 'Identity') ?? '';
      r.check('the lookup\'s reason says there is no MAIL FROM domain', /MAIL FROM/.test(reason) && reason.includes(DOMAINS.updates), JSON.stringify(reason));
      r.equal('no MX or SPF record was left', await r.recordsLeft(r.main, r.zoneId, `mail.${DOMAINS.updates}`), []);

      // SES changes: the identity is made again, through MiniStack's own API (DKIM pending again).
      await r.main.ses.send(new DeleteEmailIdentityCommand({ EmailIdentity: DOMAINS.updates }));
      await r.main.ses.send(new CreateEmailIdentityCommand({ EmailIdentity: DOMAINS.updates }));
      const now = await r.main.ses.send(new GetEmailIdentityCommand({ EmailIdentity: DOMAINS.updates }));
      const sesNow = { DkimStatus: now.DkimAttributes?.Status, DkimToken1: now.DkimAttributes?.Tokens?.[0] };

      // The same properties: CloudFormation does not call the lookup, which keeps what it read.
      const unchanged = await r.deploy(await r.synth(), r.main, [STACKS.updates]);
      r.check('cdk deploy of the unchanged stack succeeds after the rollback', unchanged.code === 0, `exit ${unchanged.code}`);
      r.equal('outputs, unchanged properties', await r.main.outputs(STACKS.updates), { DkimStatus: 'SUCCESS', DkimToken1: tokens[0] });

      // A new refreshToken: the lookup reads SES again.
      if (!await r.deployed(await r.synth({ [CONTEXT.refreshToken]: 'second' }), r.main, [STACKS.updates])) return;
      r.equal('outputs after the refreshToken changed are what SES holds now', await r.main.outputs(STACKS.updates), sesNow);
    },
  },
  {
    name: 'the integ test, run by the repository\'s integ-runner as integ:deploy runs it, its awsApiCall assertions included',
    async run(r) {
      // On a copy: integ-runner rewrites the snapshot of a test it deployed, and the committed one is what `npx projen integ` checks.
      const committed = path.join(ROOT, 'test', `${INTEG_TEST}.snapshot`);
      const before = digest(committed);
      const copy = path.join(WORK_DIR, 'integ');
      fs.mkdirSync(path.join(copy, 'test'), { recursive: true });
      // The test imports ../src.
      fs.symlinkSync(path.join(ROOT, 'src'), path.join(copy, 'src'));
      fs.cpSync(path.join(ROOT, 'test', INTEG_TEST), path.join(copy, 'test', INTEG_TEST));
      fs.cpSync(committed, path.join(copy, 'test', `${INTEG_TEST}.snapshot`), { recursive: true });
      r.check(`the test creates ${DOMAINS.integ}, the identity seeded for it`, fs.readFileSync(path.join(copy, 'test', INTEG_TEST), 'utf8').includes(`'${DOMAINS.integ}'`), INTEG_TEST);

      // The integ:deploy task's own command, its test directory the copy's.
      const tasks = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, { steps: Array<{ exec: string }> }> };
      const task = tasks.tasks['integ:deploy'].steps[0].exec;
      const command = task.replace('--directory test ', `--directory ${path.relative(ROOT, path.join(copy, 'test'))} `);
      r.check('the integ:deploy task runs integ-runner on the test directory', command !== task, task);
      const env = { ...r.main.cliEnvironment(WORK_DIR), PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
      const ran = await runCommand('sh', ['-c', command], env, 300_000);
      fs.writeFileSync(path.join(WORK_DIR, 'integ-runner.log'), ran.output);
      r.lines.push(`  (${command}: exit ${ran.code}, ${ran.seconds.toFixed(1)} s)`);
      r.check('integ-runner passes', ran.code === 0, ran.code === 0 ? `exit 0:\n${lastLines(ran.output, 12)}` : `exit ${ran.code}:\n${lastLines(ran.output, 30)}`);
      // SUCCESS only once the test case deployed and every assertion held.
      const passed = `SUCCESS    ${INTEG_TEST.replace(/\.ts$/, '')}-EmailIdentityLookupIntegTest/DefaultTest`;
      r.check('integ-runner ran the test case and its assertions', ran.output.includes(passed), ran.output.includes(passed) ? passed : 'no SUCCESS line for the test case');
      for (const stack of INTEG_STACKS) {
        const status = (await r.main.stack(stack))?.StackStatus;
        r.check(`${stack} is gone`, status === undefined || status === 'DELETE_COMPLETE', status ?? 'not in DescribeStacks');
      }
      r.equal('the committed snapshot is unchanged', digest(committed), before);
    },
  },
  {
    name: 'a lookup: its attributes as outputs, and DKIM records built from them',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.main, [STACKS.lookup])) return;
      r.equal('outputs', await r.main.outputs(STACKS.lookup), { DkimStatus: 'SUCCESS', MailFromDomainStatus: 'SUCCESS', VerificationStatus: 'SUCCESS' });
      await r.records(r.main, r.zoneId, dkimRecords(DOMAINS.lookup, seededTokens(ACCOUNTS.main, DOMAINS.lookup)));
    },
  },
  {
    name: 'DNS records (DKIM, MAIL FROM MX and SPF, DMARC) and a gate that passes, holding back a user pool',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.main, [STACKS.verifiedSender])) return;
      await r.records(r.main, r.zoneId, [
        ...dkimRecords(DOMAINS.verified, seededTokens(ACCOUNTS.main, DOMAINS.verified)),
        { name: `mail.${DOMAINS.verified}.`, type: 'MX', values: [`10 feedback-smtp.${REGION}.amazonses.com`] },
        { name: `mail.${DOMAINS.verified}.`, type: 'TXT', values: ['"v=spf1 include:amazonses.com ~all"'] },
        { name: `_dmarc.${DOMAINS.verified}.`, type: 'TXT', values: ['"v=DMARC1;p=none"'] },
      ]);
      const resources = await r.main.resources(STACKS.verifiedSender);
      const gate = resources.find((resource) => resource.ResourceType === 'Custom::SesEmailIdentityGate');
      const users = resources.find((resource) => resource.ResourceType === 'AWS::Cognito::UserPool');
      r.equal('the gate and the user pool it held back', [gate?.ResourceStatus, users?.ResourceStatus], ['CREATE_COMPLETE', 'CREATE_COMPLETE']);
    },
  },
  {
    name: 'a gate that cannot pass: it fails after its timeout with its reason, and the stack rolls back',
    async run(r, assembly) {
      const run = await r.deploy(assembly, r.main, [STACKS.gateTimesOut]);
      r.check('cdk deploy fails', run.code !== 0, `exit ${run.code}`);
      const status = (await r.main.stack(STACKS.gateTimesOut))?.StackStatus;
      r.equal('stack status', status, 'ROLLBACK_COMPLETE');
      const reason = await r.failureReason(r.main, STACKS.gateTimesOut, 'Verified') ?? '';
      r.check('the gate\'s reason names its timeout and the unmet status', reason.includes('timed out after 10 s: verification status is PENDING'), JSON.stringify(reason));
      const gateEvents = await r.resourceEvents(r.main, STACKS.gateTimesOut, 'Verified');
      const began = gateEvents.find((event) => event.ResourceStatus === 'CREATE_IN_PROGRESS')?.Timestamp;
      const ended = gateEvents.find((event) => event.ResourceStatus === 'CREATE_FAILED')?.Timestamp;
      const waited = began && ended ? (ended.getTime() - began.getTime()) / 1000 : NaN;
      r.check('it waited its timeout (10 s) before it failed', waited >= 10, `${waited} s from CREATE_IN_PROGRESS to CREATE_FAILED`);
      const events = await r.main.events(STACKS.gateTimesOut);
      const heldBack = events.filter((event) => event.LogicalResourceId?.startsWith('HeldBack') && event.ResourceStatus === 'CREATE_COMPLETE');
      r.check('what the gate holds back was never created', heldBack.length === 0, `${heldBack.length} CREATE_COMPLETE events of HeldBack`);
      await r.destroyed(assembly, r.main, [STACKS.gateTimesOut]);
    },
  },
  {
    name: 'an attribute used in another stack: that stack\'s own read, nothing exported',
    async run(r, assembly) {
      const stacks = [STACKS.crossStackSes, STACKS.crossStackApp];
      const template = fs.readFileSync(path.join(assembly, `${STACKS.crossStackApp}.template.json`), 'utf8');
      r.check('the consuming stack imports nothing', !template.includes('Fn::ImportValue'), template.includes('Fn::ImportValue') ? 'it has Fn::ImportValue' : 'no Fn::ImportValue');
      if (!await r.deployed(assembly, r.main, stacks)) return;
      const exports = (await r.main.stack(STACKS.crossStackSes))?.Outputs?.filter((output) => output.ExportName) ?? [];
      r.equal('exports of the identity\'s stack', exports.map((output) => output.ExportName), []);
      r.equal('outputs of the consuming stack', await r.main.outputs(STACKS.crossStackApp), { DkimStatus: 'SUCCESS', MailFromDomain: `mail.${DOMAINS.lookup}` });
      const lookups = (await r.main.resources(STACKS.crossStackApp)).filter((resource) => resource.ResourceType === 'Custom::SesEmailIdentityLookup');
      r.equal('lookups in the consuming stack', lookups.map((resource) => resource.ResourceStatus), ['CREATE_COMPLETE']);
    },
  },
  {
    name: 'an identity created in the same stack, read by its records and gate',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.main, [STACKS.createdIdentity])) return;
      await r.records(r.main, r.zoneId, dkimRecords(DOMAINS.created, seededTokens(ACCOUNTS.main, DOMAINS.created)));
      await r.destroyed(assembly, r.main, [STACKS.createdIdentity]);
      const gone = await r.main.ses.send(new GetEmailIdentityCommand({ EmailIdentity: DOMAINS.created })).then(() => 'still there', (error: Error) => error.name);
      r.equal('the identity after its stack was deleted', gone, 'NotFoundException');
      r.equal('its records after its stack was deleted', await r.recordsLeft(r.main, r.zoneId, DOMAINS.created), []);
    },
  },
  {
    name: 'two accounts: a reader role beside the identity, a lookup, records and a gate through it in the DNS account',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.sending, [STACKS.sendingAccount])) return;
      if (!await r.deployed(assembly, r.dns, [STACKS.dnsAccount])) return;
      await r.records(r.dns, r.dnsZoneId, dkimRecords(DOMAINS.crossAccount, seededTokens(ACCOUNTS.sending, DOMAINS.crossAccount)));
      const gate = (await r.dns.resources(STACKS.dnsAccount)).find((resource) => resource.ResourceType === 'Custom::SesEmailIdentityGate');
      r.equal('the gate in the DNS account', gate?.ResourceStatus, 'CREATE_COMPLETE');
    },
  },
  {
    name: 'a monitor: its function run as its schedule runs it, its metrics read back from CloudWatch, its alarms',
    async run(r, assembly) {
      if (!await r.deployed(assembly, r.main, [STACKS.monitor])) return;
      const resources = await r.main.resources(STACKS.monitor);
      const physicalIds = (type: string): string[] => resources
        .filter((resource) => resource.ResourceType === type).map((resource) => resource.PhysicalResourceId!);

      // What EventBridge holds of the schedule: the rule, and the input its target is given.
      const [ruleName] = physicalIds('AWS::Events::Rule');
      const rule = await r.main.eventBridge.send(new DescribeRuleCommand({ Name: ruleName }));
      r.equal('the schedule', [rule.ScheduleExpression, rule.State], ['rate(1 hour)', 'ENABLED']);
      const targets = (await r.main.eventBridge.send(new ListTargetsByRuleCommand({ Rule: ruleName }))).Targets ?? [];
      r.check('the rule has one target, a Lambda function', targets.length === 1 && /:lambda:.*:function:/.test(targets[0].Arn ?? ''), canonical(targets.map((target) => target.Arn)));
      if (targets.length !== 1) return;

      // One run, as EventBridge would start it: the scheduled event, through the target's input transformer.
      const scheduledAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      const input = deliver(targets[0] as RuleTarget, scheduledEvent(rule.Arn!, scheduledAt));
      const invoked = await r.main.lambda.send(new InvokeCommand({ FunctionName: targets[0].Arn, Payload: JSON.stringify(input), LogType: 'Tail' }));
      const log = Buffer.from(invoked.LogResult ?? '', 'base64').toString('utf8');
      r.check('the monitor function ran', invoked.StatusCode === 200 && invoked.FunctionError === undefined,
        `status ${invoked.StatusCode}, ${invoked.FunctionError ?? 'no function error'}; its log:\n${lastLines(log, 8)}`);

      // The seed (world.ts): lookup.example.com verified, DKIM and MAIL FROM SUCCESS; pending.example.com never
      // verified, so not enabled for sending, DKIM PENDING, and no MAIL FROM domain (that check does not count).
      const expected = { [DOMAINS.lookup]: 0, [DOMAINS.pending]: 3 };
      for (const [name, unmetChecks] of Object.entries(expected)) {
        const statistics = await r.main.cloudWatch.send(new GetMetricStatisticsCommand({
          Namespace: MONITOR_METRIC.namespace,
          MetricName: MONITOR_METRIC.metricName,
          Dimensions: [{ Name: MONITOR_METRIC.dimension, Value: name }],
          StartTime: new Date(scheduledAt.getTime() - 60_000),
          EndTime: new Date(scheduledAt.getTime() + 60_000),
          Period: 60,
          Statistics: ['Maximum', 'SampleCount'],
        }));
        const points = (statistics.Datapoints ?? []).map((point) => ({ Maximum: point.Maximum, SampleCount: point.SampleCount }));
        r.equal(`CloudWatch ${MONITOR_METRIC.metricName} of ${name} for the run`, points, [{ Maximum: unmetChecks, SampleCount: 1 }]);
      }

      // One alarm per identity, on its metric, missing data breaching.
      const alarms = (await r.main.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: physicalIds('AWS::CloudWatch::Alarm') }))).MetricAlarms ?? [];
      r.equal('the alarms: identity, metric, threshold, runs, missing data', alarms.map((alarm) => ({
        identity: alarm.Dimensions?.find((dimension) => dimension.Name === MONITOR_METRIC.dimension)?.Value,
        metric: `${alarm.Namespace}/${alarm.MetricName}`,
        threshold: `${alarm.ComparisonOperator} ${alarm.Threshold}`,
        runs: `${alarm.DatapointsToAlarm} of ${alarm.EvaluationPeriods}`,
        treatMissingData: alarm.TreatMissingData,
      })).sort((a, b) => String(a.identity).localeCompare(String(b.identity))), Object.keys(expected).sort().map((identity) => ({
        identity,
        metric: `${MONITOR_METRIC.namespace}/${MONITOR_METRIC.metricName}`,
        threshold: 'GreaterThanOrEqualToThreshold 1',
        runs: '3 of 3',
        treatMissingData: 'breaching',
      })));

      await r.destroyed(assembly, r.main, [STACKS.monitor]);
    },
  },
  {
    name: 'delete: every stack deleted, its records gone from the zones',
    async run(r, assembly) {
      // The consuming stack first, as `cdk destroy --all` would order them.
      await r.destroyed(assembly, r.main, [STACKS.lookup, STACKS.verifiedSender, STACKS.updates, STACKS.crossStackApp, STACKS.crossStackSes]);
      await r.destroyed(assembly, r.dns, [STACKS.dnsAccount]);
      await r.destroyed(assembly, r.sending, [STACKS.sendingAccount]);
      r.equal('records left in the zone', await r.recordsLeft(r.main, r.zoneId, DOMAINS.zone), []);
      r.equal('records left in the DNS account\'s zone', await r.recordsLeft(r.dns, r.dnsZoneId, DOMAINS.zone), []);
    },
  },
];

/** Stages run side by side, this many at a time: each mostly waits on MiniStack, and the machine has 2 cores. */
const STAGES_AT_ONCE = 3;

async function main(): Promise<number> {
  const started = Date.now();
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const ministack = await startMiniStack(WORK_DIR, seededIdentities());
  console.log(`MiniStack on ${ministack.endpoint} (log: ${path.relative(process.cwd(), ministack.logFile)})`);
  const world = new World(ministack);
  const failures: string[] = [];
  const print = (name: string, stage: Rehearsal): void => {
    console.log(`\n== ${name}\n${stage.lines.join('\n')}`);
    failures.push(...stage.failures);
  };
  try {
    const bootstrap = new Rehearsal(world);
    await Promise.all([world.main, world.sending, world.dns].map(async (account) => {
      const run = await cdk(['bootstrap', `aws://${account.id}/${REGION}`], account.cliEnvironment(WORK_DIR));
      bootstrap.check(`cdk bootstrap aws://${account.id}/${REGION}`, run.code === 0, run.code === 0 ? `exit 0, ${run.seconds.toFixed(1)} s` : `exit ${run.code}:\n${lastLines(run.output, 20)}`);
      bootstrap.equal(`CDKToolkit in ${account.id}`, (await account.stack('CDKToolkit'))?.StackStatus, 'CREATE_COMPLETE');
    }));
    print('bootstrap, every account', bootstrap);
    if (failures.length > 0) return report(failures, ministack, started);
    world.zoneId = await world.main.createHostedZone(DOMAINS.zone);
    world.dnsZoneId = await world.dns.createHostedZone(DOMAINS.zone);
    const assembly = await world.synth();

    const runStage = async (stage: Stage): Promise<void> => {
      const r = new Rehearsal(world);
      const stageStarted = Date.now();
      try {
        await stage.run(r, assembly);
      } catch (error) {
        r.check('the stage ran to its end', false, error instanceof Error ? error.stack ?? error.message : String(error));
      }
      print(`${stage.name} (${((Date.now() - stageStarted) / 1000).toFixed(0)} s)`, r);
    };
    const queue = STAGES.slice(0, -1);
    await Promise.all(Array.from({ length: STAGES_AT_ONCE }, async () => {
      for (let stage = queue.shift(); stage; stage = queue.shift()) await runStage(stage);
    }));
    // The last stage deletes what the others left.
    await runStage(STAGES[STAGES.length - 1]);
  } finally {
    ministack.stop();
  }
  return report(failures, ministack, started);
}

function report(failures: readonly string[], ministack: MiniStack, started: number): number {
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (failures.length === 0) {
    console.log(`\nRehearsal passed in ${seconds} s.`);
    return 0;
  }
  console.log(`\nRehearsal FAILED in ${seconds} s, ${failures.length} check(s):`);
  failures.forEach((failure) => console.log(`  - ${failure.split('\n')[0]}`));
  console.log(`MiniStack's log (${ministack.logFile}), last lines:\n${tail(ministack.logFile, 15)}`);
  return 1;
}

main().then((code) => process.exit(code), (error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exit(1);
});
