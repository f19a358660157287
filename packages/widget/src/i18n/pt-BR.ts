import type { CoreStrings } from './en.js';

export const ptBR: CoreStrings = {
  openChat: 'Abrir o chat',
  closeChat: 'Fechar o chat',
  unread: '{count} mensagens não lidas',
  // The panel's header: title, availability, reply time
  defaultTitle: 'Fale conosco',
  defaultSubtitle: 'Costumamos responder em poucos minutos',
  agentsOnline: '{count} online',
  teamOffline: 'Estamos offline: deixe uma mensagem',
  reconnecting: 'Reconectando…',
  backToConversations: 'Voltar para suas conversas',
  replyMinutes: 'Costuma responder em poucos minutos',
  replyHours: 'Costuma responder em algumas horas',
  replyDay: 'Costuma responder em até um dia',
  // The panel's banners and what it shows while the chat loads, or when it failed
  offline: 'Você está offline. As mensagens serão enviadas quando a conexão voltar.',
  conversationResolvedNote: 'Esta conversa foi resolvida. Escreva uma mensagem para reabri-la.',
  loading: 'Carregando…',
  noMessages: 'Nenhuma mensagem ainda. Diga olá!',
  errorGeneric: 'Algo deu errado: {message}',
  retry: 'Tentar de novo',
  // The pre-chat form and the ended session
  prechatIntro: 'Conte quem você é e responderemos em breve.',
  name: 'Nome',
  email: 'E-mail',
  startChat: 'Iniciar conversa',
  required: 'Obrigatório',
  invalidEmail: 'Informe um e-mail válido',
  sessionEnded: 'Esta sessão de chat terminou.',
  sessionEndedElsewhere: 'Você saiu do chat em outra aba.',
  sessionEndedGuest: 'As mensagens anteriores não podem mais ser exibidas neste dispositivo.',
  continueChat: 'Continuar',
  startNewChat: 'Iniciar uma nova conversa',
  // The page's title while a new message waits unread
  newMessageTitle: '({count}) Nova mensagem',
};
