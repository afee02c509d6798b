/**
 * The lookup: reads the identity from SES and returns every attribute,
 * encoded as the attribute table says, or fails with a reason a person can
 * act on, including when the identity cannot provide what the stack builds
 * from it.
 */
import { answerCloudFormation, MAX_RESPONSE_BYTES, successBody, type Handler, type ShrinkableData } from './cloudformation';
import { failureReason } from './failure-reason';
import { lookupPhysicalId, parseLookupProperties } from './properties';
import { describeStackStatus, isRollback, type RollbackOptions } from './rollback';
import { createReader, type EmailIdentityDescription, type SesReaderOptions } from './ses';
import { ATTRIBUTES, isBestEffort, type AttributeName, type AttributeRow, type BestEffortName, type LookupData } from '../shared/attributes';
import { dkimCnameZone, RECORDS_PROBLEM } from '../shared/ses-dns';
import { LOOKUP_MAX_WAIT_MS } from '../shared/time-budgets';
import { LOOKUP_RESOURCE_TYPE, type Requirement } from '../shared/wire';

export interface LookupHandlerOptions extends SesReaderOptions, RollbackOptions {}

export function createLookupHandler(options: LookupHandlerOptions = {}): Handler {
  const readerFor = createReader(options);
  const stackStatus = options.stackStatus ?? describeStackStatus();
  return answerCloudFormation(LOOKUP_RESOURCE_TYPE, async (request) => {
    const properties = parseLookupProperties(request.event.ResourceProperties);
    if (typeof properties === 'string') {
      return request.fail(properties);
    }
    const reader = await readerFor(properties, request);
    try {
      const identity = await reader.read(Math.min(LOOKUP_MAX_WAIT_MS, request.remainingMs()));
      const physicalId = lookupPhysicalId(properties);
      const unmet = unmetRequirement(identity, properties.Requirements ?? [], properties.EmailIdentity);
      // A rollback returns to properties that succeeded: failing it would wedge the stack.
      if (unmet && !(await isRollback(request, physicalId, stackStatus))) {
        return request.fail(unmet);
      }
      const body = successBody(request.envelope(physicalId), lookupData(identity, reader.region));
      if (body === undefined) {
        return request.fail(`SES described ${JSON.stringify(properties.EmailIdentity)} with values too long to return within CloudFormation's ${MAX_RESPONSE_BYTES}-byte response limit.`);
      }
      return { body, outcome: { status: 'SUCCESS' } };
    } catch (error) {
      return request.fail(failureReason(error, reader));
    }
  }, options);
}

/**
 * Why the identity cannot provide what the stack builds from it, or
 * undefined. Failing the lookup with this reason beats a DNS record that
 * fails later with an obscure one, or is created broken.
 */
function unmetRequirement(identity: EmailIdentityDescription, requirements: readonly Requirement[], name: string): string | undefined {
  for (const requirement of requirements) {
    switch (requirement) {
      case 'EasyDkimRecords': {
        const dkim = identity.DkimAttributes ?? {};
        const origin = dkim.SigningAttributesOrigin ?? '';
        const tokens = dkim.Tokens ?? [];
        if (identity.IdentityType === 'EMAIL_ADDRESS') {
          return RECORDS_PROBLEM.emailAddress(name);
        }
        if (origin === 'EXTERNAL') {
          return RECORDS_PROBLEM.byodkim(name, name, tokens[0] ?? '');
        }
        if (origin.startsWith('AWS_SES_')) {
          return RECORDS_PROBLEM.replica(name, origin.slice('AWS_SES_'.length).toLowerCase().replace(/_/g, '-'));
        }
        if (tokens.length !== EASY_DKIM_TOKENS) {
          return RECORDS_PROBLEM.notEasyDkim(name, tokens.length, dkim.Status ?? 'unknown');
        }
        break;
      }
      case 'MailFromRecords':
        if (!identity.MailFromAttributes?.MailFromDomain) {
          return RECORDS_PROBLEM.noMailFrom(name);
        }
        break;
    }
  }
  return undefined;
}

/** Easy DKIM's CNAMEs, one per token. */
const EASY_DKIM_TOKENS = 3;

/**
 * Turns a GetEmailIdentity answer into CloudFormation attributes, every one a
 * string, as `shared/attributes.ts` says. Policy bodies never leave this
 * function: only their names do.
 *
 * @param region the identity's region, for the DKIM CNAME zone when SES names none
 */
export function encodeIdentity(identity: EmailIdentityDescription, region: string): LookupData {
  const data = lookupData(identity, region);
  return data.encode(data.entries);
}

/**
 * The attributes as data the response can shrink: the best-effort
 * attributes (policy names, tags) keep as many whole entries as fit.
 */
export function lookupData(identity: EmailIdentityDescription, region: string): ShrinkableData<BestEffortName, LookupData> {
  const bestEffort = ATTRIBUTES.filter(isBestEffort);
  return {
    entries: Object.fromEntries(bestEffort.map((row) => [row.attribute, entriesOf(row, identity).length])) as Record<BestEffortName, number>,
    encode: (kept) => Object.fromEntries(ATTRIBUTES.map((row) => [
      row.attribute,
      encode(row, identity, region, (kept as Partial<Record<AttributeName, number>>)[row.attribute]),
    ])) as LookupData,
  };
}

/** The value at a dotted path of the answer (already checked by the shape check). */
function valueAt(identity: EmailIdentityDescription, path: string): unknown {
  let value: unknown = identity;
  for (const part of path.split('.')) {
    if (value === undefined || value === null) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? undefined;
}

function encode(row: AttributeRow, identity: EmailIdentityDescription, region: string, kept: number | undefined): string {
  const value = valueAt(identity, row.path);
  switch (row.encoding) {
    case 'text':
      return text(value);
    case 'joined':
      return listOf(value).join(',');
    case 'first':
      return text(listOf(value)[0]);
    case 'second':
      return text(listOf(value)[1]);
    case 'third':
      return text(listOf(value)[2]);
    case 'dkimZone':
      return dkimCnameZone(text(value), region);
    case 'count':
      return String(entriesOf(row, identity).length);
    case 'names':
      return entriesOf(row, identity).slice(0, kept).join(',');
    case 'tagObject':
      return JSON.stringify(Object.fromEntries(entriesOf(row, identity).slice(0, kept) as Array<[string, string]>));
  }
}

/** The entries of a map or tag list, sorted so that the attribute is stable. */
function entriesOf(row: AttributeRow, identity: EmailIdentityDescription): Array<string | [string, string]> {
  const value = valueAt(identity, row.path);
  if (row.apiType === 'policies') {
    return Object.keys((value ?? {}) as object).sort(compare);
  }
  const tags = (value ?? []) as Array<{ Key?: string; Value?: string }>;
  return tags.map((tag): [string, string] => [text(tag.Key), text(tag.Value)]).sort(([a], [b]) => compare(a, b));
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function text(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  }
  return String(value);
}
