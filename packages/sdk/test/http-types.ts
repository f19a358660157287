// The SDK's REST calls are typed from @confab/protocol's route table: what must compile does, and every
// misuse below fails (an unused @ts-expect-error is itself an error). Checked by types.test.ts and
// `npm run typecheck`; never run. The transport is internal, so its source is compiled here, not dist.
import type {
  AttachmentDto,
  MessageDto,
  PageDto,
  ReactionUpdatedEvent,
  RoomDto,
  StartConversationResult,
  UploadLinksDto,
  UserDto,
} from '@confab/protocol';

import type { HttpTransport } from '../src/transport/http.js';

declare const http: HttpTransport;
declare const form: FormData;

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `value` is exactly of type `T` (neither wider nor narrower, nor `any`). */
const exactly =
  <T>() =>
  <V>(value: V, ..._proof: Equals<V, T> extends true ? [] : ['not exactly this type']): V =>
    value;

export async function correctCalls(id: string): Promise<void> {
  exactly<UserDto>()(await http.call('GET /v1/me'));
  exactly<RoomDto>()(await http.call('GET /v1/rooms/:id', { params: { id } }));
  const created: RoomDto = await http.call('POST /v1/rooms', { body: { name: 'Team', kind: 'group', memberIds: [id] } });
  const page: PageDto<MessageDto> = await http.call('GET /v1/rooms/:id/messages', { params: { id }, query: { before: 10, limit: 50 } });
  exactly<MessageDto>()(await http.call('POST /v1/rooms/:id/messages', { params: { id }, body: { clientId: 'c1', text: 'Olá' } }));
  exactly<void>()(await http.call('DELETE /v1/rooms/:id/members/:userId', { params: { id, userId: id } }));
  exactly<ReactionUpdatedEvent>()(await http.call('PUT /v1/messages/:id/reactions/:emoji', { params: { id, emoji: '🎉' } }));
  // Optional parts may be left out: the query, and the options altogether when nothing is required.
  const rooms = await http.call('GET /v1/rooms');
  const started: StartConversationResult = await http.call('POST /v1/support/conversations', { body: {} });
  const file: AttachmentDto = await http.call('POST /v1/uploads', { form, onUploadProgress: (sent) => console.log(sent) });
  const session = await http.call('POST /v1/auth/login', { body: { username: 'ana', password: 'pw' }, bearer: 'guest-token' });
  const apps = await http.call('GET /v1/admin/apps', { bearer: 'admin-token' });
  const src: string = http.url('GET /v1/uploads/:id', { params: { id }, query: { exp: 1741944667, sig: 's' } });
  const links: UploadLinksDto = await http.call('POST /v1/uploads/links', { body: { ids: [id] } });
  console.log(created, page, rooms, started, file, session.user, apps.items, src, links.items);
}

export async function wrongCalls(id: string): Promise<void> {
  // @ts-expect-error no such operation
  await http.call('GET /v1/roomz', {});
  // @ts-expect-error the path exists, but not with this method
  await http.call('PUT /v1/me', { body: { name: 'Ana' } });

  // @ts-expect-error POST /v1/rooms takes a body
  await http.call('POST /v1/rooms');
  // @ts-expect-error the room's name is required
  await http.call('POST /v1/rooms', { body: { kind: 'group' } });
  // @ts-expect-error the name is a string
  await http.call('POST /v1/rooms', { body: { name: 42 } });
  // @ts-expect-error kind is a closed union
  await http.call('POST /v1/rooms', { body: { name: 'Team', kind: 'secret' } });
  // @ts-expect-error no such field in the body
  await http.call('POST /v1/rooms', { body: { name: 'Team', colour: 'red' } });
  // @ts-expect-error the room id comes from the path, not the body
  await http.call('POST /v1/rooms/:id/messages', { params: { id }, body: { roomId: id, clientId: 'c1', text: 'hi' } });
  // @ts-expect-error GET /v1/me takes no body
  await http.call('GET /v1/me', { body: {} });
  // @ts-expect-error an upload is a form, not JSON
  await http.call('POST /v1/uploads', { body: { file: 'base64' } });

  // @ts-expect-error the path has :id
  await http.call('GET /v1/rooms/:id');
  // @ts-expect-error the path has :id
  await http.call('GET /v1/rooms/:id', { params: {} });
  // @ts-expect-error the param is called id
  await http.call('GET /v1/rooms/:id', { params: { roomId: id } });
  // @ts-expect-error both params of the path are needed
  await http.call('DELETE /v1/rooms/:id/members/:userId', { params: { id } });
  // @ts-expect-error GET /v1/me has no path params
  await http.call('GET /v1/me', { params: { id } });

  // @ts-expect-error GET /v1/me reads no query
  await http.call('GET /v1/me', { query: { limit: 10 } });
  // @ts-expect-error limit is a number
  await http.call('GET /v1/rooms', { query: { limit: '10' } });

  // @ts-expect-error admin operations need the admin token
  await http.call('GET /v1/admin/apps');
  // @ts-expect-error refreshing sends no bearer token (the refresh token is the credential)
  await http.call('POST /v1/auth/refresh', { bearer: 't', body: { refreshToken: 'r' } });
  // @ts-expect-error a file is read by URL, not as JSON
  await http.call('GET /v1/uploads/:id', { params: { id } });
  // @ts-expect-error only GET operations have a URL to load
  http.url('POST /v1/rooms', {});
}

export async function wrongResponses(id: string): Promise<void> {
  // @ts-expect-error a room is not a message
  const room: MessageDto = await http.call('GET /v1/rooms/:id', { params: { id } });
  // @ts-expect-error a page, not an array
  const rooms: RoomDto[] = await http.call('GET /v1/rooms');
  // @ts-expect-error a 204 answers nothing
  const deleted: { ok: boolean } = await http.call('DELETE /v1/canned-responses/:id', { params: { id } });
  // @ts-expect-error the URL is a string
  const url: URL = http.url('GET /v1/uploads/:id', { params: { id } });
  console.log(room, rooms, deleted, url);
}
