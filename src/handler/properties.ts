/**
 * The resources' properties: parsed from what CloudFormation delivers, and
 * the physical id they make.
 */
import { createHash } from 'node:crypto';
import { gateTimingProblem, MS_PER_SECOND } from '../shared/time-budgets';
import { locationProblem } from '../shared/validation';
import {
  GATE_CONDITIONS, MONITOR_CHECKS, REQUIREMENTS,
  type GateCondition, type GateProperties, type IdentityLocation, type LookupProperties, type MonitorCheck, type MonitorInput, type Requirement,
} from '../shared/wire';

/**
 * Properties as CloudFormation delivered them: strings and lists of strings,
 * possibly anything at all. Each parser returns the typed properties, or a
 * sentence naming the property that is wrong.
 */
export function parseLookupProperties(raw: unknown): LookupProperties | string {
  if (!isRecord(raw)) {
    return 'The resource received no properties; it needs EmailIdentity.';
  }
  const wrongType = checkStrings(raw, ['EmailIdentity', 'Region', 'AssumeRoleArn', 'ExternalId', 'RefreshToken']);
  if (wrongType) {
    return wrongType;
  }
  const { Requirements } = raw;
  if (Requirements !== undefined && !isListOf(Requirements, isRequirement)) {
    return `Property Requirements must be a list of ${REQUIREMENTS.join(', ')}, got ${JSON.stringify(Requirements).slice(0, QUOTED_VALUE_LENGTH)}.`;
  }
  const properties: LookupProperties = { ...location(raw), RefreshToken: optional(raw.RefreshToken), Requirements };
  return problemOf(properties) ?? properties;
}

/** Gate properties, with the numbers checked and converted. */
export interface ParsedGate extends GateProperties {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

export function parseGateProperties(raw: unknown): ParsedGate | string {
  if (!isRecord(raw)) {
    return 'The resource received no properties; it needs EmailIdentity.';
  }
  const wrongType = checkStrings(raw, ['EmailIdentity', 'Region', 'AssumeRoleArn', 'ExternalId', 'PollIntervalSeconds', 'TimeoutSeconds']);
  if (wrongType) {
    return wrongType;
  }
  const { Conditions } = raw;
  if (!isListOf(Conditions, isCondition) || Conditions.length === 0) {
    return `Property Conditions must be a non-empty list of ${GATE_CONDITIONS.join(', ')}, got ${JSON.stringify(Conditions ?? null).slice(0, QUOTED_VALUE_LENGTH)}.`;
  }
  const pollInterval = finiteNumber(raw.PollIntervalSeconds);
  const timeout = finiteNumber(raw.TimeoutSeconds);
  if (pollInterval === undefined || timeout === undefined) {
    return `Properties PollIntervalSeconds and TimeoutSeconds must be numbers, got ${raw.PollIntervalSeconds} and ${raw.TimeoutSeconds}.`;
  }
  const timingProblem = gateTimingProblem(pollInterval, timeout);
  if (timingProblem) {
    return `Invalid properties: ${timingProblem}`;
  }
  const properties: ParsedGate = {
    ...location(raw),
    Conditions,
    PollIntervalSeconds: String(raw.PollIntervalSeconds),
    TimeoutSeconds: String(raw.TimeoutSeconds),
    pollIntervalMs: pollInterval * MS_PER_SECOND,
    timeoutMs: timeout * MS_PER_SECOND,
  };
  return problemOf(properties) ?? properties;
}

/**
 * A monitor's input, as its schedule delivers it (or a person invoking the
 * function by hand): each identity checked by the construct's rules.
 */
export function parseMonitorInput(raw: unknown): MonitorInput | string {
  if (!isRecord(raw) || !Array.isArray(raw.Identities)) {
    return 'The monitor received no Identities: it runs on the input its EmailIdentityMonitor schedule gives it.';
  }
  const { Checks, ScheduledTime, Account } = raw;
  if (!isListOf(Checks, isMonitorCheck)) {
    return `Input Checks must be a list of ${MONITOR_CHECKS.join(', ')}, got ${JSON.stringify(Checks ?? null).slice(0, QUOTED_VALUE_LENGTH)}.`;
  }
  if (typeof ScheduledTime !== 'string' || Number.isNaN(Date.parse(ScheduledTime)) || typeof Account !== 'string') {
    return `Input ScheduledTime must be a timestamp and Account a string, got ${JSON.stringify(ScheduledTime ?? null)} and ${JSON.stringify(Account ?? null)}.`;
  }
  const identities: IdentityLocation[] = [];
  for (const [index, item] of raw.Identities.entries()) {
    const problem = isRecord(item) ? checkStrings(item, ['EmailIdentity', 'Region', 'AssumeRoleArn', 'ExternalId']) : 'it is not an object.';
    const parsed = isRecord(item) && !problem ? location(item) : undefined;
    const invalid = problem ?? (parsed && locationProblem(parsed));
    if (invalid || !parsed) {
      return `Input Identities[${index}] is invalid: ${invalid}`;
    }
    identities.push(parsed);
  }
  return { Checks, Identities: identities, ScheduledTime, Account };
}

/** How much of a wrong value a message quotes. */
const QUOTED_VALUE_LENGTH = 100;

/** Where the identity is: the part lookups and gates share. */
function location(raw: Record<string, unknown>): IdentityLocation {
  return {
    EmailIdentity: String(raw.EmailIdentity),
    Region: optional(raw.Region),
    AssumeRoleArn: optional(raw.AssumeRoleArn),
    ExternalId: optional(raw.ExternalId),
  };
}

/** The construct's rules, on the resolved values. */
function problemOf(properties: IdentityLocation): string | undefined {
  const problem = locationProblem(properties);
  return problem && `Invalid properties: ${problem}`;
}

/** EmailIdentity must be a string; the other names may also be absent. */
function checkStrings(raw: Record<string, unknown>, names: readonly string[]): string | undefined {
  const wrong = names.find((name) => (raw[name] !== undefined || name === 'EmailIdentity') && typeof raw[name] !== 'string');
  return wrong && `Property ${wrong} must be a string, got ${describe(raw[wrong])}.`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isListOf<T>(value: unknown, isItem: (item: unknown) => item is T): value is T[] {
  return Array.isArray(value) && value.every(isItem);
}

function isRequirement(value: unknown): value is Requirement {
  return REQUIREMENTS.some((requirement) => requirement === value);
}

function isMonitorCheck(value: unknown): value is MonitorCheck {
  return MONITOR_CHECKS.some((check) => check === value);
}

function isCondition(value: unknown): value is GateCondition {
  return GATE_CONDITIONS.some((condition) => condition === value);
}

/** A string that is a finite decimal number, as that number. */
function finiteNumber(value: unknown): number | undefined {
  const number = Number(value);
  return typeof value === 'string' && value.trim() !== '' && Number.isFinite(number) ? number : undefined;
}

/** A value already checked to be a string or undefined. */
function optional(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value;
}

/**
 * Physical ids carry the identity's name and a digest of every property.
 *
 * Any change of properties makes a new id: CloudFormation then treats the
 * update as a replacement and deletes the old id, which costs nothing (Delete
 * does nothing). So an Update whose properties match its current id can only
 * be a rollback to properties that already succeeded: lookups skip their
 * requirements and gates pass at once, and a rollback never wedges the stack.
 * Which id a rollback after a replacing Update carries is not documented:
 * when the properties do not match, the stack's status decides (rollback.ts).
 */
export function lookupPhysicalId(properties: LookupProperties): string {
  const { EmailIdentity, Region, AssumeRoleArn, ExternalId, RefreshToken, Requirements } = properties;
  return `${EmailIdentity}/${digest([EmailIdentity, Region, AssumeRoleArn, ExternalId, RefreshToken, Requirements])}`;
}

export function gatePhysicalId(gate: ParsedGate): string {
  const { EmailIdentity, Region, AssumeRoleArn, ExternalId, Conditions, PollIntervalSeconds, TimeoutSeconds } = gate;
  return `${EmailIdentity}/gate-${digest([EmailIdentity, Region, AssumeRoleArn, ExternalId, Conditions, PollIntervalSeconds, TimeoutSeconds])}`;
}

/** Hex digits of the SHA-256 kept in an id: 64 bits, no collision among a stack's resources. */
const DIGEST_LENGTH = 16;

function digest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, DIGEST_LENGTH);
}
