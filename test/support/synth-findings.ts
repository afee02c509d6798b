import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';

/** What aws-cdk-lib writes to `validation-report.json`, as far as the tests read it. */
interface ValidationReport {
  readonly pluginReports: Array<{ readonly violations?: Array<{ readonly ruleName: string; readonly description: string }> }>;
}

/**
 * Synthesizes an app (built into a fresh output directory) and returns every
 * warning and error a user would see: annotations, aws-cdk-lib's template
 * validation (2.276 and later; W1019 among its rules), and anything printed
 * on the console, such as deprecation warnings.
 */
export function synthFindings(build: (outdir: string) => App): string[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  const printed: string[] = [];
  const spies = (['error', 'warn', 'log'] as const).map((level) => jest.spyOn(console, level)
    .mockImplementation((...args: unknown[]) => printed.push(`console.${level}: ${args.join(' ')}`)));
  try {
    const assembly = build(outdir).synth();
    const messages = assembly.stacks.flatMap((stack) => stack.messages)
      .filter((message) => message.level === 'warning' || message.level === 'error')
      .map((message) => `${message.level} ${message.id}: ${message.entry.data}`);
    const reportFile = path.join(outdir, 'validation-report.json');
    const report: ValidationReport = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : { pluginReports: [] };
    const violations = report.pluginReports.flatMap((plugin) => plugin.violations ?? [])
      .map((violation) => `${violation.ruleName}: ${violation.description}`);
    return [...messages, ...violations, ...printed];
  } finally {
    spies.forEach((spy) => spy.mockRestore());
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
