import {
  BehaviorOnMxFailure,
  DkimSigningAttributesOrigin,
  DkimSigningKeyLength,
  DkimStatus,
  IdentityType,
  MailFromDomainStatus,
  VerificationError,
  VerificationStatus,
  type MailFromAttributes,
} from '@aws-sdk/client-sesv2';
import * as fc from 'fast-check';
import { failureBody, MAX_RESPONSE_BYTES, successBody, type ResponseEnvelope } from '../../src/handler/cloudformation';
import { encodeIdentity, lookupData } from '../../src/handler/lookup';
import type { EmailIdentityDescription } from '../../src/handler/ses';
import { ATTRIBUTE_NAMES, ATTRIBUTES, type ApiType } from '../../src/shared/attributes';

/**
 * Fixed seed: the suite explores the same cases on every run and machine.
 * The time limit bounds shrinking, which on values this large could otherwise
 * run for many minutes once a property fails; an interrupted run fails.
 */
const RUN = { seed: 20240601, numRuns: 100, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: true };

/** Appears in every generated policy body, and nowhere else. */
const POLICY_MARKER = 'POLICY-BODY-MARKER-3f9c';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// ---------------------------------------------------------------------------
// Arbitraries

/** Strings of up to `max` units, half of them exactly `max` long: limits are where size bugs hide. */
function upTo(unit: fc.Arbitrary<string>, max: number, min = 0): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit, minLength: max, maxLength: max }),
    fc.string({ unit, minLength: min, maxLength: max, size: 'max' }),
  );
}

function charsOf(alphabet: string): fc.Arbitrary<string> {
  return fc.constantFrom(...Array.from(alphabet));
}

/** Characters that are costly or tricky in JSON: escapes, multi-byte, astral, lone surrogates. */
const nastyChar = fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '€', '😀', '𝔸', '\u{10FFFF}', '\ud800', ',', '…');
const anyChar = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  nastyChar,
);
const anyText = (max: number, min = 0) => upTo(anyChar, max, min);

/**
 * Long text made cheaply: a short random seed repeated to `min`..`max` code
 * units, often exactly `max`. Cutting by code units may split a surrogate
 * pair, which is one more adversarial case.
 */
const longText = (max: number, min = 0) => fc.tuple(anyText(32, 1), fc.oneof(fc.constant(max), fc.integer({ min, max })))
  .map(([seed, length]) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length));

const dnsChars = charsOf('abcdefghijklmnopqrstuvwxyz0123456789-.');
const nameChars = charsOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-');
const printableAscii = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 });

const dates = fc.oneof(fc.date(), fc.constant(new Date(Number.NaN)));
const realisticDates = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

/** An enum value SES documents, or (adversarially) any text in its place. */
function enumOr<T extends string>(values: Record<string, T>, other: fc.Arbitrary<string> | undefined): fc.Arbitrary<T> {
  const documented = fc.constantFrom(...Object.values(values));
  return other ? fc.oneof(documented, other as fc.Arbitrary<T>) : documented;
}

/** The envelope at its largest: 128-char stack name, 255-char logical id, 320-char identity and the id's digest. */
function envelopeOf(physicalResourceId: fc.Arbitrary<string>): fc.Arbitrary<ResponseEnvelope> {
  return fc.record({
    StackId: fc.tuple(upTo(charsOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-'), 128, 1), fc.uuid())
      .map(([name, id]) => `arn:aws:cloudformation:ap-southeast-3:123456789012:stack/${name}/${id}`),
    RequestId: fc.uuid(),
    LogicalResourceId: upTo(charsOf('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'), 255, 1),
    PhysicalResourceId: physicalResourceId,
  });
}

const envelope = envelopeOf(upTo(charsOf('abcdefghijklmnopqrstuvwxyz0123456789.-+_@'), 320, 1).map((name) => `${name}/0123456789abcdef`));

interface Shape {
  /** Free text in place of an enum value; undefined for documented values only. */
  readonly text: ((max: number) => fc.Arbitrary<string>) | undefined;
  readonly domain: fc.Arbitrary<string>;
  readonly name: (max: number) => fc.Arbitrary<string>;
  readonly date: fc.Arbitrary<Date>;
  readonly serial: fc.Arbitrary<number>;
  readonly tagText: (max: number) => fc.Arbitrary<string>;
}

/** A GetEmailIdentity response with every field optional, as in the API. */
function identityOf(shape: Shape): fc.Arbitrary<EmailIdentityDescription> {
  const opt = { requiredKeys: [] as never[] };
  return fc.record({
    IdentityType: enumOr(IdentityType, shape.text?.(64)),
    FeedbackForwardingStatus: fc.boolean(),
    VerifiedForSendingStatus: fc.boolean(),
    VerificationStatus: enumOr(VerificationStatus, shape.text?.(64)),
    ConfigurationSetName: shape.name(64),
    DkimAttributes: fc.record({
      SigningEnabled: fc.boolean(),
      Status: enumOr(DkimStatus, shape.text?.(64)),
      Tokens: fc.array(shape.name(63), { maxLength: 3 }),
      SigningHostedZone: shape.domain,
      SigningAttributesOrigin: enumOr(DkimSigningAttributesOrigin, shape.text?.(64)),
      NextSigningKeyLength: enumOr(DkimSigningKeyLength, shape.text?.(64)),
      CurrentSigningKeyLength: enumOr(DkimSigningKeyLength, shape.text?.(64)),
      LastKeyGenerationTimestamp: shape.date,
    }, opt),
    // The SDK types these keys as required, yet the encoder must cope without them.
    MailFromAttributes: fc.record({
      MailFromDomain: shape.domain,
      MailFromDomainStatus: enumOr(MailFromDomainStatus, shape.text?.(64)),
      BehaviorOnMxFailure: enumOr(BehaviorOnMxFailure, shape.text?.(64)),
    }, opt).map((attributes) => attributes as MailFromAttributes),
    VerificationInfo: fc.record({
      LastCheckedTimestamp: shape.date,
      LastSuccessTimestamp: shape.date,
      ErrorType: enumOr(VerificationError, shape.text?.(64)),
      SOARecord: fc.record({ PrimaryNameServer: shape.domain, AdminEmail: shape.domain, SerialNumber: shape.serial }, opt),
    }, opt),
    Policies: fc.dictionary(
      shape.name(64),
      // Bodies up to 4 KB, each carrying the marker that must never reach the response.
      longText(4096 - POLICY_MARKER.length).map((body) => `{"Sid":"${POLICY_MARKER}","Body":${JSON.stringify(body)}}`),
      { maxKeys: 20, noNullPrototype: true },
    ),
    // Tag keys are unique per resource in SES, as policy names are.
    Tags: fc.uniqueArray(fc.record({ Key: shape.tagText(128), Value: shape.tagText(256) }), { maxLength: 50, selector: (tag) => tag.Key }),
  }, opt);
}

/** Anything at the documented maximum lengths: unicode, quotes, backslashes, control chars. */
const arbitraryIdentity = identityOf({
  text: (max) => anyText(max),
  domain: anyText(253),
  name: (max) => anyText(max),
  date: dates,
  serial: fc.oneof(fc.integer(), fc.double()),
  tagText: (max) => anyText(max),
});

/**
 * What SES can really return: the same maxima, with DNS names in DNS
 * characters, names in SES's name characters and documented enum values.
 * Tags stay printable ASCII with quotes and backslashes: they are best effort.
 */
const realisticIdentity = identityOf({
  text: undefined,
  domain: upTo(dnsChars, 253),
  name: (max) => upTo(nameChars, max, 1),
  date: realisticDates,
  serial: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  tagText: (max) => upTo(printableAscii, max),
});

// ---------------------------------------------------------------------------
// Checks

interface Parsed {
  Status: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId: string;
  Reason?: string;
  Data?: Record<string, unknown>;
}

function parseWithinLimit(body: string): Parsed {
  expect(bytes(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  return JSON.parse(body) as Parsed;
}

function expectEnvelope(parsed: Parsed, env: ResponseEnvelope) {
  expect(parsed).toMatchObject({ ...env });
}

/** Independent of the handler's code: keys are unique, so code-unit order decides. */
function sortedTags(identity: EmailIdentityDescription) {
  return (identity.Tags ?? []).map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** The largest count in 0..n that matches: an empty first name makes counts 0 and 1 look alike. */
function largestCount(n: number, matches: (count: number) => boolean): number | undefined {
  for (let count = n; count >= 0; count--) {
    if (matches(count)) return count;
  }
  return undefined;
}

/** Every property a success body must have, whatever the response held. */
function expectValidSuccess(body: string, env: ResponseEnvelope, identity: EmailIdentityDescription) {
  const parsed = parseWithinLimit(body);
  expect(parsed.Status).toBe('SUCCESS');
  expectEnvelope(parsed, env);
  const data = parsed.Data ?? {};
  expect(Object.keys(data)).toEqual([...ATTRIBUTE_NAMES]);
  for (const name of ATTRIBUTE_NAMES) {
    expect(typeof data[name]).toBe('string');
  }
  const get = (name: typeof ATTRIBUTE_NAMES[number]) => data[name] as string;

  expect(body).not.toContain(POLICY_MARKER);

  // Counts are always complete, even when the lists are cut short.
  const policyNames = Object.keys(identity.Policies ?? {}).sort();
  expect(get('PolicyCount')).toBe(String(policyNames.length));
  expect(get('TagCount')).toBe(String((identity.Tags ?? []).length));

  // PolicyNames: whole names, a prefix of the sorted list, and no more fit.
  const shownPolicies = largestCount(policyNames.length, (count) => policyNames.slice(0, count).join(',') === get('PolicyNames'));
  expect(shownPolicies).toBeDefined();
  if (shownPolicies! < policyNames.length) {
    const oneMore = { ...data, PolicyNames: policyNames.slice(0, shownPolicies! + 1).join(','), Tags: '{}' };
    expect(bytes(JSON.stringify({ ...parsed, Data: oneMore }))).toBeGreaterThan(MAX_RESPONSE_BYTES);
  }

  // Tags: a JSON object of whole tags, a prefix in key order, and no more fit.
  const tags = JSON.parse(get('Tags')) as Record<string, string>;
  expect(typeof tags).toBe('object');
  const sorted = sortedTags(identity);
  const shownTags = largestCount(sorted.length, (count) => JSON.stringify(Object.fromEntries(sorted.slice(0, count).map((t) => [t.key, t.value]))) === get('Tags'));
  expect(shownTags).toBeDefined();
  if (shownTags! < sorted.length) {
    const more = JSON.stringify(Object.fromEntries(sorted.slice(0, shownTags! + 1).map((t) => [t.key, t.value])));
    expect(bytes(JSON.stringify({ ...parsed, Data: { ...data, Tags: more } }))).toBeGreaterThan(MAX_RESPONSE_BYTES);
  }
}

/** A region with a regional DKIM domain: the longest fallback for DkimCnameDomain. */
const REGION = 'ap-southeast-5';

/** Bytes of a success body holding only the attributes that are never cut. */
function coreBytes(env: ResponseEnvelope, identity: EmailIdentityDescription): number {
  const data = { ...encodeIdentity(identity, REGION), PolicyNames: '', Tags: '{}' };
  return bytes(JSON.stringify({ Status: 'SUCCESS', ...env, Data: data }));
}

/**
 * Each API type at its realistic maximum: DNS names of 253 characters, three
 * 63-character DKIM tokens, SES's 50 tags of 128 + 256 and 20 policies with
 * 64-character names, the longest timestamp and SOA serial, and `false`,
 * longer than `true`.
 */
function worstOfType(apiType: ApiType, domain253: string): unknown {
  switch (apiType) {
    case 'string': return domain253;
    case 'boolean': return false;
    case 'number': return 2 ** 32 - 1;
    case 'date': return new Date('2099-12-31T23:59:59.999Z');
    case 'strings': return ['a'.repeat(63), 'a'.repeat(63), 'a'.repeat(63)];
    case 'tags': return Array.from({ length: 50 }, (_, i) => ({ Key: `${i}`.padStart(128, 'k'), Value: 'v'.repeat(256) }));
    case 'policies': return Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}`.padStart(64, 'p'), `{"Sid":"${POLICY_MARKER}"}`]));
  }
}

/** Fields bounded tighter than their type: SES's own limits, and each enum's longest value. */
const WORST_AT: Readonly<Record<string, unknown>> = {
  'IdentityType': 'MANAGED_DOMAIN',
  'VerificationStatus': 'TEMPORARY_FAILURE',
  'ConfigurationSetName': 'c'.repeat(64),
  'DkimAttributes.Status': 'TEMPORARY_FAILURE',
  'DkimAttributes.SigningAttributesOrigin': 'AWS_SES_US_GOV_WEST_1',
  'DkimAttributes.CurrentSigningKeyLength': 'RSA_2048_BIT',
  'DkimAttributes.NextSigningKeyLength': 'RSA_2048_BIT',
  'MailFromAttributes.MailFromDomainStatus': 'TEMPORARY_FAILURE',
  'MailFromAttributes.BehaviorOnMxFailure': 'USE_DEFAULT_VALUE',
  'VerificationInfo.ErrorType': 'REPLICATION_PRIMARY_BYO_DKIM_NOT_SUPPORTED',
};

/** Every field of the attribute table at its maximum, all at once. */
function worstCaseIdentity(domain253: string): EmailIdentityDescription {
  const identity: Record<string, unknown> = {};
  for (const { path, apiType } of ATTRIBUTES) {
    const keys = path.split('.');
    const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((node, key) => (node[key] ??= {}) as Record<string, unknown>, identity);
    parent[keys[keys.length - 1]] = path in WORST_AT ? WORST_AT[path] : worstOfType(apiType, domain253);
  }
  return identity as EmailIdentityDescription;
}

function valueAtPath(identity: EmailIdentityDescription, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], identity);
}

// ---------------------------------------------------------------------------
// Properties

describe('successBody', () => {
  test('any response: a valid body within 4096 bytes, or undefined only when the core attributes cannot fit', () => {
    let fitted = 0;
    fc.assert(fc.property(envelope, arbitraryIdentity, (env, identity) => {
      const body = successBody(env, lookupData(identity, REGION));
      if (body === undefined) {
        expect(coreBytes(env, identity)).toBeGreaterThan(MAX_RESPONSE_BYTES);
      } else {
        fitted++;
        expectValidSuccess(body, env, identity);
      }
    }), RUN);
    // Guard against a vacuous property: most generated responses must fit.
    // (Values are multi-byte strings at DNS maxima, and the DKIM zone counts
    // twice, as SES reports it and as the CNAME target: about half fit.)
    expect(fitted).toBeGreaterThan(RUN.numRuns / 3);
  });

  test('realistic maxima (DNS and SES limits, ASCII): the core attributes always fit', () => {
    fc.assert(fc.property(envelope, realisticIdentity, (env, identity) => {
      const body = successBody(env, lookupData(identity, REGION));
      expect(body).toBeDefined();
      expectValidSuccess(body!, env, identity);
    }), RUN);
  });

  test('realistic worst case, every field at its maximum at once, still fits', () => {
    const label = (n: number) => 'a'.repeat(n);
    const domain253 = [label(63), label(63), label(63), label(61)].join('.');
    const env: ResponseEnvelope = {
      StackId: `arn:aws:cloudformation:ap-southeast-3:123456789012:stack/${'S'.repeat(128)}/01234567-89ab-cdef-0123-456789abcdef`,
      RequestId: '01234567-89ab-cdef-0123-456789abcdef',
      LogicalResourceId: 'L'.repeat(255),
      // The longest identity, and the digest physical ids carry.
      PhysicalResourceId: `${`${'l'.repeat(64)}@${domain253}`.padEnd(320, 'x')}/0123456789abcdef`,
    };
    // Built from the attribute table: a field added there is here at its maximum too.
    const identity = worstCaseIdentity(domain253);
    expect(ATTRIBUTES.every((row) => valueAtPath(identity, row.path) !== undefined)).toBe(true);

    const body = successBody(env, lookupData(identity, REGION));

    expect(body).toBeDefined();
    expectValidSuccess(body!, env, identity);
  });

  test('adversarial oversized values (5000-char strings): a body within 4096 bytes, or undefined', () => {
    // Cheap to generate: a short unicode seed repeated to 5000 units.
    const huge = longText(5000, 5000);
    const hugeShape: Shape = {
      text: () => fc.oneof(huge, anyText(8)),
      domain: fc.oneof(huge, anyText(8)),
      name: () => fc.oneof(huge, anyText(8)),
      date: dates,
      serial: fc.double(),
      tagText: () => fc.oneof(huge, anyText(8)),
    };
    let undefinedCount = 0;
    fc.assert(fc.property(envelope, identityOf(hugeShape), (env, identity) => {
      const body = successBody(env, lookupData(identity, REGION));
      if (body === undefined) {
        undefinedCount++;
      } else {
        expectValidSuccess(body, env, identity);
      }
    }), { ...RUN, numRuns: 50 });
    // Both outcomes must have been exercised for the property to mean anything.
    expect(undefinedCount).toBeGreaterThan(0);
    expect(undefinedCount).toBeLessThan(50);
  });
});

describe('failureBody', () => {
  test('any reason up to 20 KB: within 4096 bytes, envelope intact, reason kept or cut to a prefix', () => {
    const reason = fc.oneof(longText(20_000), anyText(200), fc.constant(''));
    fc.assert(fc.property(envelope, reason, (env, text) => {
      const body = failureBody(env, text);
      const parsed = parseWithinLimit(body);

      expect(parsed.Status).toBe('FAILED');
      expectEnvelope(parsed, env);
      expect(typeof parsed.Reason).toBe('string');
      const shown = parsed.Reason!;
      if (shown !== text) {
        // Cut on a character boundary, marked with an ellipsis, and only as much as needed:
        // one more character (at most 6 JSON bytes) would not have fitted.
        expect(shown.endsWith('…')).toBe(true);
        expect(text.startsWith(shown.slice(0, -1))).toBe(true);
        expect(bytes(body)).toBeGreaterThan(MAX_RESPONSE_BYTES - 6);
      }
    }), { ...RUN, numRuns: 30 });
  });
});

/**
 * The limit itself, deterministically: CloudFormation takes a body of 4096
 * bytes and rejects one of 4097. The literal 4096 is on purpose: the tests
 * must not trust the constant they check.
 */
describe('the 4096-byte limit, at the boundary', () => {
  const ENVELOPE: ResponseEnvelope = {
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/boundary/5e6b4a2c-1f0d-4c1e-9a57-0d3c2f1b8e90',
    RequestId: '0d3c2f1b-8e90-4c1e-9a57-5e6b4a2c1f0d',
    LogicalResourceId: 'Boundary',
    PhysicalResourceId: 'example.com/0123456789abcdef',
  };

  /**
   * Data of one fixed attribute padded so that the complete body is `total`
   * bytes, and one shrinkable list of ten 10-character entries.
   */
  function dataOfSize(total: number, pad: string) {
    const encode = (kept: { Items: number }, padding: string) => ({
      Padding: padding,
      Items: Array.from({ length: kept.Items }, (_, index) => `item-${String(index).padStart(5, '0')}`).join(','),
    });
    const bodyOf = (data: Record<string, string>) => JSON.stringify({ Status: 'SUCCESS', ...ENVELOPE, Data: data });
    const unpadded = bytes(bodyOf(encode({ Items: 10 }, '')));
    const padding = pad.repeat((total - unpadded) / bytes(pad));
    expect(bytes(bodyOf(encode({ Items: 10 }, padding)))).toBe(total);
    return { entries: { Items: 10 }, encode: (kept: { Items: number }) => encode(kept, padding) };
  }

  test.each([
    ['ASCII', 'x'],
    ['three-byte characters', '€'],
  ])('success: a body of exactly 4096 bytes is kept whole (%s)', (_, pad) => {
    const data = dataOfSize(4096, pad);

    const body = successBody(ENVELOPE, data)!;

    expect(bytes(body)).toBe(4096);
    expect(JSON.parse(body).Data).toEqual(data.encode({ Items: 10 }));
  });

  test('success: a body of 4097 bytes is fitted, dropping whole list entries from the end', () => {
    const data = dataOfSize(4097, 'x');

    const body = successBody(ENVELOPE, data)!;

    expect(bytes(body)).toBeLessThanOrEqual(4096);
    // One entry and its comma (11 bytes) is the least that can go.
    expect(bytes(body)).toBe(4097 - 11);
    expect(JSON.parse(body).Data).toEqual(data.encode({ Items: 9 }));
  });

  test('success: the data is never asked for more entries than an attribute has, however much room is left', () => {
    const list = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`).join(',');
    const asked: Array<{ Small: number; Large: number }> = [];
    // Small fits whole with room to spare; Large does not fit whole.
    const data = {
      entries: { Small: 2, Large: 1_000 },
      encode: (kept: { Small: number; Large: number }) => {
        asked.push({ ...kept });
        return { Small: list('small', kept.Small), Large: list('large', kept.Large) };
      },
    };

    const body = successBody(ENVELOPE, data)!;

    expect(bytes(body)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(body).Data.Small).toBe('small-0,small-1');
    expect(asked.filter((kept) => kept.Small > 2 || kept.Large > 1_000)).toEqual([]);
  });

  /** A reason that makes the complete FAILED body exactly `total` bytes. */
  function reasonOfSize(total: number): string {
    const withoutReason = bytes(failureBody(ENVELOPE, ''));
    const reason = 'r'.repeat(total - withoutReason);
    return reason;
  }

  test('failure: a body of exactly 4096 bytes keeps its reason whole', () => {
    const reason = reasonOfSize(4096);

    const body = failureBody(ENVELOPE, reason);

    expect(bytes(body)).toBe(4096);
    expect(JSON.parse(body).Reason).toBe(reason);
  });

  test('failure: a reason one byte too long is cut to the longest prefix that fits, with an ellipsis', () => {
    const reason = reasonOfSize(4097);

    const body = failureBody(ENVELOPE, reason);

    // The ellipsis takes three bytes: three characters of the reason make way for it, and one for the limit.
    expect(bytes(body)).toBe(4096);
    expect(JSON.parse(body).Reason).toBe(`${reason.slice(0, reason.length - 4)}…`);
  });

  test('failure: an envelope that leaves no room for one character and the ellipsis drops the reason, rather than the limit', () => {
    const withoutReason = bytes(failureBody(ENVELOPE, ''));
    // Two bytes left for the reason: the ellipsis alone takes three.
    const crowded = { ...ENVELOPE, LogicalResourceId: ENVELOPE.LogicalResourceId + 'L'.repeat(4096 - 2 - withoutReason) };

    const body = failureBody(crowded, 'SES email identity "example.com" does not exist.');

    expect(bytes(body)).toBe(4094);
    expect(JSON.parse(body)).toMatchObject({ Status: 'FAILED', Reason: '', LogicalResourceId: crowded.LogicalResourceId });
  });
});
