/** Languages the mails Confab writes to visitors come in. */
export type MailLocale = 'en' | 'pt-BR' | 'es';

export interface ContinuityStrings {
  subject(agent: string, app: string): string;
  /** The line inbound parsing cuts a reply at (inbound-parse.ts knows every language's form by its `##-` … `-##`). */
  marker: string;
  heading(app: string): string;
  replyOrChat: string;
  replyOnly: string;
  chatLink: string;
  attachment: string;
  /** A staff member without a name. */
  agent: string;
  why(app: string): string;
  unsubscribe: string;
}

const en: ContinuityStrings = {
  subject: (agent, app) => `${agent} replied to your conversation with ${app}`,
  marker: '##- Type your reply above this line -##',
  heading: (app) => `New reply in your conversation with ${app}`,
  replyOrChat: 'Reply to this email, or continue the chat:',
  replyOnly: 'Reply to this email to continue the conversation.',
  chatLink: 'Continue the chat',
  attachment: 'Attachment',
  agent: 'An agent',
  why: (app) => `You get this email because you gave your address in a chat with ${app}.`,
  unsubscribe: 'Unsubscribe',
};

const ptBR: ContinuityStrings = {
  subject: (agent, app) => `${agent} respondeu à sua conversa com ${app}`,
  marker: '##- Escreva sua resposta acima desta linha -##',
  heading: (app) => `Nova resposta na sua conversa com ${app}`,
  replyOrChat: 'Responda a este e-mail ou continue o chat:',
  replyOnly: 'Responda a este e-mail para continuar a conversa.',
  chatLink: 'Continuar o chat',
  attachment: 'Anexo',
  agent: 'Um atendente',
  why: (app) => `Você recebe este e-mail porque informou seu endereço em um chat com ${app}.`,
  unsubscribe: 'Cancelar inscrição',
};

const es: ContinuityStrings = {
  subject: (agent, app) => `${agent} respondió a tu conversación con ${app}`,
  marker: '##- Escribe tu respuesta encima de esta línea -##',
  heading: (app) => `Nueva respuesta en tu conversación con ${app}`,
  replyOrChat: 'Responde a este correo o continúa el chat:',
  replyOnly: 'Responde a este correo para continuar la conversación.',
  chatLink: 'Continuar el chat',
  attachment: 'Adjunto',
  agent: 'Un agente',
  why: (app) => `Recibes este correo porque diste tu dirección en un chat con ${app}.`,
  unsubscribe: 'Cancelar la suscripción',
};

export const CONTINUITY_STRINGS: Record<MailLocale, ContinuityStrings> = { en, 'pt-BR': ptBR, es };

/** The mail language for a visitor's browser locale (`pt-PT` reads Brazilian Portuguese better than English); English otherwise. */
export function mailLocaleOf(locale: string | null | undefined): MailLocale {
  const language = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  if (language === 'pt') return 'pt-BR';
  if (language === 'es') return 'es';
  return 'en';
}
