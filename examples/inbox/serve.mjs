// `npm start`: the agents' inbox on PORT (default 8081), for the Confab server at CONFAB_URL.
import { serveFromEnv } from '@confab/example-host-page/static-server';

await serveFromEnv(new URL('./public/', import.meta.url), { defaultPort: 8081, name: 'Confab inbox example' });
