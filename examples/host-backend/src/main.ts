import { createHostBackend } from './app.js';
import { ConfigError, readConfig } from './config.js';

function main(): void {
  let config;
  try {
    config = readConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  if (config.sessionSecretGenerated) {
    process.stderr.write('host-backend: SESSION_SECRET is not set; using a random one, so sign-ins end when this process stops\n');
  }
  const { http } = createHostBackend(config);
  http.listen(config.port, () => {
    process.stdout.write(`Host backend on http://localhost:${config.port} (Confab at ${config.confabUrl}, app ${config.appId})\n`);
  });
  const stop = () => http.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
