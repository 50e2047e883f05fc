/**
 * Runs gst-ingest.py in probe mode once (URL on stdin) and parses its one-line report. The caller
 * decides with ingest-decision.ts. Ends its child by PID when aborted.
 */
import { spawn } from 'node:child_process';
import { redactCredentials } from '@wardwall/common';
import { probeReportSchema, type ProbeReport } from './ingest-decision.js';

export interface ProbeResult {
  report: ProbeReport | null;
  code: number | null;
  stderrTail: string[];
}

/** The report line, a base64 JPEG snapshot included (640 px wide at most). */
const MAX_REPORT_CHARS = 2_000_000;

export function runProbe(spec: { command: string; args: string[]; stdin: string }, signal?: AbortSignal, timeoutMs = 20000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve({ report: null, code: null, stderrTail: ['aborted'] });
    const child = spawn(spec.command, spec.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const stderr: string[] = [];
    child.stdin.on('error', () => undefined);
    child.stdin.end(spec.stdin);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t: string) => {
      if (out.length < MAX_REPORT_CHARS) out += t;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (t: string) => {
      for (const line of t.split('\n')) if (line.trim()) stderr.push(redactCredentials(line.trim()).slice(0, 300));
      stderr.splice(0, Math.max(0, stderr.length - 20));
    });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    child.once('error', (e) => stderr.push(`spawn failed: ${e.message}`));
    child.once('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      let report: ProbeReport | null = null;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        try {
          const parsed = probeReportSchema.safeParse(JSON.parse(line));
          if (parsed.success) report = parsed.data;
        } catch {
          /* not JSON: no report */
        }
      }
      resolve({ report, code, stderrTail: stderr });
    });
  });
}
