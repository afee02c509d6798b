import type { EmailIdentityDescription } from './encode';
import { ATTRIBUTES, type ApiType } from '../shared/attributes';

/** Each path the attributes read, once, with what it must be. */
const FIELDS: ReadonlyMap<string, ApiType> = new Map(ATTRIBUTES.map((row) => [row.path, row.apiType]));

/**
 * Where a response strays from the API's shape, or undefined. The SDK passes
 * through whatever an endpoint sends; a field of the wrong type must fail the
 * lookup with a reason, not turn into a wrong attribute.
 */
export function shapeProblem(identity: EmailIdentityDescription): string | undefined {
  for (const [path, apiType] of FIELDS) {
    const parts = path.split('.');
    let value: unknown = identity;
    for (const [index, part] of parts.entries()) {
      if (value === undefined || value === null) {
        break;
      }
      if (typeof value !== 'object' || Array.isArray(value)) {
        return `${parts.slice(0, index).join('.')} is ${describe(value)}, not an object`;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value !== undefined && value !== null && !isOfType(value, apiType)) {
      return `${path} is ${describe(value)}, not ${article(apiType)}`;
    }
  }
  return undefined;
}

function isOfType(value: unknown, apiType: ApiType): boolean {
  switch (apiType) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof value === apiType;
    case 'date':
      return value instanceof Date;
    case 'strings':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'tags':
      return Array.isArray(value) && value.every((tag) =>
        typeof tag === 'object' && tag !== null && typeof tag.Key === 'string' && typeof tag.Value === 'string');
    case 'policies':
      return typeof value === 'object' && !Array.isArray(value) && Object.values(value as object).every((body) => typeof body === 'string');
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  return value instanceof Date ? 'a date' : `a ${typeof value}`;
}

function article(apiType: ApiType): string {
  const articles: Record<ApiType, string> = {
    string: 'a string',
    boolean: 'a boolean',
    number: 'a number',
    date: 'a timestamp',
    strings: 'a list of strings',
    tags: 'a list of {Key, Value} strings',
    policies: 'a map of policy documents',
  };
  return articles[apiType];
}
