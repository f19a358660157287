import type {
  AgentAvailability,
  AttachmentDto,
  CannedResponseDto,
  PageDto,
  StartConversationInput,
  StartConversationResult,
  SupportAvailabilityDto,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportSettingsDto,
  SupportStatus,
} from '@confab/protocol';

import { newClientId } from './ids.js';
import type { HttpTransport } from './transport/http.js';

export interface InboxFilter {
  status?: SupportStatus;
  /** `me`, `none`, or an agent's id. */
  assignee?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Support conversations: visitors start them; agents list, claim, assign, resolve and reopen
 * them. Get it as `client.support`.
 */
export function createSupportApi(http: HttpTransport) {
  const action = (id: string, verb: string, body?: unknown) =>
    http.request<SupportConversationDto>('POST', `/v1/support/conversations/${id}/${verb}`, { auth: true, body });
  return {
    /**
     * Starts a conversation with the app's team, optionally with a first message (retried safely).
     * @example const conversation = await client.support.start({ text: 'Hi!', visitor: { pageUrl: location.href } });
     */
    start: (input: Omit<StartConversationInput, 'clientId'> & { clientId?: string } = {}) =>
      http.request<StartConversationResult>('POST', '/v1/support/conversations', {
        auth: true,
        body: input.text || input.attachments?.length ? { clientId: newClientId(), ...input } : input,
      }),
    /** Greeting, away message, business hours and who is online: needs no session. */
    settings: () => http.request<SupportSettingsDto>('GET', '/v1/support/settings'),
    /** Agents: the inbox by last activity, with unread counts. */
    inbox: (filter: InboxFilter = {}) =>
      http.request<PageDto<SupportInboxItemDto>>('GET', '/v1/support/conversations', { auth: true, query: { ...filter } }),
    get: (id: string) => http.request<SupportConversationDto>('GET', `/v1/support/conversations/${id}`, { auth: true }),
    /** Claims the conversation, or (with an agent id) hands it over; `null` unassigns it. */
    assign: (id: string, agentId?: string | null) => action(id, 'assign', agentId === undefined ? {} : { agentId }),
    resolve: (id: string) => action(id, 'resolve'),
    reopen: (id: string) => action(id, 'reopen'),
    /** Agents: take conversations (`online`) or not (`away`) while connected. */
    setAvailability: (availability: AgentAvailability) =>
      http.request<SupportAvailabilityDto>('PUT', '/v1/support/availability', { auth: true, body: { availability } }),
    /** Agents' saved replies. */
    canned: {
      list: (q?: string) => http.request<PageDto<CannedResponseDto>>('GET', '/v1/canned-responses', { auth: true, query: { q } }),
      create: (input: { shortcut: string; text: string }) =>
        http.request<CannedResponseDto>('POST', '/v1/canned-responses', { auth: true, body: input }),
      update: (id: string, patch: { shortcut?: string; text?: string }) =>
        http.request<CannedResponseDto>('PATCH', `/v1/canned-responses/${id}`, { auth: true, body: patch }),
      delete: (id: string) => http.request<void>('DELETE', `/v1/canned-responses/${id}`, { auth: true }),
    },
  };
}

export type SupportApi = ReturnType<typeof createSupportApi>;

/** Files: upload before sending (pass the ids as `attachments`), and URLs to show them. */
export function createUploadsApi(http: HttpTransport, baseUrl: string, accessToken: () => Promise<string>) {
  return {
    /**
     * Uploads a file; its type is decided by the server from the content.
     * `onProgress` reports the bytes sent (browsers only).
     * @example const file = await client.uploads.upload(input.files[0]); await room.send('', { attachments: [file.id] });
     */
    upload: (
      file: Blob,
      name = (file as Blob & { name?: string }).name ?? 'file',
      options: { onProgress?: (sent: number, total: number) => void } = {},
    ) => {
      const form = new FormData();
      form.append('file', file, name);
      return http.request<AttachmentDto>('POST', '/v1/uploads', { auth: true, form, onUploadProgress: options.onProgress });
    },
    /** An absolute URL that loads the file in `<img src>` or a link (carries a short-lived token). */
    src: async (attachment: Pick<AttachmentDto, 'url'>) =>
      `${baseUrl}${attachment.url}?access_token=${encodeURIComponent(await accessToken())}`,
  };
}

export type UploadsApi = ReturnType<typeof createUploadsApi>;
