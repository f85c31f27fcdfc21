// The parent of the end-to-end comparisons: runs each side in child processes of its own against the
// dynalite of this process, alternating (raw, ours, ours, raw, ...), and sums their reports into tables. The
// children are spawned asynchronously: this process's event loop must stay free to serve dynalite.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { CART_SIZES, type CartSize, makeCart } from './cart-data';
import { type Mode, type ModeReport, type WorkerConfig, type WorkerReport } from './side';
import { fmt, median } from '../stats';

export type SideName = 'raw' | 'ours' | 'connect';
const WORKER: Record<SideName, string> = {
  raw: join(__dirname, 'raw-worker.js'),
  ours: join(__dirname, 'ours-worker.js'),
  connect: join(__dirname, 'connect-worker.js'),
};

/** One side's results for one cart size, over every child process of it. */
export interface SideResult {
  /** Every timed block's median, µs: the runs. */
  runs: Record<Mode, number[]>;
  /** Bytes allocated per invocation, one figure per child process. */
  bytes: Record<Mode, number[]>;
  requests: Record<Mode, string[]>;
  capacity: Record<Mode, number>;
  jsonBytes: number;
  storedBytes: number;
}

function spawnWorker(side: SideName, config: WorkerConfig): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER[side], JSON.stringify(config)], {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out) as WorkerReport) : reject(new Error(`${side} worker: ${err}`)),
    );
  });
}

/**
 * Invocations per timed block: a fraction of a second to a second or two here whatever the cart's size, so that the
 * whole bench stays within minutes on a loaded 2-core machine.
 */
export function perBlock(size: CartSize): number {
  return { 'cart, 5 lines': 60, '1 KB': 60, '10 KB': 30, '100 KB': 8, '386 KB': 4 }[size];
}

/**
 * Runs `sides` for one cart size: `rounds` child processes per side, alternating which starts each round,
 * each child warming up and then timing `blocks` blocks per mode.
 */
export async function compareSides(
  sides: readonly SideName[],
  size: CartSize,
  options: {
    endpoint: string;
    tables: Record<SideName, string>;
    rounds: number;
    blocks: number;
    cookie?: boolean;
  },
): Promise<Record<SideName, SideResult>> {
  const modes: Mode[] = ['unchanged', 'changed'];
  const results = {} as Record<SideName, SideResult>;
  for (let r = 0; r < options.rounds; r++) {
    for (const side of r % 2 ? [...sides].reverse() : sides) {
      const n = perBlock(size);
      const report = await spawnWorker(side, {
        endpoint: options.endpoint,
        table: options.tables[side],
        size,
        modes,
        perBlock: n,
        blocks: options.blocks,
        warm: Math.max(10, n),
        ...(options.cookie ? { cookie: true } : {}),
      });
      const result = (results[side] ??= {
        runs: { unchanged: [], changed: [] },
        bytes: { unchanged: [], changed: [] },
        requests: { unchanged: [], changed: [] },
        capacity: { unchanged: 0, changed: 0 },
        jsonBytes: report.jsonBytes,
        storedBytes: report.storedBytes,
      });
      for (const mode of modes) {
        const m: ModeReport = report.modes[mode]!;
        result.runs[mode].push(...m.blockMedians);
        result.bytes[mode].push(m.bytesPerInvocation);
        result.requests[mode] = m.requests;
        result.capacity[mode] = m.capacity;
      }
    }
  }
  return results;
}

/** `min / median / max` of the runs, in ms. */
export const range = (runs: readonly number[], scale = 1000, digits = 2) =>
  `${fmt(Math.min(...runs) / scale, digits)} / ${fmt(median(runs) / scale, digits)} / ${fmt(Math.max(...runs) / scale, digits)}`;

/** A ratio against its target: met, or **missed** with the figure, never left out. */
export function verdict(ratio: number, target: number | undefined): string {
  if (target === undefined) return '—';
  return ratio <= target ? `≤ ${fmt(target, 2)}: met` : `≤ ${fmt(target, 2)}: **missed** (${fmt(ratio, 3)})`;
}

/** The brotli ratios of the bench's carts: quality 5 (what the store uses) and 11 (the best). */
export function brotliRatios(size: CartSize): { json: number; q5: number; q11: number; lines: number } {
  const cart = makeCart(CART_SIZES[size]);
  const json = JSON.stringify(cart);
  const at = (quality: number) =>
    brotliCompressSync(json, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: quality, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
    }).length;
  return { json: json.length, q5: json.length / at(5), q11: json.length / at(11), lines: cart.lines.length };
}
