import type { AsyncApiDocument, AsyncApiMessage, AsyncApiOperation } from './asyncapi.js';
import type { JsonSchema } from './asyncapi-events.js';
import { codeBlock, escapeHtml, layout } from './docs-pages.js';

// `/docs/realtime`: the AsyncAPI document rendered as one readable page, from the document alone.

/** The value a local `$ref` (`#/a/b`) points at in the document. */
function resolve(doc: AsyncApiDocument, ref: string): unknown {
  let node: unknown = doc;
  for (const key of ref.replace(/^#\//, '').split('/')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  return node;
}

/** The message a reference names, following references to references (channel → components). */
function message(doc: AsyncApiDocument, ref: { $ref: string } | undefined): AsyncApiMessage | undefined {
  let node: unknown = ref;
  for (let hops = 0; hops < 4 && node && typeof (node as { $ref?: unknown }).$ref === 'string'; hops++) {
    node = resolve(doc, (node as { $ref: string }).$ref);
  }
  return node as AsyncApiMessage | undefined;
}

/** Inline Markdown: `code`, **bold** and [links](url), the text escaped first. */
function inline(text: string): string {
  return text
    .split('`')
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${escapeHtml(part)}</code>`;
      return escapeHtml(part)
        .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
        .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^\s)]*)\)/g, '<a href="$2">$1</a>');
    })
    .join('');
}

/** The little Markdown the document's descriptions use: `##` headings, `-` lists (indented lines continue an item), paragraphs. */
export function markdown(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n');
      const [first = ''] = lines;
      if (first.startsWith('## '))
        return `<h2>${inline(first.slice(3))}</h2>${lines.length > 1 ? markdown(lines.slice(1).join('\n')) : ''}`;
      if (first.startsWith('- ')) {
        const items: string[] = [];
        for (const line of lines) {
          if (line.startsWith('- ')) items.push(line.slice(2));
          else items.push(`${items.pop() ?? ''} ${line.trim()}`);
        }
        return `<ul>${items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`;
      }
      return `<p>${inline(lines.map((line) => line.trim()).join(' '))}</p>`;
    })
    .join('\n');
}

const schemaName = (ref: string) => ref.replace('#/components/schemas/', '');

/** A schema as a short type expression with links to named schemas; objects are spelled out `depth` levels deep. */
function typeHtml(schema: JsonSchema | undefined, depth = 0): string {
  if (!schema) return '<code>any</code>';
  if (typeof schema.$ref === 'string') {
    const name = schemaName(schema.$ref);
    return `<a href="#schema-${escapeHtml(name)}"><code>${escapeHtml(name)}</code></a>`;
  }
  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (alternatives) return alternatives.map((s) => typeHtml(s, depth)).join(' | ');
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `<code>${escapeHtml(JSON.stringify(v))}</code>`).join(' | ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [typeof schema.type === 'string' ? schema.type : 'any'];
  return types
    .map((type) => {
      if (type === 'array') return `${typeHtml(schema.items as JsonSchema | undefined, depth)}[]`;
      if (type === 'object' && schema.properties && depth > 0) {
        const required = new Set((schema.required as string[] | undefined) ?? []);
        const fields = Object.entries(schema.properties as Record<string, JsonSchema>).map(
          ([name, field]) => `${escapeHtml(name)}${required.has(name) ? '' : '?'}: ${typeHtml(field, depth - 1)}`,
        );
        return `{ ${fields.join(', ')} }`;
      }
      const format = type === 'string' && typeof schema.format === 'string' ? ` (${escapeHtml(schema.format)})` : '';
      return `<code>${escapeHtml(type)}</code>${format}`;
    })
    .join(' | ');
}

const RULES: [string, string][] = [
  ['minLength', 'min length'],
  ['maxLength', 'max length'],
  ['minimum', 'min'],
  ['maximum', 'max'],
  ['maxItems', 'max items'],
  ['pattern', 'pattern'],
  ['default', 'default'],
];

/** One row per field of an object schema: name, type, required, rules and description. */
function fieldsTable(schema: JsonSchema): string {
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return `<p>${typeHtml(schema, 1)}</p>`;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, field]) => {
    // A bound of MAX_SAFE_INTEGER only says "a safe integer": not worth a note.
    const rules = RULES.filter(([key]) => field[key] !== undefined && field[key] !== Number.MAX_SAFE_INTEGER).map(
      ([key, label]) => `${label} <code>${escapeHtml(key === 'pattern' ? String(field[key]) : JSON.stringify(field[key]))}</code>`,
    );
    const notes = [typeof field.description === 'string' ? inline(field.description) : '', rules.join(', ')].filter(Boolean).join('<br>');
    const cells = [`<code>${escapeHtml(name)}</code>`, typeHtml(field, 1), required.has(name) ? 'yes' : '', notes];
    return `<tr>${cells.map((cell, i) => (i === 1 ? `<td class="type">${cell}</td>` : `<td>${cell}</td>`)).join('')}</tr>`;
  });
  const head = '<thead><tr><th class="name">field</th><th>type</th><th class="req">required</th><th class="notes">notes</th></tr></thead>';
  return `<div class="scroll"><table class="fields">${head}<tbody>${rows.join('')}</tbody></table></div>`;
}

interface EventView {
  operation: AsyncApiOperation;
  event: string;
  anchor: string;
  toServer: boolean;
  payload: AsyncApiMessage | undefined;
  ack: AsyncApiMessage | undefined;
  /** The ack's `data` schema and error codes, read from its `oneOf` of success and failure. */
  ackData: JsonSchema | undefined;
  errors: string[];
}

function eventView(doc: AsyncApiDocument, operation: AsyncApiOperation): EventView {
  const toServer = operation.action === 'receive';
  const ack = message(doc, operation.reply?.messages[0]);
  const [success, failure] = ((ack?.payload.oneOf as JsonSchema[] | undefined) ?? []).map(
    (branch) => branch.properties as Record<string, JsonSchema>,
  );
  const error = failure?.error?.properties as Record<string, JsonSchema> | undefined;
  return {
    operation,
    event: operation.title,
    anchor: `event-${toServer ? 'client' : 'server'}-${operation.title.replace(/[^a-z0-9]+/gi, '-')}`,
    toServer,
    payload: message(doc, operation.messages[0]),
    ack,
    ackData: success?.data,
    errors: ((error?.code?.enum as string[] | undefined) ?? []).slice(),
  };
}

const direction = (view: EventView) =>
  view.toServer ? '<span class="dir in">client → server</span>' : '<span class="dir out">server → client</span>';
const codes = (list: string[]) => list.map((code) => `<code>${escapeHtml(code)}</code>`).join(' ');

/** The table lists each event's own codes; those every event shares are named once, under it. */
function eventRow(view: EventView, common: Set<string>): string {
  const own = view.errors.filter((code) => !common.has(code));
  const errors = view.toServer ? `${codes(own)} <a class="muted" href="#common-errors">+ common</a>` : '';
  const ack = view.toServer ? typeHtml(view.ackData, 1) : '<span class="muted">none</span>';
  return `<tr><td><a href="#${view.anchor}"><code>${escapeHtml(view.event)}</code></a></td><td>${direction(view)}</td>
<td class="type">${typeHtml(view.payload?.payload, 1)}</td><td class="type">${ack}</td><td class="errors">${errors}</td></tr>`;
}

function eventSection(view: EventView): string {
  const payload = view.payload;
  const parts = [
    `<section class="event" id="${view.anchor}">`,
    `<h3><code>${escapeHtml(view.event)}</code> ${direction(view)}</h3>`,
    `<p>${inline(view.operation.summary)}</p>`,
  ];
  if (view.operation.description) parts.push(markdown(view.operation.description));
  if (payload) {
    parts.push('<h4>Payload</h4>', fieldsTable(payload.payload));
    const [example] = payload.examples;
    if (example) parts.push(codeBlock(JSON.stringify(example.payload, null, 2), `${view.event} example payload`));
  }
  if (view.ack) {
    parts.push(
      `<h4>Acknowledgement</h4><p><code>{ data }</code> with data ${typeHtml(view.ackData, 1)},` +
        ` or <code>{ error }</code> with code ${codes(view.errors)}.</p>`,
    );
    for (const example of view.ack.examples) {
      const json = codeBlock(JSON.stringify(example.payload, null, 2), `${view.event} example ack (${example.name})`);
      parts.push(`<details><summary>Example ack: ${escapeHtml(example.name)}</summary>${json}</details>`);
    }
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** The page, every value of the document escaped. */
export function realtimePage(doc: AsyncApiDocument): string {
  const views = Object.values(doc.operations).map((operation) => eventView(doc, operation));
  const inbound = views.filter((v) => v.toServer);
  const outbound = views.filter((v) => !v.toServer);
  const servers = Object.values(doc.servers).map(
    (server) =>
      `<li><code>${escapeHtml(`${server.protocol}://${server.host}${server.pathname}`)}</code>: ${inline(server.description)}</li>`,
  );
  const channel = Object.values(doc.channels)[0];
  const query = (channel?.bindings.ws as { query?: JsonSchema } | undefined)?.query;
  const security = Object.values(doc.components.securitySchemes).map((scheme) => inline(String(scheme.description ?? '')));
  const common = new Set(
    inbound.reduce<string[]>((shared, view, i) => (i === 0 ? view.errors : shared.filter((c) => view.errors.includes(c))), []),
  );
  const columns = '<tr><th>event</th><th>direction</th><th>payload</th><th>ack data</th><th>errors</th></tr>';
  const body = `    <h1>Realtime reference</h1>
    <p class="lead">${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}, generated from
    <a href="/v1/asyncapi.json">asyncapi.json</a> (AsyncAPI ${escapeHtml(doc.asyncapi)}).</p>
    ${markdown(doc.info.description)}
    <h2 id="server">Server</h2>
    <ul>${servers.join('')}
    <li>Authentication: ${security.join(' ')}</li></ul>
    ${query ? `<p>Handshake query:</p>${fieldsTable(query)}` : ''}
    <h2 id="events">Events</h2>
    <div class="scroll"><table class="events"><thead>${columns}</thead><tbody>
    <tr><th colspan="5">Client → server (${inbound.length}): emitted with an acknowledgement callback</th></tr>
    ${inbound.map((view) => eventRow(view, common)).join('\n')}
    <tr><th colspan="5">Server → client (${outbound.length})</th></tr>
    ${outbound.map((view) => eventRow(view, common)).join('\n')}
    </tbody></table></div>
    <p id="common-errors">Any client event may also be answered with ${codes([...common])}.</p>
    <h2>Client → server events</h2>
    ${inbound.map(eventSection).join('\n')}
    <h2>Server → client events</h2>
    ${outbound.map(eventSection).join('\n')}
    <h2 id="schemas">Schemas</h2>
    ${Object.entries(doc.components.schemas)
      .map(
        ([name, schema]) =>
          `<section id="schema-${escapeHtml(name)}"><h3><code>${escapeHtml(name)}</code></h3>${fieldsTable(schema)}</section>`,
      )
      .join('\n')}`;
  return layout('Confab: realtime reference', 'realtime', body);
}
