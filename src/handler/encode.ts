import type { GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import type { ShrinkableData } from './cloudformation';
import { ATTRIBUTES, isBestEffort, type AttributeName, type AttributeRow, type BestEffortName, type LookupData } from '../shared/attributes';
import { dkimCnameZone } from '../shared/ses-dns';

/** The parts of the SES response we read: every field optional, as in the API. */
export type EmailIdentityDescription = Omit<GetEmailIdentityCommandOutput, '$metadata'>;

/** The value at a dotted path of the answer (already checked by shapeProblem). */
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
