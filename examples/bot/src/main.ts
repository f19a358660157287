import { ChatError } from '@confab/sdk';

import { createBot } from './bot.js';
import { ConfigError, readConfig } from './config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`FAQ bot for app ${config.app} at ${config.url} (${config.authMode})\n`);
  const bot = createBot({ url: config.url, app: config.app, auth: config.auth });

  let stopping = false;
  const stop = (signal: string) => {
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  // A server that is still starting (or restarting) is worth waiting for; a refusal is not.
  for (let delayMs = 1000; !stopping; delayMs = Math.min(delayMs * 2, 30_000)) {
    try {
      await bot.start();
      return;
    } catch (err) {
      if (!(err instanceof ChatError) || !err.retryable) {
        process.stderr.write(`bot: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      }
      process.stderr.write(`bot: server unavailable (${err.message}); trying again in ${delayMs / 1000} s\n`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

void main();
