/**
 * Answering CloudFormation, whatever the resource (src/handler/cloudformation.ts):
 * the PUT to the pre-signed response URL, against a local server that answers
 * as each test scripts it (statuses, a hang), and the parts of the answer no
 * resource's own tests pin down.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createEvent, deleteEvent, updateEvent } from '../../local/cloudformation';
import { answerCloudFormation, type Answer, type Clock, type Request } from '../../src/handler/cloudformation';

const RESOURCE_TYPE = 'Custom::SesEmailIdentityLookup';

/** The first byte of a TLS record that opens a handshake. */
const TLS_HANDSHAKE = 0x16;

/** What the response URL answers to one PUT: an HTTP status, or nothing at all. */
type Step = number | 'hang';

interface Received {
  readonly method: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** When it arrived, ms (Date.now()). */
  readonly at: number;
}

/** A response URL on 127.0.0.1 that answers each PUT with the next step of its script, then 200. */
class ScriptedResponseUrl {
  public static async start(script: Step[]): Promise<ScriptedResponseUrl> {
    const url = new ScriptedResponseUrl(script);
    await new Promise<void>((resolve) => url.server.listen(0, '127.0.0.1', resolve));
    return url;
  }

  public readonly received: Received[] = [];
  private readonly hung: http.ServerResponse[] = [];
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push({ method: request.method ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const step = this.script.shift() ?? 200;
      if (step === 'hang') {
        this.hung.push(response);
      } else {
        response.writeHead(step).end();
      }
    });
  });

  private constructor(private readonly script: Step[]) {}

  /** An http: URL by default; `protocol` 'https:' points an HTTPS client at this plain HTTP server. */
  public url(protocol = 'http:'): string {
    return `${protocol}//127.0.0.1:${(this.server.address() as AddressInfo).port}/response?X-Amz-Signature=abc`;
  }

  public stop(): Promise<void> {
    this.hung.forEach((response) => response.destroy());
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let responseUrl: ScriptedResponseUrl | undefined;
afterEach(async () => {
  await responseUrl?.stop();
  responseUrl = undefined;
});

const relaxed = { getRemainingTimeInMillis: () => 300_000 };

/** A handler whose resource always succeeds with one attribute; the log lines it writes. */
function succeeding(data: Record<string, string> = { Answer: 'yes' }) {
  const logLines: string[] = [];
  const handler = answerCloudFormation(RESOURCE_TYPE, async (request) => request.succeed('new-id', data), { log: (line) => logLines.push(line) });
  return { handler, logLines };
}

describe('the PUT to the response URL', () => {
  test('a PUT with an empty content type (S3 signs none) and the body\'s length in bytes, not characters', async () => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const event = createEvent({ EmailIdentity: 'example.com' }, { responseUrl: responseUrl.url() });

    await succeeding({ Answer: 'déjà vu €' }).handler(event, relaxed);

    expect(responseUrl.received).toHaveLength(1);
    const [put] = responseUrl.received;
    expect(put.method).toBe('PUT');
    expect(put.headers['content-type']).toBe('');
    expect(put.headers['content-length']).toBe(String(Buffer.byteLength(put.body)));
    expect(Buffer.byteLength(put.body)).toBeGreaterThan(put.body.length);
    expect(JSON.parse(put.body)).toEqual({
      Status: 'SUCCESS',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      PhysicalResourceId: 'new-id',
      Data: { Answer: 'déjà vu €' },
    });
  });

  test.each([200, 204, 299])('HTTP %i: taken, sent once', async (status) => {
    responseUrl = await ScriptedResponseUrl.start([status]);

    await succeeding().handler(createEvent({}, { responseUrl: responseUrl.url() }), relaxed);

    expect(responseUrl.received).toHaveLength(1);
  });

  test('a 5xx is tried again, and the second try delivers', async () => {
    responseUrl = await ScriptedResponseUrl.start([503]);

    await succeeding().handler(createEvent({}, { responseUrl: responseUrl.url() }), relaxed);

    expect(responseUrl.received).toHaveLength(2);
    expect(responseUrl.received[1].body).toBe(responseUrl.received[0].body);
  });

  test.each([300, 403, 500])('HTTP %i on every try: three tries, with growing pauses, then the invocation fails naming the status', async (status) => {
    responseUrl = await ScriptedResponseUrl.start([status, status, status]);

    const outcome = succeeding().handler(createEvent({}, { responseUrl: responseUrl.url() }), relaxed);

    await expect(outcome).rejects.toThrow(`CloudFormation response URL answered HTTP ${status}`);
    expect(responseUrl.received).toHaveLength(3);
    const [first, second, third] = responseUrl.received.map((put) => put.at);
    // 200 ms before the second try, 400 ms before the third (a little slack for timer granularity).
    expect(second - first).toBeGreaterThanOrEqual(190);
    expect(third - second).toBeGreaterThanOrEqual(390);
  });

  test('a response URL that never answers is given up on after 3 s and tried again', async () => {
    responseUrl = await ScriptedResponseUrl.start(['hang']);

    await succeeding().handler(createEvent({}, { responseUrl: responseUrl.url() }), relaxed);

    expect(responseUrl.received).toHaveLength(2);
    expect(responseUrl.received[1].at - responseUrl.received[0].at).toBeGreaterThanOrEqual(3_000 + 190);
  }, 15_000);

  test('the last try hanging: the invocation fails, saying the response URL timed out', async () => {
    responseUrl = await ScriptedResponseUrl.start([500, 500, 'hang']);

    const outcome = succeeding().handler(createEvent({}, { responseUrl: responseUrl.url() }), relaxed);

    await expect(outcome).rejects.toThrow('CloudFormation response URL timed out');
    expect(responseUrl.received).toHaveLength(3);
  }, 15_000);

  test('an https: URL is sent over TLS: what reaches the host is a TLS handshake, never the body in plain text', async () => {
    // A bare TCP server: it records the first byte of each connection (22 opens a TLS handshake) and hangs up.
    const firstBytes: number[] = [];
    const tcp = net.createServer((socket) => socket.once('data', (data: Buffer) => {
      firstBytes.push(data[0]);
      socket.destroy();
    }));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(tcp.address() as AddressInfo).port}/response?X-Amz-Signature=abc`;

      const outcome = succeeding().handler(createEvent({}, { responseUrl: url }), relaxed);

      await expect(outcome).rejects.toThrow();
      expect(firstBytes).toEqual([TLS_HANDSHAKE, TLS_HANDSHAKE, TLS_HANDSHAKE]);
    } finally {
      await new Promise((resolve) => tcp.close(resolve));
    }
  });
});

describe('what is answered', () => {
  test('Delete: SUCCESS under the id it had, envelope only, without serving', async () => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const serve = jest.fn<Promise<Answer>, [Request]>();
    const event = deleteEvent({ EmailIdentity: 'example.com' }, 'old-id', { responseUrl: responseUrl.url() });

    await answerCloudFormation(RESOURCE_TYPE, serve, { log: () => {} })(event, relaxed);

    expect(serve).not.toHaveBeenCalled();
    expect(JSON.parse(responseUrl.received[0].body)).toEqual({
      Status: 'SUCCESS', StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: 'old-id',
    });
  });

  test.each([
    ['an Error', new RangeError('out of range'), 'The handler failed unexpectedly (RangeError: out of range).'],
    ['anything else', 'a plain string', 'The handler failed unexpectedly (a plain string).'],
  ])('a crash (%s thrown) on an Update: FAILED with what was thrown, under the id it had', async (_, thrown, reason) => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const logLines: string[] = [];
    const event = updateEvent({ EmailIdentity: 'example.com' }, { EmailIdentity: 'example.com' }, 'old-id', { responseUrl: responseUrl.url() });

    await answerCloudFormation(RESOURCE_TYPE, async () => {
      throw thrown;
    }, { log: (line) => logLines.push(line) })(event, relaxed);

    expect(JSON.parse(responseUrl.received[0].body)).toEqual({
      Status: 'FAILED', Reason: reason, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, PhysicalResourceId: 'old-id',
    });
    // One log line: what was asked, of which resource, and how it ended.
    expect(logLines.map((line) => JSON.parse(line))).toEqual([{
      requestType: 'Update', resourceType: RESOURCE_TYPE, logicalResourceId: event.LogicalResourceId, emailIdentity: 'example.com', status: 'FAILED', reason,
    }]);
  });

  test('a failed Create answers under its RequestId: it has no id yet', async () => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const event = createEvent({ EmailIdentity: 'example.com' }, { responseUrl: responseUrl.url(), resourceType: 'Custom::Other' });

    await succeeding().handler(event, relaxed);

    expect(JSON.parse(responseUrl.received[0].body)).toMatchObject({
      Status: 'FAILED', Reason: `This function serves ${RESOURCE_TYPE} resources, not Custom::Other.`, PhysicalResourceId: event.RequestId,
    });
  });

  test('WAITING (a later invocation answers): nothing is sent now, and the log says so', async () => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const logLines: string[] = [];
    const event = createEvent({ EmailIdentity: 'example.com' }, { responseUrl: responseUrl.url() });

    await answerCloudFormation(RESOURCE_TYPE, async () => ({ outcome: { status: 'WAITING' } }), { log: (line) => logLines.push(line) })(event, relaxed);

    expect(responseUrl.received).toHaveLength(0);
    expect(logLines.map((line) => JSON.parse(line))).toEqual([{
      requestType: 'Create', resourceType: RESOURCE_TYPE, logicalResourceId: event.LogicalResourceId, emailIdentity: 'example.com', status: 'WAITING',
    }]);
  });

  test('without a log option, the outcome goes to the console', async () => {
    responseUrl = await ScriptedResponseUrl.start([]);
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await answerCloudFormation(RESOURCE_TYPE, async (request) => {
        request.log('serving');
        return request.succeed('id', {});
      })(createEvent({ EmailIdentity: 'example.com' }, { responseUrl: responseUrl.url() }), relaxed);

      expect(consoleLog.mock.calls.map(([line]) => line)).toEqual(['serving', expect.stringContaining('"status":"SUCCESS"')]);
    } finally {
      consoleLog.mockRestore();
    }
  });
});

describe('the deadline a request works to', () => {
  /** A clock at `start` that moves only when told. */
  function clockAt(start: number): Clock & { advance(ms: number): void } {
    let time = start;
    return { now: () => time, sleep: async (ms) => { time += ms; }, advance: (ms) => { time += ms; } };
  }

  async function requestOf(options: { readonly reserveMs?: number; readonly clock?: Clock }, remainingMs: number) {
    responseUrl = await ScriptedResponseUrl.start([]);
    let seen: Request | undefined;
    const context = { getRemainingTimeInMillis: () => remainingMs, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:gate' };
    await answerCloudFormation(RESOURCE_TYPE, async (request) => {
      seen = request;
      return request.succeed('id', {});
    }, { ...options, log: () => {} })(createEvent({}, { responseUrl: responseUrl.url() }), context);
    return seen!;
  }

  test('the Lambda time left less the 15 s kept to answer, counted down on the clock given', async () => {
    const clock = clockAt(1_000_000);

    const request = await requestOf({ clock }, 60_000);

    expect(request.clock).toBe(clock);
    expect(request.functionArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:gate');
    expect(request.remainingMs()).toBe(45_000);
    clock.advance(5_000);
    expect(request.remainingMs()).toBe(40_000);
  });

  test('a reserve of its own replaces the 15 s', async () => {
    const request = await requestOf({ clock: clockAt(0), reserveMs: 1_000 }, 60_000);

    expect(request.remainingMs()).toBe(59_000);
  });

  test('without a clock, the system clock: real time, real sleeps', async () => {
    const request = await requestOf({}, 60_000);

    const before = Date.now();
    expect(request.clock.now()).toBeGreaterThanOrEqual(before);
    expect(request.remainingMs()).toBeGreaterThan(40_000);
    expect(request.remainingMs()).toBeLessThanOrEqual(45_000);
    await request.clock.sleep(50);
    expect(Date.now() - before).toBeGreaterThanOrEqual(45);
  });
});
