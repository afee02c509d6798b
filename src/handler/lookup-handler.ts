import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { checkRecords, expectedRecords } from './dns-check';
import type { EmailIdentityDescription } from './encode';
import { Attempted, failureReason, type LookupScope } from './failure-reason';
import { describeStatuses, evaluate, gateData, SYSTEM_CLOCK, type Clock } from './gate';
import { gatePhysicalId, lookupPhysicalId } from './physical-id';
import { isRequirement, parseGateProperties, parseLookupProperties, type ParsedGate } from './properties';
import { DEFAULT_RETRY, readIdentity, type RetryOptions } from './read-identity';
import { unmetRequirement } from './requirements';
import { acknowledgeBody, dataBody, failureBody, sendResponse, successBody, type ResponseEnvelope } from './response';
import { SesClients, type LookupTarget } from './ses-clients';
import { GATE_RESOURCE_TYPE, GATE_STARTED_AT, type LookupProperties } from '../shared/wire';

/** A CloudFormation event, or one the handler sent itself to go on waiting at a gate. */
export type HandlerEvent = CloudFormationCustomResourceEvent & { readonly [GATE_STARTED_AT]?: number };

/** The parts of the Lambda context the handler uses. */
export interface HandlerContext {
  /** Needed by gates that wait longer than one invocation. */
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

export interface LookupHandlerOptions {
  /** One SES client for every request, for tests; by default one per region and role, see SesClients. */
  readonly client?: SESv2Client;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Time kept back from the Lambda timeout to answer CloudFormation (a gate's DNS check, the response's retries). @default 15 s */
  readonly reserveMs?: number;
  /** Where progress lines go; never receives the response URL. @default console.log */
  readonly log?: (line: string) => void;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Sends the event to the function again, asynchronously, for gates that
   * wait longer than one invocation. Only the gate function has it, so that
   * the lookup function's bundle stays small.
   * @default - gates fail when one invocation is not enough
   */
  readonly continueLater?: ContinueLater;
  /** Resolvers for the DNS check of a failed gate. @default SES_LOOKUP_DNS_SERVERS (comma-separated), else the system's */
  readonly dnsServers?: readonly string[];
}

export type LookupHandler = (event: HandlerEvent, context: HandlerContext) => Promise<void>;
export type ContinueLater = (functionArn: string, event: HandlerEvent) => Promise<void>;

/** A lookup gives up on SES after this, well within the function's 15 minutes. */
const LOOKUP_MAX_WAIT_MS = 12 * 60_000;
/** One poll of a gate gives up on SES after this, and waits for the next poll. */
const GATE_READ_MAX_WAIT_MS = 60_000;
/** A poll is only worth starting with at least this long to read SES. */
const GATE_READ_MIN_WAIT_MS = 5_000;

/**
 * The custom resource handler, for lookups and gates. Whatever happens, it
 * answers CloudFormation: Delete always succeeds without calling SES, and
 * every failure becomes a FAILED response with a reason, sent before the
 * Lambda times out. A gate that must wait longer than one invocation hands
 * the event to a fresh invocation, which answers in its place.
 */
export function createLookupHandler(options: LookupHandlerOptions = {}): LookupHandler {
  const clients = new SesClients();
  const log = options.log ?? ((line: string) => console.log(line));
  const settings: Settings = {
    clientFor: (target) => options.client ?? clients.get(target),
    retry: options.retry ?? DEFAULT_RETRY,
    clock: options.clock ?? SYSTEM_CLOCK,
    reserveMs: options.reserveMs ?? 15_000,
    continueLater: options.continueLater,
    dnsServers: options.dnsServers ?? process.env.SES_LOOKUP_DNS_SERVERS?.split(',').filter(Boolean),
  };

  return async (event, context) => {
    const answer = await respond(event, context, settings).catch((error: unknown) => crashed(event, error));
    log(JSON.stringify({
      requestType: event.RequestType,
      resourceType: event.ResourceType,
      logicalResourceId: event.LogicalResourceId,
      emailIdentity: event.ResourceProperties?.EmailIdentity,
      ...answer.outcome,
    }));
    if (answer.body !== undefined) {
      await sendResponse(event.ResponseURL, answer.body);
    }
  };
}

interface Settings {
  readonly clientFor: (target: LookupTarget) => SESv2Client;
  readonly retry: RetryOptions;
  readonly clock: Clock;
  readonly reserveMs: number;
  readonly continueLater?: ContinueLater;
  readonly dnsServers?: readonly string[];
}

/** What to send CloudFormation (nothing when a later invocation will) and what to log. */
interface Answer {
  readonly body?: string;
  readonly outcome: { readonly status: 'SUCCESS' | 'FAILED' | 'WAITING'; readonly reason?: string };
}

/** Everything one request needs to answer. */
class Request {
  /** When the handler must have answered or handed over, on the settings' clock. */
  private readonly deadline: number;

  constructor(public readonly event: HandlerEvent, private readonly context: HandlerContext, public readonly settings: Settings) {
    this.deadline = settings.clock.now() + context.getRemainingTimeInMillis() - settings.reserveMs;
  }

  /** Milliseconds left before the handler must answer or hand over. */
  public remainingMs(): number {
    return this.deadline - this.settings.clock.now();
  }

  public get functionArn(): string | undefined {
    return this.context.invokedFunctionArn;
  }

  public envelope(physicalResourceId: string): ResponseEnvelope {
    return envelopeOf(this.event, physicalResourceId);
  }

  public fail(reason: string): Answer {
    return failed(this.event, reason);
  }

  public async scope(target: LookupTarget & { EmailIdentity: string }, client: SESv2Client): Promise<LookupScope> {
    return {
      emailIdentity: target.EmailIdentity,
      region: await client.config.region().catch(() => ''),
      account: accountOf(target.AssumeRoleArn) ?? accountOf(this.event.StackId) ?? '',
      assumeRoleArn: target.AssumeRoleArn,
    };
  }
}

function envelopeOf(event: HandlerEvent, physicalResourceId: string): ResponseEnvelope {
  return { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: physicalResourceId };
}

/** A failed Update keeps the resource it had; a failed Create has none yet. */
function previousIdOf(event: HandlerEvent): string {
  return event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId;
}

/** A FAILED answer, under the id the resource had before the request. */
function failed(event: HandlerEvent, reason: string): Answer {
  return { body: failureBody(envelopeOf(event, previousIdOf(event)), reason), outcome: { status: 'FAILED', reason } };
}

/** A bug must still answer: CloudFormation would otherwise wait for the service timeout. */
function crashed(event: HandlerEvent, error: unknown): Answer {
  return failed(event, `The handler failed unexpectedly (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}).`);
}

async function respond(event: HandlerEvent, context: HandlerContext, settings: Settings): Promise<Answer> {
  const request = new Request(event, context, settings);
  switch (event.RequestType) {
    case 'Delete':
      // Lookups and gates own nothing: nothing to clean up, nothing that may fail.
      return { body: acknowledgeBody(request.envelope(event.PhysicalResourceId)), outcome: { status: 'SUCCESS' } };
    case 'Create':
    case 'Update':
      return event.ResourceType === GATE_RESOURCE_TYPE ? gate(request) : lookup(request);
  }
}

async function lookup(request: Request): Promise<Answer> {
  const properties = parseLookupProperties(request.event.ResourceProperties);
  if (typeof properties === 'string') {
    return request.fail(properties);
  }
  const client = request.settings.clientFor(properties);
  const scope = await request.scope(properties, client);
  try {
    const maxWaitMs = Math.min(LOOKUP_MAX_WAIT_MS, request.remainingMs());
    const identity = await readIdentity(client, properties.EmailIdentity, maxWaitMs, request.settings.retry);
    return answerLookup(request, properties, identity, scope.region);
  } catch (error) {
    return request.fail(failureReason(error, scope));
  }
}

function answerLookup(request: Request, properties: LookupProperties, identity: EmailIdentityDescription, region: string): Answer {
  const physicalId = lookupPhysicalId(properties);
  const rollback = request.event.RequestType === 'Update' && request.event.PhysicalResourceId === physicalId;
  // A rollback returns to properties that succeeded: failing it would wedge the stack.
  const unmet = rollback ? undefined : unmetRequirement(identity, (properties.Requirements ?? []).filter(isRequirement), properties.EmailIdentity);
  if (unmet) {
    return request.fail(unmet);
  }
  const body = successBody(request.envelope(physicalId), identity, region);
  if (body === undefined) {
    return request.fail(`SES described ${JSON.stringify(properties.EmailIdentity)} with values too long to return within CloudFormation's 4096-byte response limit.`);
  }
  return { body, outcome: { status: 'SUCCESS' } };
}

async function gate(request: Request): Promise<Answer> {
  const properties = parseGateProperties(request.event.ResourceProperties);
  if (typeof properties === 'string') {
    return request.fail(properties);
  }
  const { clock } = request.settings;
  const client = request.settings.clientFor(properties);
  const scope = await request.scope(properties, client);
  const physicalId = gatePhysicalId(properties);
  const read = () => readIdentity(client, properties.EmailIdentity, Math.min(GATE_READ_MAX_WAIT_MS, request.remainingMs()), request.settings.retry);
  const passed = (identity: EmailIdentityDescription, waitedMs: number): Answer => ({
    body: dataBody(request.envelope(physicalId), gateData(identity, waitedMs)),
    outcome: { status: 'SUCCESS' },
  });

  if (request.event.RequestType === 'Update' && request.event.PhysicalResourceId === physicalId) {
    // Only a rollback to a gate that passed sends these properties again: pass at once.
    return passed(await read().catch(() => ({})), 0);
  }

  const startedAt = request.event[GATE_STARTED_AT] ?? clock.now();
  const name = JSON.stringify(properties.EmailIdentity);
  let waitingFor = 'no answer from SES yet';
  let lastSeen: EmailIdentityDescription | undefined;
  for (;;) {
    try {
      lastSeen = await read();
      const verdict = evaluate(lastSeen, properties.conditions);
      if (verdict.state === 'passed') {
        return passed(lastSeen, clock.now() - startedAt);
      }
      if (verdict.state === 'failed') {
        return request.fail(await explain(request, `Gate on ${name} failed: ${verdict.because}.`, properties, lastSeen, scope.region));
      }
      waitingFor = verdict.because;
    } catch (error) {
      if (isPermanent(error)) {
        return request.fail(failureReason(error, scope));
      }
      // Throttling or a passing fault: the next poll may do better.
      waitingFor = failureReason(error, scope);
    }

    const nextPoll = clock.now() + properties.pollIntervalMs;
    if (nextPoll > startedAt + properties.timeoutMs) {
      const waited = Math.round((clock.now() - startedAt) / 1000);
      const headline = `Gate on ${name} timed out after ${waited} s: ${waitingFor.replace(/\.$/, '')}.`;
      return request.fail(await explain(request, headline, properties, lastSeen, scope.region));
    }
    if (properties.pollIntervalMs + GATE_READ_MIN_WAIT_MS > request.remainingMs()) {
      return handOver(request, startedAt);
    }
    await clock.sleep(properties.pollIntervalMs);
  }
}

/** Sends the event to a fresh invocation, which goes on waiting and answers. */
async function handOver(request: Request, startedAt: number): Promise<Answer> {
  const { functionArn } = request;
  const { continueLater } = request.settings;
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

/** A gate failure, with the statuses SES reports and what public DNS holds of the records SES expects. */
async function explain(
  request: Request,
  headline: string,
  properties: ParsedGate,
  identity: EmailIdentityDescription | undefined,
  region: string,
): Promise<string> {
  if (!identity) {
    return headline;
  }
  const records = expectedRecords(identity, properties.EmailIdentity, region);
  const dns = records.length > 0 ? ` DNS now: ${(await checkRecords(records, request.settings.dnsServers)).join('; ')}.` : '';
  return `${headline} Statuses: ${describeStatuses(identity)}.${dns}`;
}

/** Errors that waiting will not fix. */
function isPermanent(failure: unknown): boolean {
  const error = failure instanceof Attempted ? failure.cause : failure;
  const name = error instanceof Error ? error.name : '';
  return ['NotFoundException', 'BadRequestException', 'AccessDeniedException', 'AssumeRoleFailed', 'UnexpectedShape'].includes(name);
}

/** The account in an ARN (a stack id or a role ARN). */
function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}
