import type { AddressInfo } from 'node:net';

import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

import { sleep } from './wait.js';

export interface Received {
  at: number;
  mail: ParsedMail;
}

/** A real SMTP server on loopback: what arrives over SMTP, parsed; `refuse` answers 451 that many times per address. */
export async function smtpSink(delayMs = 0) {
  const received: Received[] = [];
  const refusals: number[] = [];
  const refuse = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        void (async () => {
          if (delayMs) await sleep(delayMs);
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const left = refuse.get(to) ?? 0;
          if (left > 0) {
            refuse.set(to, left - 1);
            refusals.push(Date.now());
            callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
            return;
          }
          received.push({ at: Date.now(), mail: await simpleParser(Buffer.concat(chunks)) });
          callback();
        })();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refusals,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The raw `List-Unsubscribe` value (mailparser folds List-* headers into one object). */
export const unsubscribeHeader = (mail: ParsedMail): string | undefined =>
  mail.headerLines.find((h) => h.key === 'list-unsubscribe')?.line.replace(/^List-Unsubscribe:\s*/i, '');
