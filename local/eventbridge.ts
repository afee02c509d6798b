/**
 * EventBridge's side of a schedule, as the monitor's function sees it: the
 * event a scheduled rule emits, and what a target receives of it (its
 * constant Input, its InputTransformer applied, or the event itself), read
 * from a synthesized template's `AWS::Events::Rule` target.
 */

/** A scheduled rule's event (EventBridge User Guide, "Scheduled Event"). */
export interface ScheduledEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': 'Scheduled Event';
  readonly 'source': 'aws.events';
  readonly 'account': string;
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': readonly string[];
  readonly 'detail': Record<string, never>;
}

export function scheduledEvent(ruleArn: string, time: Date): ScheduledEvent {
  const [, , , region, account] = ruleArn.split(':');
  return {
    'version': '0',
    'id': '89d1a02d-5ec7-412e-82f5-13505f849b41',
    'detail-type': 'Scheduled Event',
    'source': 'aws.events',
    account,
    // EventBridge gives the scheduled time to the second.
    'time': time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    'resources': [ruleArn],
    'detail': {},
  };
}

/** A rule's target as the template holds it, resolved to plain values. */
export interface RuleTarget {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Record<string, string>; readonly InputTemplate: string };
}

/** What `target` receives of `event`, as EventBridge delivers it. */
export function deliver(target: RuleTarget, event: object): unknown {
  if (target.Input !== undefined) {
    return JSON.parse(target.Input);
  }
  if (target.InputPath !== undefined) {
    return valueAt(event, target.InputPath);
  }
  if (!target.InputTransformer) {
    return event;
  }
  const values = Object.fromEntries(Object.entries(target.InputTransformer.InputPathsMap ?? {}).map(([name, path]) => [name, valueAt(event, path)]));
  // A placeholder inside quotes takes the value's text; outside, its JSON.
  const filled = target.InputTransformer.InputTemplate
    .replace(/"<([\w.-]+)>"/g, (_, name: string) => JSON.stringify(String(values[name])))
    .replace(/<([\w.-]+)>/g, (_, name: string) => JSON.stringify(values[name] ?? null));
  return JSON.parse(filled);
}

/** A JSON path of the simple form EventBridge's input paths take: `$.a.b[0]`. */
function valueAt(event: object, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').split(/\.|\[(\d+)\]/).filter((step) => step !== undefined && step !== '');
  return steps.reduce<unknown>((value, step) => (value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[step]), event);
}
