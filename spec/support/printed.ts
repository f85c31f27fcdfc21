// Everything a value prints when a handler logs it, through the serialisers people use: JSON.stringify,
// util.inspect (depth Infinity), console.log (a real Console), Powertools for AWS Lambda's Logger and pino (the
// real ones: each walks an error's own properties and its cause its own way, which a shape copied into this file
// could get wrong).
import { Logger } from '@aws-lambda-powertools/logger';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';

/** A sink that keeps what is written to it. */
function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** What Powertools' Logger writes while `log` runs: it writes to process.stdout and stderr itself. */
function powertools(log: (logger: Logger) => void): string {
  const written: string[] = [];
  const capture = (chunk: unknown) => (written.push(String(chunk)), true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    log(new Logger({ serviceName: 'spec', logLevel: 'DEBUG' }));
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written.join('');
}

function pinoLine(log: (logger: pino.Logger) => void): string {
  const { stream, text } = sink();
  const logger = pino({ level: 'debug' }, stream);
  log(logger);
  logger.flush();
  return text();
}

/** What `value` prints through each serialiser, by name; an Error is logged as an error, anything else as data. */
export function printed(value: unknown): Record<string, string> {
  const { stream, text } = sink();
  new Console({ stdout: stream, stderr: stream }).log(value);
  const isError = value instanceof Error;
  return {
    'JSON.stringify': JSON.stringify(value) ?? String(value),
    'util.inspect': inspect(value, { depth: Infinity, showHidden: false }),
    'console.log': text(),
    'powertools logger': powertools((logger) =>
      isError ? logger.error('failed', value) : logger.info('value', { value }),
    ),
    pino: pinoLine((logger) => (isError ? logger.error(value, 'failed') : logger.info({ value }, 'value'))),
  };
}

/** The serialisers whose output contains `needle`, so that a failure says which ones printed it. */
export function printing(value: unknown, needle: string): string[] {
  return Object.entries(printed(value))
    .filter(([, text]) => text.includes(needle))
    .map(([name]) => name);
}
