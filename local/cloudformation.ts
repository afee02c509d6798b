/**
 * Local stand-ins for CloudFormation's side of a custom resource: typed
 * request events, and a server on 127.0.0.1 that receives the responses the
 * handler PUTs to its pre-signed ResponseURL.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-1';

/** The fields every request shares; override any of them. */
export interface EventOptions {
  readonly responseUrl: string;
  readonly stackId?: string;
  readonly logicalResourceId?: string;
  readonly requestId?: string;
  /** @default 'Custom::SesEmailIdentityLookup' */
  readonly resourceType?: string;
}

function common(options: EventOptions) {
  return {
    ServiceToken: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:lookup`,
    ResponseURL: options.responseUrl,
    StackId: options.stackId ?? `arn:aws:cloudformation:${TEST_REGION}:${TEST_ACCOUNT}:stack/demo/${randomUUID()}`,
    RequestId: options.requestId ?? randomUUID(),
    LogicalResourceId: options.logicalResourceId ?? 'IdentityLookup',
    ResourceType: options.resourceType ?? 'Custom::SesEmailIdentityLookup',
  };
}

export function createEvent(properties: Record<string, unknown>, options: EventOptions): CloudFormationCustomResourceCreateEvent {
  return { ...common(options), RequestType: 'Create', ResourceProperties: withToken(properties) };
}

export function updateEvent(
  properties: Record<string, unknown>,
  oldProperties: Record<string, unknown>,
  physicalResourceId: string,
  options: EventOptions,
): CloudFormationCustomResourceUpdateEvent {
  return {
    ...common(options),
    RequestType: 'Update',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: withToken(properties),
    OldResourceProperties: withToken(oldProperties),
  };
}

export function deleteEvent(
  properties: Record<string, unknown>,
  physicalResourceId: string,
  options: EventOptions,
): CloudFormationCustomResourceDeleteEvent {
  return { ...common(options), RequestType: 'Delete', PhysicalResourceId: physicalResourceId, ResourceProperties: withToken(properties) };
}

/** CloudFormation always includes the ServiceToken among the properties. */
function withToken(properties: Record<string, unknown>) {
  return { ServiceToken: `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:lookup`, ...properties } as CloudFormationCustomResourceEvent['ResourceProperties'];
}

/** A response as CloudFormation would receive it. */
export interface ReceivedResponse {
  /** The raw body, to measure against the 4096-byte limit. */
  readonly raw: string;
  readonly bytes: number;
  /** When its last byte arrived: process.hrtime in µs. */
  readonly receivedAtUs: number;
  readonly body: {
    Status: 'SUCCESS' | 'FAILED';
    Reason?: string;
    PhysicalResourceId: string;
    StackId: string;
    RequestId: string;
    LogicalResourceId: string;
    Data?: Record<string, unknown>;
  };
}

/** An HTTP server on 127.0.0.1 that plays CloudFormation's pre-signed response URL. */
export class ResponseReceiver {
  public static async start(): Promise<ResponseReceiver> {
    const receiver = new ResponseReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  private readonly received = new Map<string, ReceivedResponse>();
  private readonly waiting = new Map<string, (response: ReceivedResponse) => void>();
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const receivedAtUs = Number(process.hrtime.bigint() / 1000n);
      const raw = Buffer.concat(chunks).toString('utf8');
      // The path alone: a pre-signed S3 URL (Pulumi's emulator sends one) carries its signature in the query.
      const key = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname.slice(1));
      const entry: ReceivedResponse = { raw, bytes: Buffer.byteLength(raw), body: JSON.parse(raw), receivedAtUs };
      this.received.set(key, entry);
      this.waiting.get(key)?.(entry);
      response.writeHead(200).end();
    });
  });

  private constructor() {}

  public get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /**
   * A fresh response URL; the handler's answer to it is returned by `response(url)`.
   * With `httpsHost`, an HTTPS URL on that host, for a runner that redirects it here.
   */
  public url(httpsHost?: string): string {
    return httpsHost ? `https://${httpsHost}/${randomUUID()}` : `http://127.0.0.1:${this.port}/${randomUUID()}`;
  }

  /** The response sent to `url`, waiting for it if need be; rejects after `timeoutMs` if given. */
  public response(url: string, timeoutMs?: number): Promise<ReceivedResponse> {
    const key = new URL(url).pathname.slice(1);
    const done = this.received.get(key);
    if (done) {
      return Promise.resolve(done);
    }
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => reject(new Error(`no response at ${url} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(key, (response) => {
        clearTimeout(timer);
        resolve(response);
      });
    });
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
