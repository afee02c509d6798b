/**
 * CloudWatch's PutMetricData, as the fake AWS account (fake-ses-server.ts)
 * serves it on 127.0.0.1. @aws-sdk/client-cloudwatch 3.1178 speaks AWS JSON
 * 1.0 (its AwsJson1_0Protocol, target GraniteServiceVersion20100801, in
 * query-compatible mode): a POST to / with `x-amz-target`, a JSON body,
 * gzipped from 10 KB on (the operation's request compression), timestamps in
 * epoch seconds. Point AWS_ENDPOINT_URL_CLOUDWATCH (or AWS_ENDPOINT_URL) here.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { gunzipSync } from 'node:zlib';

/** What `x-amz-target` starts with for every CloudWatch operation. */
const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/** One data point as CloudWatch received it. */
export interface ReceivedDatum {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  readonly unit?: string;
  readonly timestamp?: Date;
  /** The region of the call's SigV4 credential scope. */
  readonly region: string;
}

interface MetricDatumBody {
  MetricName: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Value: number;
  Unit?: string;
  Timestamp?: number;
}

export class FakeCloudWatch {
  /** Whether `request` is CloudWatch's to answer. */
  public static serves(request: http.IncomingMessage): boolean {
    const target = request.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith(TARGET_PREFIX);
  }

  private readonly data: ReceivedDatum[] = [];
  private readonly compressed: boolean[] = [];
  private failures: Array<{ status: number; errorType: string }> = [];

  /** Every data point received, in arrival order. */
  public get metricData(): readonly ReceivedDatum[] {
    return [...this.data];
  }

  /** Per PutMetricData call, whether its body came gzipped. */
  public get gzippedCalls(): readonly boolean[] {
    return [...this.compressed];
  }

  /** Answers the next calls with these errors, one each, and stores nothing for them. */
  public failNext(...errors: Array<{ status: number; errorType: string }>): this {
    this.failures.push(...errors);
    return this;
  }

  public handle(request: http.IncomingMessage, response: http.ServerResponse, region: string): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      const gzipped = request.headers['content-encoding'] === 'gzip';
      const raw = Buffer.concat(chunks);
      const failure = this.failures.shift();
      if (failure) {
        reply(response, failure.status, { __type: `com.amazonaws.cloudwatch#${failure.errorType}`, message: `${failure.errorType} (scripted by the fake CloudWatch)` }, failure.errorType);
        return;
      }
      if (operation !== 'PutMetricData') {
        reply(response, 400, { __type: 'com.amazonaws.cloudwatch#InvalidAction', message: `The fake CloudWatch serves PutMetricData only, not ${operation}` }, 'InvalidAction');
        return;
      }
      const body = JSON.parse((gzipped ? gunzipSync(raw) : raw).toString('utf8')) as { Namespace: string; MetricData: MetricDatumBody[] };
      this.compressed.push(gzipped);
      for (const datum of body.MetricData) {
        this.data.push({
          namespace: body.Namespace,
          metricName: datum.MetricName,
          dimensions: Object.fromEntries((datum.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value])),
          value: datum.Value,
          unit: datum.Unit,
          timestamp: datum.Timestamp === undefined ? undefined : new Date(datum.Timestamp * 1000),
          region,
        });
      }
      reply(response, 200, {});
    });
  }
}

function reply(response: http.ServerResponse, status: number, body: object, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    // Query-compatible services name the error this way too.
    ...(errorType ? { 'x-amzn-query-error': `${errorType};Sender` } : {}),
  });
  response.end(text);
}
