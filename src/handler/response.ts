import * as http from 'node:http';
import * as https from 'node:https';
import { encodeIdentity, encodeTags, policyNamesOf, tagsOf, type EmailIdentityDescription } from './encode';
import type { LookupData } from '../shared/wire';

/** CloudFormation rejects a response body longer than this, envelope included. */
export const MAX_RESPONSE_BYTES = 4096;

/** The fields CloudFormation needs to match a response to its request. */
export interface ResponseEnvelope {
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
}

/**
 * The success response for an identity, or `undefined` when even its
 * size-bounded attributes cannot fit (only an unexpected, oversized SES
 * response gets there). Policy names and tags are added last, as many whole
 * entries as fit; `PolicyCount` and `TagCount` keep the full counts.
 */
export function successBody(envelope: ResponseEnvelope, identity: EmailIdentityDescription, region: string): string | undefined {
  const complete = encodeIdentity(identity, region);
  if (fits(envelope, complete)) {
    return serialize(envelope, complete);
  }
  let data: LookupData = { ...complete, PolicyNames: '', Tags: encodeTags([]) };
  if (!fits(envelope, data)) {
    return undefined;
  }
  const names = policyNamesOf(identity);
  for (let count = 1; count <= names.length; count++) {
    const next = { ...data, PolicyNames: names.slice(0, count).join(',') };
    if (!fits(envelope, next)) break;
    data = next;
  }
  const tags = tagsOf(identity);
  for (let count = 1; count <= tags.length; count++) {
    const next = { ...data, Tags: encodeTags(tags.slice(0, count)) };
    if (!fits(envelope, next)) break;
    data = next;
  }
  return serialize(envelope, data);
}

/** A success response with small, bounded data (a gate's statuses). */
export function dataBody(envelope: ResponseEnvelope, data: Record<string, string>): string {
  return JSON.stringify({ Status: 'SUCCESS', ...envelope, Data: data });
}

/** A success response without data, for Delete. */
export function acknowledgeBody(envelope: ResponseEnvelope): string {
  return JSON.stringify({ Status: 'SUCCESS', ...envelope });
}

/** A failure response whose reason is shortened, if need be, to fit. */
export function failureBody(envelope: ResponseEnvelope, reason: string): string {
  const withoutReason = byteLength(JSON.stringify({ Status: 'FAILED', Reason: '', ...envelope }));
  const fitted = truncate(reason, MAX_RESPONSE_BYTES - withoutReason);
  return JSON.stringify({ Status: 'FAILED', Reason: fitted, ...envelope });
}

/** Cuts text on a character boundary so that its JSON form takes at most maxBytes. */
function truncate(text: string, maxBytes: number): string {
  const jsonBytes = (value: string) => byteLength(JSON.stringify(value)) - 2;
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
 * failures. Three attempts of at most 3 s, with pauses, fit in the 10 s the
 * handler keeps back. The URL is a credential: it is never logged.
 */
export async function sendResponse(responseUrl: string, body: string, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await put(responseUrl, body);
      return;
    } catch (error) {
      if (attempt >= attempts) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

function put(responseUrl: string, body: string): Promise<void> {
  const url = new URL(responseUrl);
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: 'PUT',
      // S3 pre-signed URLs are signed without a content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: 3_000,
    }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
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

function fits(envelope: ResponseEnvelope, data: LookupData): boolean {
  return byteLength(serialize(envelope, data)) <= MAX_RESPONSE_BYTES;
}

function serialize(envelope: ResponseEnvelope, data: LookupData): string {
  return JSON.stringify({ Status: 'SUCCESS', ...envelope, Data: data });
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
