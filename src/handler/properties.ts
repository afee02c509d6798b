import { GATE_LIMITS, gateTimingProblem } from '../shared/time-budgets';
import { targetProblem } from '../shared/validation';
import { GATE_CONDITIONS, REQUIREMENTS, type GateCondition, type GateProperties, type LookupProperties, type Requirement, type TargetProperties } from '../shared/wire';

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
    return `Property Requirements must be a list of ${REQUIREMENTS.join(', ')}, got ${JSON.stringify(Requirements).slice(0, 100)}.`;
  }
  const properties: LookupProperties = { ...target(raw), RefreshToken: optional(raw.RefreshToken), Requirements };
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
    return `Property Conditions must be a non-empty list of ${GATE_CONDITIONS.join(', ')}, got ${JSON.stringify(Conditions ?? null).slice(0, 100)}.`;
  }
  const pollInterval = Number(raw.PollIntervalSeconds);
  const timeout = Number(raw.TimeoutSeconds);
  if (gateTimingProblem(pollInterval, timeout)) {
    const { minPollIntervalSeconds: minPoll, maxPollIntervalSeconds: maxPoll, maxTimeoutSeconds: maxTimeout } = GATE_LIMITS;
    return `Properties PollIntervalSeconds and TimeoutSeconds must be numbers with ${minPoll} <= PollIntervalSeconds <= ${maxPoll} `
      + `and PollIntervalSeconds <= TimeoutSeconds <= ${maxTimeout}, got ${raw.PollIntervalSeconds} and ${raw.TimeoutSeconds}.`;
  }
  const properties: ParsedGate = {
    ...target(raw),
    Conditions,
    PollIntervalSeconds: String(raw.PollIntervalSeconds),
    TimeoutSeconds: String(raw.TimeoutSeconds),
    pollIntervalMs: pollInterval * 1000,
    timeoutMs: timeout * 1000,
  };
  return problemOf(properties) ?? properties;
}

/** Where the identity is: the part lookups and gates share. */
function target(raw: Record<string, unknown>): TargetProperties {
  return {
    EmailIdentity: String(raw.EmailIdentity),
    Region: optional(raw.Region),
    AssumeRoleArn: optional(raw.AssumeRoleArn),
    ExternalId: optional(raw.ExternalId),
  };
}

/** The construct's rules, on the resolved values. */
function problemOf(properties: TargetProperties): string | undefined {
  const problem = targetProblem({
    emailIdentity: properties.EmailIdentity,
    region: properties.Region,
    assumeRoleArn: properties.AssumeRoleArn,
    externalId: properties.ExternalId,
  });
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

function isCondition(value: unknown): value is GateCondition {
  return GATE_CONDITIONS.some((condition) => condition === value);
}

/** A value already checked to be a string or undefined. */
function optional(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value;
}
