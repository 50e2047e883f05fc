/** A resident's camera for tests: real ffmpeg publishing a moving test pattern over RTMP or RTSP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { encoderArgs } from '@wardwall/endpoint/demo';

export interface Publisher {
  proc: ChildProcess;
  /** Resolves with the exit code when ffmpeg ends (refused, kicked, or closed). */
  exited: Promise<number | null>;
  stderr(): string;
  close(): Promise<void>;
}

export function publish(url: string): Publisher {
  const rtmp = url.startsWith('rtmp:');
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15',
    ...encoderArgs({ gopFrames: 15 }, 400),
    ...(rtmp ? ['-f', 'flv'] : ['-f', 'rtsp', '-rtsp_transport', 'tcp']),
    url,
  ];
  const proc = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (t: string) => (err = (err + t).slice(-2000)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    stderr: () => err,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
