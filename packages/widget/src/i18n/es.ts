import type { CoreStrings } from './en.js';

export const es: CoreStrings = {
  openChat: 'Abrir el chat',
  closeChat: 'Cerrar el chat',
  unread: '{count} mensajes sin leer',
  // The panel's header: title, availability, reply time
  defaultTitle: 'Habla con nosotros',
  defaultSubtitle: 'Solemos responder en pocos minutos',
  agentsOnline: '{count} en línea',
  teamOffline: 'No estamos conectados: deja un mensaje',
  reconnecting: 'Reconectando…',
  backToConversations: 'Volver a tus conversaciones',
  replyMinutes: 'Suele responder en unos minutos',
  replyHours: 'Suele responder en unas horas',
  replyDay: 'Suele responder en un día',
  // The panel's banners and what it shows while the chat loads, or when it failed
  offline: 'Estás sin conexión. Los mensajes se enviarán cuando vuelva la conexión.',
  conversationResolvedNote: 'Esta conversación se resolvió. Escribe un mensaje para reabrirla.',
  loading: 'Cargando…',
  noMessages: 'Aún no hay mensajes. ¡Saluda!',
  errorGeneric: 'Algo salió mal: {message}',
  retry: 'Reintentar',
  // The pre-chat form and the ended session
  prechatIntro: 'Dinos quién eres y te responderemos pronto.',
  name: 'Nombre',
  email: 'Correo electrónico',
  startChat: 'Iniciar chat',
  required: 'Obligatorio',
  invalidEmail: 'Introduce un correo válido',
  sessionEnded: 'Esta sesión de chat ha terminado.',
  sessionEndedElsewhere: 'Cerraste la sesión del chat en otra pestaña.',
  sessionEndedGuest: 'Los mensajes anteriores ya no se pueden mostrar en este dispositivo.',
  continueChat: 'Continuar',
  startNewChat: 'Iniciar una nueva conversación',
  // The page's title while a new message waits unread
  newMessageTitle: '({count}) Mensaje nuevo',
};
