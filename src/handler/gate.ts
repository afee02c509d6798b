/**
 * The gate: waits until an identity meets its conditions, and explains a
 * failure with the statuses SES reports and what public DNS holds.
 */
import { answerCloudFormation, type Answer, type Handler, type HandlerEvent, type Request } from './cloudformation';
import { failureReason } from './failure-reason';
import { checkRecords, describeStatuses, evaluate, expectedRecords, SYSTEM_RESOLVER, type DnsResolver } from './identity-health';
import { gatePhysicalId, parseGateProperties } from './properties';
import { isPermanent } from './retry';
import { describeStackStatus, isRollback, repeatsSucceededProperties, type RollbackOptions } from './rollback';
import { createReader, type EmailIdentityDescription, type SesReaderOptions } from './ses';
import { GATE_READ_MAX_WAIT_MS, GATE_READ_MIN_WAIT_MS, MS_PER_SECOND } from '../shared/time-budgets';
import { GATE_RESOURCE_TYPE, GATE_STARTED_AT, type GateData } from '../shared/wire';

/** Sends the event to the function again, asynchronously, so that a fresh invocation goes on waiting. */
export type ContinueLater = (functionArn: string, event: HandlerEvent) => Promise<void>;

export interface GateHandlerOptions extends SesReaderOptions, RollbackOptions {
  /** @default - a wait longer than one invocation fails, saying so */
  readonly continueLater?: ContinueLater;
  /** For the DNS check of a failed gate. @default the system's resolver */
  readonly resolver?: DnsResolver;
}

/**
 * The gate: polls SES until every condition holds, fails at once on a FAILED
 * status or an error that waiting will not fix, and hands a wait longer than
 * one invocation over to a fresh one, which answers in its place. A failure
 * explains itself with the statuses and what public DNS holds.
 */
export function createGateHandler(options: GateHandlerOptions = {}): Handler {
  const readerFor = createReader(options);
  const resolver = options.resolver ?? SYSTEM_RESOLVER;
  const stackStatus = options.stackStatus ?? describeStackStatus();
  return answerCloudFormation(GATE_RESOURCE_TYPE, async (request) => {
    const properties = parseGateProperties(request.event.ResourceProperties);
    if (typeof properties === 'string') {
      return request.fail(properties);
    }
    const { clock } = request;
    const reader = await readerFor(properties, request);
    const physicalId = gatePhysicalId(properties);
    const read = () => reader.read(Math.min(GATE_READ_MAX_WAIT_MS, request.remainingMs()));
    const passed = (identity: EmailIdentityDescription, waitedMs: number) => request.succeed(physicalId, gateData(identity, waitedMs));
    const explain = async (headline: string, identity: EmailIdentityDescription | undefined) => {
      if (!identity) {
        return headline;
      }
      const records = expectedRecords(identity, properties.EmailIdentity, reader.region);
      const dns = records.length > 0 ? ` DNS now: ${(await checkRecords(records, resolver)).join('; ')}.` : '';
      return `${headline} Statuses: ${describeStatuses(identity)}.${dns}`;
    };

    if (repeatsSucceededProperties(request.event, physicalId)) {
      // Only a rollback to a gate that passed sends these properties again: pass at once.
      return passed(await read().catch(() => ({})), 0);
    }
    // Other rollbacks are told by the stack's status: asked once, and only when the gate would wait or fail.
    let rollback: Promise<boolean> | undefined;
    const rollingBack = () => (rollback ??= isRollback(request, physicalId, stackStatus));

    // Polls are due every pollInterval from here, however long SES takes to answer and timers overshoot,
    // so that the last one falls at the timeout.
    let pollDueAt = clock.now();
    const startedAt = request.event[GATE_STARTED_AT] ?? pollDueAt;
    const name = JSON.stringify(properties.EmailIdentity);
    let waitingFor = 'no answer from SES yet';
    let lastSeen: EmailIdentityDescription | undefined;
    for (;;) {
      try {
        lastSeen = await read();
        const verdict = evaluate(lastSeen, properties.Conditions);
        if (verdict.state === 'passed') {
          return passed(lastSeen, clock.now() - startedAt);
        }
        if (await rollingBack()) {
          return passed(lastSeen, 0);
        }
        if (verdict.state === 'failed') {
          return request.fail(await explain(`Gate on ${name} failed: ${verdict.because}.`, lastSeen));
        }
        waitingFor = verdict.because;
      } catch (error) {
        if (await rollingBack()) {
          return passed(lastSeen ?? {}, 0);
        }
        if (isPermanent(error)) {
          return request.fail(failureReason(error, reader));
        }
        // Throttling or a passing fault: the next poll may do better.
        waitingFor = failureReason(error, reader);
      }

      // The next poll due from now on: a read that outlasted the interval skips the polls it missed.
      do {
        pollDueAt += properties.pollIntervalMs;
      } while (pollDueAt < clock.now());
      if (pollDueAt > startedAt + properties.timeoutMs) {
        const waited = Math.round((clock.now() - startedAt) / MS_PER_SECOND);
        return request.fail(await explain(`Gate on ${name} timed out after ${waited} s: ${waitingFor.replace(/\.$/, '')}.`, lastSeen));
      }
      if (properties.pollIntervalMs + GATE_READ_MIN_WAIT_MS > request.remainingMs()) {
        return handOver(request, startedAt, options.continueLater);
      }
      await clock.sleep(Math.max(0, pollDueAt - clock.now()));
    }
  }, options);
}

/** Sends the event to a fresh invocation, which goes on waiting and answers. */
async function handOver(request: Request, startedAt: number, continueLater: ContinueLater | undefined): Promise<Answer> {
  const { functionArn } = request;
  if (!functionArn || !continueLater) {
    return request.fail('The gate cannot wait longer than one invocation of this function: gates must be served by the gate function.');
  }
  try {
    await continueLater(functionArn, { ...request.event, [GATE_STARTED_AT]: startedAt });
    return { outcome: { status: 'WAITING' } };
  } catch (error) {
    return request.fail(`The gate could not hand over to a new invocation to go on waiting (${error instanceof Error ? error.message : String(error)}). Deploy again.`);
  }
}

function gateData(identity: EmailIdentityDescription, waitedMs: number): GateData {
  return {
    VerificationStatus: identity.VerificationStatus ?? '',
    WaitedSeconds: String(Math.round(waitedMs / MS_PER_SECOND)),
  };
}
