import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { EmailIdentityFunctions } from './email-identity-functions';
import type { EmailIdentityReaderRole } from './email-identity-reader-role';
import { fail, requireProps } from './private/errors';
import { locationToRead, waitForCreatedIdentity } from './private/identity-location';
import { MAX_EMAIL_IDENTITY_LENGTH } from './shared/identity-name';
import { MONITOR_INTERVAL_LIMITS } from './shared/time-budgets';
import { MONITOR_CHECKS, MONITOR_METRIC, type IdentityLocation, type MonitorCheck, type MonitorInput } from './shared/wire';

/**
 * What an `EmailIdentityMonitor` checks of each identity, on every run.
 */
export enum IdentityCheck {
  /** `VerificationStatus` is `SUCCESS`. */
  IDENTITY_VERIFIED = 'IdentityVerified',
  /** `VerifiedForSendingStatus` is true: SES lets the identity send. */
  SENDING_ENABLED = 'SendingEnabled',
  /** DKIM status is `SUCCESS`. */
  DKIM_VERIFIED = 'DkimVerified',
  /** The custom MAIL FROM domain's status is `SUCCESS`; only checked where the identity has a MAIL FROM domain. */
  MAIL_FROM_VERIFIED = 'MailFromVerified',
  /**
   * Every DNS record SES expects (the Easy DKIM CNAMEs, the MAIL FROM MX and
   * SPF) is in public DNS, with the value SES expects. The early warning: it
   * fails as soon as a record goes, before SES's own re-check revokes the
   * identity (72 hours for verification, five days for DKIM).
   */
  DNS_RECORDS = 'DnsRecords',
}

/**
 * Properties of an `EmailIdentityMonitor`.
 */
export interface EmailIdentityMonitorProps {
  /**
   * The identities to watch: `EmailIdentityLookup`s, or any other
   * `aws_ses.IEmailIdentity`, such as an `aws_ses.EmailIdentity` this app
   * creates (watched once it exists) or one named with
   * `aws_ses.EmailIdentity.fromEmailIdentityName`. An identity in another
   * account or region is read as lookups and gates read it: a lookup's
   * `region`, `readerRole` or `assumeRoleArn`, or this monitor's `readerRole`.
   *
   * Each name at most once: the metric tells identities apart by name only.
   */
  readonly identities: ses.IEmailIdentity[];

  /**
   * How often to check. Each run reads every identity once, one after
   * another; SES allows about one control-plane call a second per account
   * and region, shared with every lookup and gate. Whole minutes, from 15
   * minutes (a run may take up to the function's 15) to one day.
   *
   * @default Duration.hours(1)
   */
  readonly interval?: Duration;

  /**
   * What to check of every identity. Each unmet check adds one to the
   * identity's metric.
   *
   * @default - every check: IDENTITY_VERIFIED, SENDING_ENABLED, DKIM_VERIFIED, MAIL_FROM_VERIFIED (where a MAIL FROM domain is set), DNS_RECORDS
   */
  readonly checks?: IdentityCheck[];

  /**
   * What the alarms do when an identity has been unhealthy, or unread, for
   * `alarmAfterRuns` runs in a row; for instance `new
   * aws_cloudwatch_actions.SnsAction(topic)`.
   *
   * @default - the alarms change state and do nothing else
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;

  /**
   * How many runs in a row an identity must be unhealthy, or unread, before
   * its alarm fires. One bad run is not enough by default: a DNS change
   * being made, or a read SES refused, passes.
   *
   * @default 3
   */
  readonly alarmAfterRuns?: number;

  /**
   * Whether to create one alarm per identity. Without them, the monitor
   * costs one custom metric per identity, for alarms and dashboards of your
   * own (`metricUnhealthy`).
   *
   * @default true
   */
  readonly createAlarms?: boolean;

  /**
   * An `EmailIdentityReaderRole` of this app, in the account that holds the
   * identities that are not lookups, for a monitor in another account's stack.
   * A lookup with a `readerRole` brings its own.
   *
   * @default - identities that are not lookups are read in this stack's account
   */
  readonly readerRole?: EmailIdentityReaderRole;
}

/**
 * Watches SES identities after deployment: on a schedule, reads each one,
 * checks its verification, sending, DKIM and MAIL FROM statuses and the DNS
 * records SES expects, and publishes a CloudWatch metric per identity (the
 * number of unmet checks, 0 when healthy), with an alarm per identity.
 *
 * SES tells no one when an identity fails after it was verified: no
 * EventBridge event, no SNS notification, no `AWS/SES` metric per identity.
 * It re-checks, warns the account's root address, and after 72 hours
 * (verification) or five days (DKIM) stops sending or signing.
 *
 * Cost: one custom metric ($0.30 a month) and one alarm ($0.10) per
 * identity, $0.40 a month each. One alarm per identity rather than one for
 * all: CloudWatch bills a metric-math alarm for every metric it reads, so an
 * alarm on all of them costs the same as one each, and only tells which
 * identity in its log; an aggregate metric published beside them would cost
 * $0.30 more, and exceed one metric per identity below four identities.
 * `createAlarms: false` leaves the metrics only.
 *
 * Missing data is breaching: a monitor that stopped, or cannot read an
 * identity (SES refuses or keeps throttling), publishes nothing for it, and
 * its alarm fires after `alarmAfterRuns` runs, as for an unhealthy one. It
 * never publishes "unhealthy" for a fault of its own; a DNS query the
 * resolver could not answer (a timeout, SERVFAIL) judges no record.
 *
 * Why an identity is unhealthy is in the log group of the stack's functions
 * (`EmailIdentityFunctions`): one JSON line per identity and run, with
 * its statuses, SES's error type and what DNS holds of each record, in the
 * words of the gate's failure reason.
 *
 * @example
 * declare const topic: sns.ITopic;
 * const identity = new EmailIdentityLookup(this, 'Identity', { emailIdentity: 'example.com' });
 * const monitor = new EmailIdentityMonitor(this, 'Monitor', {
 *   identities: [identity],
 *   alarmAction: new cloudwatch_actions.SnsAction(topic),
 * });
 * monitor.metricUnhealthy(identity);
 */
export class EmailIdentityMonitor extends Construct {
  /** The namespace of the monitor's metrics. */
  public static readonly METRIC_NAMESPACE: string = MONITOR_METRIC.namespace;

  /** The schedule that runs the stack's monitor function for this monitor. */
  public readonly schedule: events.IRule;

  /** One alarm per identity, in the order of `identities`; empty with `createAlarms: false`. */
  public readonly alarms: cloudwatch.IAlarm[];

  private readonly interval: Duration;
  private readonly watched: readonly WatchedIdentity[];

  constructor(scope: Construct, id: string, props: EmailIdentityMonitorProps) {
    super(scope, id);
    requireProps(this, 'EmailIdentityMonitor', props, { identities: 'the identities to watch: EmailIdentityLookups, or any aws_ses.IEmailIdentity' });

    this.interval = props.interval ?? DEFAULT_INTERVAL;
    const alarmAfterRuns = props.alarmAfterRuns ?? DEFAULT_ALARM_AFTER_RUNS;
    const checks = [...new Set((props.checks ?? ALL_CHECKS).map((check): MonitorCheck => check))];
    validate(this, props.identities, this.interval, alarmAfterRuns, checks);

    const provider = EmailIdentityFunctions.getOrCreate(this);
    const locations = props.identities.map((identity) => {
      const location = locationToRead(identity, this, props.readerRole, (read) => provider._grantRead(read));
      return { identity, location };
    });
    checkNamesOnce(this, locations.map(({ location }) => location.EmailIdentity));

    const monitorFunction = provider._monitorFunction();
    const input: MonitorInput = {
      Checks: checks,
      Identities: locations.map(({ location }) => location),
      ScheduledTime: events.EventField.time,
      Account: events.EventField.account,
    };
    checkInputSize(this, input);
    const rule = new events.Rule(this, 'Schedule', {
      schedule: events.Schedule.rate(this.interval),
      description: `Runs the SES email identity monitor ${this.node.path} (${locations.length} identities)`,
      targets: [new targets.LambdaFunction(monitorFunction.function, {
        event: events.RuleTargetInput.fromObject(input),
        // A run older than the interval is overtaken by the next one.
        maxEventAge: Duration.minutes(Math.min(this.interval.toMinutes(), MAX_EVENT_AGE_MINUTES)),
      })],
    });
    // The first run finds an identity this app creates.
    locations.forEach(({ identity }) => waitForCreatedIdentity(rule, identity));
    this.schedule = rule;

    this.watched = locations.map(({ identity, location }) => {
      if (props.createAlarms === false) {
        return { identity, location };
      }
      const name = location.EmailIdentity;
      const alarm = new cloudwatch.Alarm(this, `Unhealthy${Token.isUnresolved(name) ? identity.node.addr : name}`, {
        metric: this.metricOf(name),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: alarmAfterRuns,
        datapointsToAlarm: alarmAfterRuns,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        alarmDescription: alarmDescription(name, alarmAfterRuns, monitorFunction.logGroup.logGroupName),
      });
      if (props.alarmAction) {
        alarm.addAlarmAction(props.alarmAction);
      }
      return { identity, location, alarm };
    });
    this.alarms = this.watched.flatMap(({ alarm }) => (alarm ? [alarm] : []));
  }

  /**
   * The number of `identity`'s unmet checks, one data point per run: 0 when
   * healthy, none when the run could not read it. `Maximum` over the
   * monitor's interval by default.
   *
   * @param identity one of the monitor's `identities`
   */
  public metricUnhealthy(identity: ses.IEmailIdentity, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOf(this.entryOf(identity).location.EmailIdentity, props);
  }

  /**
   * The alarm of one of the monitor's identities.
   *
   * @param identity one of the monitor's `identities`
   */
  public alarmUnhealthy(identity: ses.IEmailIdentity): cloudwatch.IAlarm {
    const { alarm } = this.entryOf(identity);
    if (!alarm) {
      fail(this, 'the monitor has no alarms (createAlarms is false); make one from metricUnhealthy(identity).');
    }
    return alarm;
  }

  private metricOf(name: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: MONITOR_METRIC.namespace,
      metricName: MONITOR_METRIC.metricName,
      dimensionsMap: { [MONITOR_METRIC.dimension]: name },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: this.interval,
      ...props,
    });
  }

  private entryOf(identity: ses.IEmailIdentity): WatchedIdentity {
    const entry = this.watched.find((watched) => watched.identity === identity);
    if (!entry) {
      fail(this, `${identity.node.path} is not one of the monitor's identities; add it to identities.`);
    }
    return entry;
  }
}

/** An identity of the monitor: where it is read, and its alarm. */
interface WatchedIdentity {
  readonly identity: ses.IEmailIdentity;
  readonly location: IdentityLocation;
  readonly alarm?: cloudwatch.IAlarm;
}

/** The defaults the props document. */
const DEFAULT_INTERVAL = Duration.hours(1);
const DEFAULT_ALARM_AFTER_RUNS = 3;
const ALL_CHECKS = MONITOR_CHECKS.map((check) => check as IdentityCheck);

/** EventBridge's longest event age for a target's retries. */
const MAX_EVENT_AGE_MINUTES = 24 * 60;

/** EventBridge's limit on a target's input (an input transformer's template), in characters. */
const MAX_TARGET_INPUT_CHARS = 8192;

/** CloudWatch's limits on an alarm's evaluation range: a day for periods under an hour, a week otherwise. */
const ALARM_RANGE_LIMIT = { shortPeriodSeconds: 24 * 3600, longPeriodSeconds: 7 * 24 * 3600, longPeriodFromSeconds: 3600 } as const;

function validate(
  scope: Construct, identities: readonly ses.IEmailIdentity[], interval: Duration, alarmAfterRuns: number, checks: readonly MonitorCheck[],
): void {
  if (!Array.isArray(identities) || identities.length === 0) {
    fail(scope, 'identities is empty: a monitor needs at least one identity to watch.');
  }
  if (checks.length === 0) {
    fail(scope, 'checks is empty: a monitor needs at least one check; leave checks out for all of them.');
  }
  if (Token.isUnresolved(interval.toSeconds())) {
    fail(scope, 'interval must be known at synth time.');
  }
  const minutes = interval.toSeconds() / 60;
  const { minMinutes, maxMinutes } = MONITOR_INTERVAL_LIMITS;
  if (!Number.isInteger(minutes) || minutes < minMinutes || minutes > maxMinutes) {
    fail(scope, `interval is ${interval.toSeconds()} s; it must be whole minutes, from ${minMinutes} minutes (a run may take the function's 15) to one day.`);
  }
  const periodSeconds = interval.toSeconds();
  const range = periodSeconds >= ALARM_RANGE_LIMIT.longPeriodFromSeconds ? ALARM_RANGE_LIMIT.longPeriodSeconds : ALARM_RANGE_LIMIT.shortPeriodSeconds;
  if (!Number.isInteger(alarmAfterRuns) || alarmAfterRuns < 1 || alarmAfterRuns * periodSeconds > range) {
    fail(scope, `alarmAfterRuns is ${alarmAfterRuns}; it must be a whole number from 1 to ${Math.floor(range / periodSeconds)} at an interval of ${minutes} minutes `
      + `(CloudWatch evaluates an alarm over at most ${range / 3600} hours at that period).`);
  }
}

/** A name watched twice would publish two identities' values to one metric. */
function checkNamesOnce(scope: Construct, names: readonly string[]): void {
  const known = names.filter((name) => !Token.isUnresolved(name)).map((name) => name.toLowerCase());
  const twice = known.find((name, index) => known.indexOf(name) !== index);
  if (twice) {
    fail(scope, `identities names ${JSON.stringify(twice)} twice; the metric tells identities apart by name only, so each may be watched once per monitor `
      + '(the same name in two regions or accounts: one monitor each, in a stack of its own).');
  }
}

/**
 * EventBridge refuses a target input over 8,192 characters: a synth error,
 * counting a name known only at deploy time at SES's longest.
 */
function checkInputSize(scope: Construct, input: MonitorInput): void {
  const longest = 'x'.repeat(MAX_EMAIL_IDENTITY_LENGTH);
  // The event's fields stay placeholders in the template: `<time>`, `<account>`.
  const template = { ...input, ScheduledTime: '<time>', Account: '<account>' };
  const estimate = JSON.stringify(template, (_key, value: unknown) => (typeof value === 'string' && Token.isUnresolved(value) ? longest : value)).length;
  if (estimate > MAX_TARGET_INPUT_CHARS) {
    fail(scope, `its ${input.Identities.length} identities make a schedule input of about ${estimate} characters, over the ${MAX_TARGET_INPUT_CHARS} EventBridge allows. `
      + 'Split them over two monitors.');
  }
}

function alarmDescription(name: string, runs: number, logGroupName: string): string {
  return `SES email identity ${name}: checks unmet (verification, sending, DKIM, MAIL FROM or the DNS records SES expects) in ${runs} monitor runs in a row, `
    + 'or no data: the monitor stopped, or could not read the identity. '
    + `Why: the log group ${logGroupName}, one JSON line per identity and run; CloudWatch Logs Insights: `
    + `fields @timestamp, unmetChecks, unmet, statuses, dns, reason | filter emailIdentity = "${name}" | sort @timestamp desc`;
}
