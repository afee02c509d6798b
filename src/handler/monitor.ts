/**
 * The monitor: on each scheduled run, reads the identities its input names,
 * one after another (SES allows about one call a second, shared with every
 * lookup and gate of the account), judges each by the gate's conditions and
 * the DNS records SES expects, logs one line per identity, and publishes one
 * data point per identity: how many of its checks are unmet, 0 when healthy.
 *
 * It never reports its own faults as the identity's: an identity it cannot
 * read (after the reader's retries) gets no data point, so its alarm sees
 * missing data; a DNS query the resolver itself could not answer (a timeout,
 * SERVFAIL) judges no record.
 */
import { PutMetricDataCommand, StandardUnit, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SYSTEM_CLOCK, type HandlerContext } from './cloudformation';
import { failureReason } from './failure-reason';
import { check, describeFinding, describeStatuses, expectedRecords, inspectRecords, SYSTEM_RESOLVER, type DnsResolver } from './identity-health';
import { parseMonitorInput } from './properties';
import { createLocationReader, type EmailIdentityDescription, type SesReaderOptions } from './ses';
import { MONITOR_PUBLISH_RESERVE_MS, MONITOR_READ_MAX_WAIT_MS, MONITOR_READ_MIN_WAIT_MS, MONITOR_READ_SPACING_MS } from '../shared/time-budgets';
import { MONITOR_METRIC, type IdentityLocation, type MonitorCheck } from '../shared/wire';

/** One identity's data point: its unmet checks at the run's scheduled time. */
export interface HealthPoint {
  readonly emailIdentity: string;
  readonly unmetChecks: number;
  readonly timestamp: Date;
}

/** Sends a run's data points; CloudWatch's PutMetricData in the function (cloudWatchPublisher). */
export type Publish = (points: readonly HealthPoint[]) => Promise<void>;

export interface MonitorHandlerOptions extends SesReaderOptions {
  readonly publish: Publish;
  /** @default the system's resolver */
  readonly resolver?: DnsResolver;
}

/** The Lambda handler of the monitor function: EventBridge invokes it asynchronously, and nothing reads its result. */
export type MonitorHandler = (event: unknown, context: HandlerContext) => Promise<void>;

/** One identity's health: the checks that are unmet, why, and what DNS holds of each record SES expects. */
interface IdentityHealth {
  readonly unmet: ReadonlyArray<{ readonly check: MonitorCheck; readonly because: string }>;
  readonly dns: readonly string[];
}

export function createMonitorHandler(options: MonitorHandlerOptions): MonitorHandler {
  const readerAt = createLocationReader(options);
  const resolver = options.resolver ?? SYSTEM_RESOLVER;
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? SYSTEM_CLOCK;
  return async (event, context) => {
    const input = parseMonitorInput(event);
    if (typeof input === 'string') {
      log(JSON.stringify({ monitorRun: 'invalid input', reason: input }));
      return;
    }
    const deadline = clock.now() + context.getRemainingTimeInMillis() - (options.reserveMs ?? MONITOR_PUBLISH_RESERVE_MS);
    const timestamp = new Date(input.ScheduledTime);
    const points: HealthPoint[] = [];
    const unread: string[] = [];
    let lastReadAt = -Infinity;
    for (const [index, location] of input.Identities.entries()) {
      const left = deadline - clock.now();
      if (left < MONITOR_READ_MIN_WAIT_MS) {
        unread.push(...input.Identities.slice(index).map((rest) => rest.EmailIdentity));
        break;
      }
      // As long as SES makes it wait, but never so long that the rest cannot be read, one a second.
      const restMs = (input.Identities.length - index - 1) * MONITOR_READ_SPACING_MS;
      const maxWaitMs = Math.min(MONITOR_READ_MAX_WAIT_MS, Math.max(MONITOR_READ_MIN_WAIT_MS, left - restMs));
      // At most SES's rate, so that the run does not throttle itself, nor the lookups and gates of the account.
      await clock.sleep(Math.max(0, lastReadAt + MONITOR_READ_SPACING_MS - clock.now()));
      lastReadAt = clock.now();
      const reader = await readerAt(location, { log, clock, account: input.Account });
      let identity: EmailIdentityDescription;
      try {
        identity = await reader.read(maxWaitMs);
      } catch (error) {
        // Nothing is published: the alarm's missing data reports it, never as "unhealthy".
        log(JSON.stringify({ emailIdentity: location.EmailIdentity, published: false, reason: failureReason(error, reader) }));
        continue;
      }
      const health = await assess(identity, location, input.Checks, reader.region, resolver);
      log(JSON.stringify({
        emailIdentity: location.EmailIdentity,
        unmetChecks: health.unmet.length,
        unmet: health.unmet.map(({ check: name, because }) => `${name}: ${because}`),
        statuses: describeStatuses(identity),
        errorType: identity.VerificationInfo?.ErrorType ?? null,
        dns: health.dns,
      }));
      points.push({ emailIdentity: location.EmailIdentity, unmetChecks: health.unmet.length, timestamp });
    }
    if (unread.length > 0) {
      log(JSON.stringify({ monitorRun: input.ScheduledTime, published: false, reason: `The run's time ran out before these identities were read: ${unread.join(', ')}. Watch fewer identities per stack.` }));
    }
    try {
      await options.publish(points);
      log(JSON.stringify({ monitorRun: input.ScheduledTime, identities: input.Identities.length, published: points.length }));
    } catch (error) {
      log(JSON.stringify({ monitorRun: input.ScheduledTime, published: 0, reason: `PutMetricData failed (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}).` }));
    }
  };
}

/**
 * The checks of `checks` that `identity` does not meet. Every status but
 * SUCCESS is unmet, FAILED or not; MAIL FROM counts only where a MAIL FROM
 * domain is set. DNS is one check: unmet when a record SES expects is
 * missing or wrong, not when the resolver could not answer.
 */
async function assess(
  identity: EmailIdentityDescription,
  location: IdentityLocation,
  checks: readonly MonitorCheck[],
  region: string,
  resolver: DnsResolver,
): Promise<IdentityHealth> {
  const unmet: Array<IdentityHealth['unmet'][number]> = [];
  for (const name of checks) {
    if (name === 'DnsRecords' || (name === 'MailFromVerified' && !identity.MailFromAttributes?.MailFromDomain)) {
      continue;
    }
    const verdict = check(identity, name);
    if (verdict.state !== 'passed') {
      unmet.push({ check: name, because: verdict.because });
    }
  }
  if (!checks.includes('DnsRecords')) {
    return { unmet, dns: [] };
  }
  const findings = await inspectRecords(expectedRecords(identity, location.EmailIdentity, region), resolver);
  const bad = findings.filter((finding) => finding.state === 'missing' || finding.state === 'wrong');
  if (bad.length > 0) {
    unmet.push({ check: 'DnsRecords', because: `${bad.length} of the ${findings.length} records SES expects missing or wrong` });
  }
  return { unmet, dns: findings.map(describeFinding) };
}

/** PutMetricData takes at most this many data points a call. */
const MAX_POINTS_PER_CALL = 1000;

/** CloudWatch's PutMetricData, in the monitor's namespace: one metric per identity, by its name. */
export function cloudWatchPublisher(client: CloudWatchClient): Publish {
  return async (points) => {
    for (let start = 0; start < points.length; start += MAX_POINTS_PER_CALL) {
      await client.send(new PutMetricDataCommand({
        Namespace: MONITOR_METRIC.namespace,
        MetricData: points.slice(start, start + MAX_POINTS_PER_CALL).map((point) => ({
          MetricName: MONITOR_METRIC.metricName,
          Dimensions: [{ Name: MONITOR_METRIC.dimension, Value: point.emailIdentity }],
          Value: point.unmetChecks,
          Unit: StandardUnit.Count,
          Timestamp: point.timestamp,
        })),
      }));
    }
  };
}
