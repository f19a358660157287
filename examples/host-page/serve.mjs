// `npm start`: the host page on PORT (default 8080), embedding the widget from CONFAB_URL.
import { serveFromEnv } from './static-server.mjs';

await serveFromEnv(new URL('./public/', import.meta.url), { defaultPort: 8080, name: 'Confab host page example' });
