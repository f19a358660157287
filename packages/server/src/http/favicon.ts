import type Router from '@koa/router';
import type Koa from 'koa';

/** Confab's icon: a speech bubble in the widget's accent blue, three dots of a conversation in it. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<path fill="#1d4ed8" d="M6 3h20a5 5 0 0 1 5 5v12a5 5 0 0 1-5 5H14l-7 5v-5H6a5 5 0 0 1-5-5V8a5 5 0 0 1 5-5z"/>
<circle fill="#fff" cx="10" cy="14" r="2.25"/><circle fill="#fff" cx="16" cy="14" r="2.25"/><circle fill="#fff" cx="22" cy="14" r="2.25"/>
</svg>
`;

/** What pages put in their head to show it. */
export const FAVICON_LINK = '<link rel="icon" href="/favicon.svg" type="image/svg+xml">';

function serve(ctx: Koa.Context): void {
  ctx.type = 'image/svg+xml';
  ctx.set('Cache-Control', 'public, max-age=86400');
  ctx.set('Content-Security-Policy', "default-src 'none'");
  ctx.body = FAVICON_SVG;
}

/**
 * `/favicon.svg`, linked by the server's pages, and `/favicon.ico` for pages that link none
 * (browsers ask for it by themselves; an SVG answer is shown all the same): no page logs a 404.
 */
export function mountFavicon(router: Router): void {
  router.get('/favicon.svg', serve);
  router.get('/favicon.ico', serve);
}
