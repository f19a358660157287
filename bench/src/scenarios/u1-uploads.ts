// U1: files at scale. 20 people each upload a 5 MiB file at once, then download them at once,
// through Confab with PostgreSQL storage and with disk storage (STORAGE_URL=file://); the baseline
// copies the same bytes with plain fs streams and reads them back, in a process of its own. Reports
// throughput (file bytes per second) and each process's peak heap + buffers over its memory at
// rest; every file must come back byte for byte.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { AttachmentDto } from '@confab/protocol';

import { type BenchUser, createTenant, signInUsers, startConfab, type Tenant } from '../confab.js';
import type { BenchContext } from '../context.js';
import { type MemoryPeak, type ServerProcess, startServerProcess } from '../processes.js';
import type { Row, ScenarioResult } from '../report.js';
import { round } from '../stats.js';

const FILES = 20;
const MIB = 1024 * 1024;
const FILE_BYTES = 5 * MIB;
const PIECE = 256 * 1024;
/** The target: the server holds at most this share of the bytes in flight at once. */
const MAX_HELD_SHARE = 0.25;

interface File {
  bytes: Buffer;
  digest: string;
}

interface Transfer {
  mibPerSec: number;
  /** Peak heap + buffers over the process at rest, MiB. */
  peakMib: number;
  rssMib: number;
}

interface Measured {
  upload: Transfer;
  download: Transfer;
  /** Peak retained heap + buffers over rest (a full GC before each sample, one more round), MiB. */
  retained: { upload: number; download: number };
  /** Files that came back different (or not at all), over every round. */
  mismatched: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What a visitor's browser would send: a PDF of random (incompressible) bytes. */
function makeFiles(): File[] {
  return Array.from({ length: FILES }, () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(FILE_BYTES - 9)]);
    return { bytes, digest: sha256(bytes) };
  });
}

/** One multipart upload, streamed in 256 KiB pieces at the pace the socket takes them. */
function upload(url: string, tenant: Tenant, user: BenchUser, file: File, name: string): Promise<AttachmentDto> {
  const boundary = `----confab-bench-${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  function* pieces() {
    yield Buffer.from(head);
    for (let at = 0; at < file.bytes.length; at += PIECE) yield file.bytes.subarray(at, at + PIECE);
    yield Buffer.from(tail);
  }
  const length = Buffer.byteLength(head) + file.bytes.length + Buffer.byteLength(tail);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/uploads`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${user.accessToken}`,
          'x-confab-app': tenant.id,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(length),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          res.statusCode === 201
            ? resolve(JSON.parse(text) as AttachmentDto)
            : reject(new Error(`upload: ${res.statusCode} ${text.slice(0, 300)}`)),
        );
      },
    );
    pipeline(Readable.from(pieces(), { objectMode: false, highWaterMark: PIECE }), req).catch(reject);
  });
}

/** One download, hashed as it arrives. */
function download(url: string, tenant: Tenant, user: BenchUser, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url + path, { headers: { authorization: `Bearer ${user.accessToken}`, 'x-confab-app': tenant.id } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`download: ${res.statusCode}`));
      }
      const hash = createHash('sha256');
      res.on('data', (piece: Buffer) => hash.update(piece));
      res.on('end', () => resolve(hash.digest('hex')));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Runs `work` with `node`'s peak memory watched (`retained`: after a full GC each time); throughput over the files' bytes. */
async function measured<T>(node: ServerProcess, work: () => Promise<T>, retained = false): Promise<{ result: T; transfer: Transfer }> {
  await node.peakStart(retained);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  const peak: MemoryPeak = await node.peakStop();
  return {
    result,
    transfer: { mibPerSec: (FILES * FILE_BYTES) / MIB / seconds, peakMib: (peak.heap - peak.rest) / MIB, rssMib: peak.rss / MIB },
  };
}

/** The median round's throughput and the highest peak of all rounds. */
function combine(transfers: Transfer[]): Transfer {
  const speeds = transfers.map((t) => t.mibPerSec).sort((a, b) => a - b);
  return {
    mibPerSec: speeds[Math.floor(speeds.length / 2)] ?? 0,
    peakMib: Math.max(...transfers.map((t) => t.peakMib)),
    rssMib: Math.max(...transfers.map((t) => t.rssMib)),
  };
}

/** What one round moves: the 20 files up (or copied), then down (or read back), with their digests. */
interface Rounds {
  label: string;
  node: ServerProcess;
  up(round: number): Promise<unknown>;
  down(round: number, up: unknown): Promise<string[]>;
}

/** `rounds` measured rounds, then one more with retained memory sampled (it slows the process down). */
async function runRounds(ctx: BenchContext, files: File[], rounds: number, subject: Rounds): Promise<Measured> {
  const ups: Transfer[] = [];
  const downs: Transfer[] = [];
  let mismatched = 0;
  const once = async (r: number, retained: boolean) => {
    const up = await measured(subject.node, () => subject.up(r), retained);
    const down = await measured(subject.node, () => subject.down(r, up.result), retained);
    mismatched += files.filter((file, i) => down.result[i] !== file.digest).length;
    return { up: up.transfer, down: down.transfer };
  };
  for (let r = 0; r < rounds; r++) {
    const { up, down } = await once(r, false);
    ups.push(up);
    downs.push(down);
    ctx.log(
      `  ${subject.label} round ${r + 1}: up ${round(up.mibPerSec)} MiB/s (peak +${round(up.peakMib)} MiB), ` +
        `down ${round(down.mibPerSec)} MiB/s (peak +${round(down.peakMib)} MiB)`,
    );
  }
  const retained = await once(rounds, true);
  ctx.log(`  ${subject.label} retained: up +${round(retained.up.peakMib)} MiB, down +${round(retained.down.peakMib)} MiB`);
  return {
    upload: combine(ups),
    download: combine(downs),
    retained: { upload: retained.up.peakMib, download: retained.down.peakMib },
    mismatched,
  };
}

async function confab(
  ctx: BenchContext,
  label: string,
  settings: Record<string, string>,
  files: File[],
  rounds: number,
): Promise<Measured> {
  const node = await startConfab(ctx.env, `u1-${label}`, settings);
  try {
    const tenant = await createTenant(ctx.env);
    const users = await signInUsers(node.url, tenant, FILES);
    return await runRounds(ctx, files, rounds, {
      label,
      node,
      up: (r) => Promise.all(files.map((file, i) => upload(node.url, tenant, users[i]!, file, `bench-${r}-${i}.pdf`))),
      down: (_r, up) => Promise.all((up as AttachmentDto[]).map((attachment, i) => download(node.url, tenant, users[i]!, attachment.url))),
    });
  } finally {
    await node.stop();
  }
}

async function fsCopy(ctx: BenchContext, files: File[], rounds: number): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'confab-bench-fs-'));
  const source = join(dir, 'source');
  const script = new URL('../fs-copy-server.js', import.meta.url).pathname;
  const node = await startServerProcess({ name: 'u1-fs-copy', script, env: {} });
  const post = async <T>(path: string): Promise<T> => {
    const res = await fetch(node.url + path, { method: 'POST' });
    if (!res.ok) throw new Error(`fs copy ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  try {
    mkdirSync(source);
    files.forEach((file, i) => writeFileSync(join(source, `${i}`), file.bytes));
    const target = (r: number) => encodeURIComponent(join(dir, `copy-${r}`));
    return await runRounds(ctx, files, rounds, {
      label: 'fs copy',
      node,
      up: (r) => post(`/copy?from=${encodeURIComponent(source)}&to=${target(r)}`),
      down: async (r) => {
        const { digests } = await post<{ digests: Record<string, string> }>(`/read?dir=${target(r)}`);
        return files.map((_, i) => digests[String(i)] ?? '');
      },
    });
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function u1Uploads(ctx: BenchContext): Promise<ScenarioResult> {
  const rounds = ctx.quick ? 1 : 3;
  const files = makeFiles();
  const diskDir = mkdtempSync(join(tmpdir(), 'confab-bench-files-'));
  try {
    const database = await confab(ctx, 'postgres', {}, files, rounds);
    const disk = await confab(ctx, 'disk', { STORAGE_URL: `file://${diskDir}` }, files, rounds);
    const baseline = await fsCopy(ctx, files, rounds);
    const inFlightMib = (FILES * FILE_BYTES) / MIB;
    const heldMax = inFlightMib * MAX_HELD_SHARE;
    const retainedPeaks = [database, disk].flatMap((m) => [m.retained.upload, m.retained.download]);
    const mismatched = database.mismatched + disk.mismatched;
    const speed = (metric: string, confabFigure: Transfer, baselineFigure: Transfer): Row => ({
      metric,
      confab: round(confabFigure.mibPerSec),
      baseline: round(baselineFigure.mibPerSec),
      unit: 'MiB/s',
      better: 'higher',
    });
    const held = (metric: string, confabFigure: Transfer, baselineFigure: Transfer): Row => ({
      metric,
      confab: round(confabFigure.peakMib),
      baseline: round(baselineFigure.peakMib),
      unit: 'MiB',
      better: 'lower',
    });
    const rssOf = (m: Measured) => round(Math.max(m.upload.rssMib, m.download.rssMib));
    const retainedRow = (metric: string, confabMib: number, baselineMib: number): Row => ({
      metric,
      confab: round(confabMib),
      baseline: round(baselineMib),
      unit: 'MiB',
      better: 'lower',
    });
    return {
      id: 'U1',
      title: `files: ${FILES} concurrent ${FILE_BYTES / MIB} MiB uploads, then downloads`,
      baseline: 'plain fs stream copy / read',
      rows: [
        speed('upload, PostgreSQL storage', database.upload, baseline.upload),
        speed('download, PostgreSQL storage', database.download, baseline.download),
        speed('upload, disk storage', disk.upload, baseline.upload),
        speed('download, disk storage', disk.download, baseline.download),
        held('peak heap + buffers, uploading (PostgreSQL)', database.upload, baseline.upload),
        held('peak heap + buffers, downloading (PostgreSQL)', database.download, baseline.download),
        held('peak heap + buffers, uploading (disk)', disk.upload, baseline.upload),
        held('peak heap + buffers, downloading (disk)', disk.download, baseline.download),
        retainedRow('retained, uploading (PostgreSQL)', database.retained.upload, baseline.retained.upload),
        retainedRow('retained, downloading (PostgreSQL)', database.retained.download, baseline.retained.download),
        retainedRow('retained, uploading (disk)', disk.retained.upload, baseline.retained.upload),
        retainedRow('retained, downloading (disk)', disk.retained.download, baseline.retained.download),
        { metric: 'files back different', confab: mismatched, baseline: baseline.mismatched, better: 'lower' },
      ],
      target: {
        text:
          `every file back byte for byte; the server's retained heap + buffers at most ${heldMax} MiB over rest ` +
          `(a quarter of the ${inFlightMib} MiB in flight)`,
        met: mismatched === 0 && retainedPeaks.every((peak) => peak <= heldMax),
      },
      notes: [
        `${rounds} round(s) each way per storage: the median round's throughput and the highest peak (sampled every 10 ms in ` +
          'the process, garbage included, over its heap + buffers after a full GC before the round); then one more round ' +
          'for "retained" (a full GC before each sample, every 50 ms)',
        `peak RSS: PostgreSQL ${rssOf(database)} MiB, disk ${rssOf(disk)} MiB, fs copy ${rssOf(baseline)} MiB`,
        'uploads are multipart over loopback HTTP (typed from their first bytes, counted against quotas, recorded); ' +
          'the baseline copies files already in the page cache, with no HTTP, no database and no checks',
        'S3 storage is not measured here (the tests measure it against s3rver: ' +
          'its 5 MiB parts, three in flight, hold about 15 MiB per upload)',
      ],
      raw: { rounds, files: FILES, fileBytes: FILE_BYTES, database, disk, baseline },
    };
  } finally {
    rmSync(diskDir, { recursive: true, force: true });
  }
}
