import * as http from 'node:http';
import * as https from 'node:https';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ANSWER_RESERVE_MS, RESPONSE_PUT } from '../shared/time-budgets';
import { GATE_STARTED_AT } from '../shared/wire';

/**
 * Answering CloudFormation: the response envelope, the 4096-byte limit,
 * the deadline before the function's timeout, and an answer even when the
 * handler crashes. What a resource does is the `serve` function a handler
 * file passes in; this module never looks at what kind of resource it is.
 */

/** A CloudFormation event, or one a gate sent itself to go on waiting. */
export type HandlerEvent = CloudFormationCustomResourceEvent & { readonly [GATE_STARTED_AT]?: number };

/** The parts of the Lambda context the handlers use. */
export interface HandlerContext {
  /** Needed by gates that wait longer than one invocation. */
  readonly invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

export type Handler = (event: HandlerEvent, context: HandlerContext) => Promise<void>;

/** Time, injectable so that tests of long waits run in milliseconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** CloudFormation rejects a response body longer than this, envelope included. */
export const MAX_RESPONSE_BYTES = 4096;

/** The fields CloudFormation needs to match a response to its request. */
export interface ResponseEnvelope {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
}

/** What to send CloudFormation (nothing when a later invocation will) and what to log. */
export interface Answer {
  readonly body?: string;
  readonly outcome: { readonly status: 'SUCCESS' | 'FAILED' | 'WAITING'; readonly reason?: string };
}

export interface AnswerOptions {
  /** Time kept back from the Lambda timeout to answer CloudFormation. @default ANSWER_RESERVE_MS */
  readonly reserveMs?: number;
  /** Where progress lines go; never receives the response URL. @default console.log */
  readonly log?: (line: string) => void;
  /** @default the system clock */
  readonly clock?: Clock;
}

/** One Create or Update, with its deadline; what `serve` works with. */
export class Request {
  public readonly clock: Clock;
  public readonly log: (line: string) => void;
  /** When the handler must have answered or handed over, on the clock. */
  private readonly deadline: number;

  constructor(public readonly event: HandlerEvent, private readonly context: HandlerContext, options: AnswerOptions) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.log = options.log ?? ((line: string) => console.log(line));
    this.deadline = this.clock.now() + context.getRemainingTimeInMillis() - (options.reserveMs ?? ANSWER_RESERVE_MS);
  }

  /** Milliseconds left before the handler must answer or hand over. */
  public remainingMs(): number {
    return this.deadline - this.clock.now();
  }

  public get functionArn(): string | undefined {
    return this.context.invokedFunctionArn;
  }

  public envelope(physicalResourceId: string): ResponseEnvelope {
    return envelopeOf(this.event, physicalResourceId);
  }

  /** SUCCESS with small, bounded data. */
  public succeed(physicalResourceId: string, data: Record<string, string>): Answer {
    return { body: JSON.stringify({ Status: 'SUCCESS', ...this.envelope(physicalResourceId), Data: data }), outcome: { status: 'SUCCESS' } };
  }

  public fail(reason: string): Answer {
    return failed(this.event, reason);
  }
}

/**
 * A handler of `resourceType` custom resources around `serve`. Whatever happens, it answers
 * CloudFormation: Delete always succeeds without calling `serve` (lookups
 * and gates own nothing), and a crash becomes a FAILED answer with the error.
 */
export function answerCloudFormation(resourceType: string, serve: (request: Request) => Promise<Answer>, options: AnswerOptions = {}): Handler {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event, context) => {
    const answer = await respond(event, context, resourceType, serve, options).catch((error: unknown) => crashed(event, error));
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

async function respond(
  event: HandlerEvent,
  context: HandlerContext,
  resourceType: string,
  serve: (request: Request) => Promise<Answer>,
  options: AnswerOptions,
): Promise<Answer> {
  switch (event.RequestType) {
    case 'Delete':
      return { body: JSON.stringify({ Status: 'SUCCESS', ...envelopeOf(event, event.PhysicalResourceId) }), outcome: { status: 'SUCCESS' } };
    case 'Create':
    case 'Update':
      // Each function serves one resource type; a ServiceToken pointing elsewhere is a bug worth naming.
      return event.ResourceType === resourceType
        ? serve(new Request(event, context, options))
        : failed(event, `This function serves ${resourceType} resources, not ${event.ResourceType}.`);
  }
}

function envelopeOf(event: HandlerEvent, physicalResourceId: string): ResponseEnvelope {
  return { StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: physicalResourceId };
}

/** A FAILED answer, under the id the resource had before: a failed Update keeps it, a failed Create has none yet. */
function failed(event: HandlerEvent, reason: string): Answer {
  const previousId = event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId;
  return { body: failureBody(envelopeOf(event, previousId), reason), outcome: { status: 'FAILED', reason } };
}

/** A bug must still answer: CloudFormation would otherwise wait for the service timeout. */
function crashed(event: HandlerEvent, error: unknown): Answer {
  return failed(event, `The handler failed unexpectedly (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}).`);
}

/**
 * Data some of whose attributes may be cut: `encode(kept)` gives the data
 * with at most `kept[name]` entries of each shrinkable attribute.
 */
export interface ShrinkableData<Name extends string, Data extends Record<string, string> = Record<string, string>> {
  /** How many entries each shrinkable attribute has; they are dropped from the end. */
  readonly entries: Readonly<Record<Name, number>>;
  encode(kept: Readonly<Record<Name, number>>): Data;
}

/**
 * The largest SUCCESS body within the limit: all of the data if it fits,
 * else the shrinkable attributes filled in turn with as many whole entries
 * as fit. `undefined` when even none of them fits.
 */
export function successBody<Name extends string>(envelope: ResponseEnvelope, data: ShrinkableData<Name>): string | undefined {
  const serialize = (kept: Record<Name, number>) => JSON.stringify({ Status: 'SUCCESS', ...envelope, Data: data.encode(kept) });
  const fits = (body: string) => byteLength(body) <= MAX_RESPONSE_BYTES;
  const complete = serialize({ ...data.entries });
  if (fits(complete)) {
    return complete;
  }
  const names = Object.keys(data.entries) as Name[];
  const kept = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  if (!fits(serialize(kept))) {
    return undefined;
  }
  for (const name of names) {
    while (kept[name] < data.entries[name] && fits(serialize({ ...kept, [name]: kept[name] + 1 }))) {
      kept[name]++;
    }
  }
  return serialize(kept);
}

/** A failure response whose reason is shortened, if need be, to fit. */
export function failureBody(envelope: ResponseEnvelope, reason: string): string {
  const withoutReason = byteLength(JSON.stringify({ Status: 'FAILED', Reason: '', ...envelope }));
  const fitted = truncate(reason, MAX_RESPONSE_BYTES - withoutReason);
  return JSON.stringify({ Status: 'FAILED', Reason: fitted, ...envelope });
}

/** Cuts text on a character boundary so that its JSON form takes at most maxBytes. */
function truncate(text: string, maxBytes: number): string {
  const jsonBytes = (value: string) => byteLength(JSON.stringify(value)) - '""'.length;
  if (jsonBytes(text) <= maxBytes) {
    return text;
  }
  // Binary search for the longest prefix, in whole characters, that fits with the ellipsis.
  const chars = Array.from(text);
  const prefixFits = (count: number) => jsonBytes(chars.slice(0, count).join('') + '…') <= maxBytes;
  let low = 0;
  let high = Math.min(chars.length, Math.max(0, maxBytes));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (prefixFits(middle)) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low > 0 ? chars.slice(0, low).join('') + '…' : '';
}

/**
 * PUTs the response to CloudFormation's pre-signed URL, retrying transient
 * failures (RESPONSE_PUT), within the reserve (ANSWER_RESERVE_MS). The URL is
 * a credential: it is never logged.
 */
async function sendResponse(responseUrl: string, body: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await put(responseUrl, body);
      return;
    } catch (error) {
      if (attempt >= RESPONSE_PUT.attempts) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RESPONSE_PUT.pauseMs * attempt));
    }
  }
}

/** The 2xx statuses: S3 took the response. */
const HTTP_OK_FIRST = 200;
const HTTP_OK_LAST = 299;

function put(responseUrl: string, body: string): Promise<void> {
  const url = new URL(responseUrl);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: 'PUT',
      // S3 pre-signed URLs are signed without a content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: RESPONSE_PUT.timeoutMs,
    }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (status >= HTTP_OK_FIRST && status <= HTTP_OK_LAST) {
        resolve();
      } else {
        reject(new Error(`CloudFormation response URL answered HTTP ${status}`));
      }
    });
    request.on('timeout', () => request.destroy(new Error('CloudFormation response URL timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
