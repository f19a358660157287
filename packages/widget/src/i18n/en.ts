/**
 * English strings of the first load (the launcher and the panel's shell), the shape every locale's
 * core fills; the rest come with the code that shows them (conversation/, inbox/). `{name}`-style
 * placeholders are replaced by `t()`.
 */
export const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  unread: '{count} unread messages',
  // The panel's header: title, availability, reply time
  defaultTitle: 'Chat with us',
  defaultSubtitle: 'We usually answer in a few minutes',
  agentsOnline: '{count} online',
  teamOffline: 'We are offline: leave a message',
  reconnecting: 'Reconnecting…',
  backToConversations: 'Back to your conversations',
  replyMinutes: 'Typically replies in a few minutes',
  replyHours: 'Typically replies in a few hours',
  replyDay: 'Typically replies in a day',
  // The panel's banners and what it shows while the chat loads, or when it failed
  offline: 'You are offline. Messages will be sent when the connection is back.',
  conversationResolvedNote: 'This conversation was resolved. Write a message to reopen it.',
  loading: 'Loading…',
  noMessages: 'No messages yet. Say hello!',
  errorGeneric: 'Something went wrong: {message}',
  retry: 'Retry',
  // The pre-chat form and the ended session
  prechatIntro: 'Tell us who you are and we will get back to you.',
  name: 'Name',
  email: 'Email',
  startChat: 'Start chat',
  required: 'Required',
  invalidEmail: 'Enter a valid email address',
  sessionEnded: 'This chat session has ended.',
  sessionEndedElsewhere: 'You signed out of the chat in another tab.',
  sessionEndedGuest: 'Messages from before can no longer be shown on this device.',
  continueChat: 'Continue',
  startNewChat: 'Start a new conversation',
  // The page's title while a new message waits unread
  newMessageTitle: '({count}) New message',
};

export type CoreStrings = typeof en;
