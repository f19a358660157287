import { describe, expect, it } from 'vitest';

import { capText, replyText } from './inbound-parse.js';
import { CONTINUITY_STRINGS } from './mail-strings.js';

const lines = (...rows: string[]) => rows.join('\r\n');

describe('replyText', () => {
  it('cuts at our marker in every language, quoted or not', () => {
    for (const { marker } of Object.values(CONTINUITY_STRINGS)) {
      expect(replyText(lines('Thanks, that works!', '', marker, 'New reply in your conversation'))).toBe('Thanks, that works!');
      expect(replyText(lines('Obrigada', '', `> ${marker}`, '> Ana · 2 Dec'))).toBe('Obrigada');
    }
  });

  it('drops "On … wrote:" history in English, Portuguese and Spanish, also wrapped over two lines', () => {
    const cases = [
      ['On Tue, 1 Dec 2026 at 10:00, Acme <help+x@acme.test> wrote:'],
      ['Em ter., 1 de dez. de 2026 às 10:00, Acme <help@acme.test> escreveu:'],
      ['El mar, 1 dic 2026 a las 10:00, Acme (<help@acme.test>) escribió:'],
      ['On Tue, 1 Dec 2026 at 10:00, Acme Support Team', '<help+x@acme.test> wrote:'],
    ];
    for (const header of cases) {
      expect(replyText(lines('Yes please.', '', ...header, '> Sorry! Checking now.', '>', '> more'))).toBe('Yes please.');
    }
  });

  it("drops Outlook's original-message separator and its From/Sent header block", () => {
    expect(replyText(lines('See attached.', '', '-----Original Message-----', 'From: Acme', 'Sent: Tuesday', 'Hello'))).toBe(
      'See attached.',
    );
    expect(
      replyText(
        lines(
          'See attached.',
          '',
          '________________________________',
          'From: Acme <help@acme.test>',
          'Sent: Tuesday, 1 December',
          'To: me',
        ),
      ),
    ).toBe('See attached.');
    expect(replyText(lines('Olá', '', 'De: Acme <help@acme.test>', 'Enviado: terça-feira', 'Para: mim'))).toBe('Olá');
  });

  it('drops a "-- " signature and mobile "Sent from" lines', () => {
    expect(replyText(lines('Thanks', '', '-- ', 'Vera Visitor', 'CEO, Things Inc.'))).toBe('Thanks');
    expect(replyText(lines('Thanks', '', 'Sent from my iPhone'))).toBe('Thanks');
    expect(replyText(lines('Obrigada', '', 'Enviado do meu iPhone'))).toBe('Obrigada');
    expect(replyText(lines('Gracias', '', 'Enviado desde mi iPhone'))).toBe('Gracias');
  });

  it('drops trailing quoted lines, keeps quotes the visitor answers between', () => {
    expect(replyText(lines('Sure', '', '> old line', '> older line', ''))).toBe('Sure');
    expect(replyText(lines('> Is it blue?', 'Yes, blue.', '> And big?', 'Quite.'))).toBe(
      lines('> Is it blue?', 'Yes, blue.', '> And big?', 'Quite.').replace(/\r/g, ''),
    );
  });

  it('keeps a reply written below the quote', () => {
    expect(
      replyText(lines('On Tue, 1 Dec 2026, Acme <help@acme.test> wrote:', '> Which size?', '', 'Size M, thanks.', '-- ', 'Vera')),
    ).toBe('Size M, thanks.');
  });

  it('answers empty text when there is nothing but history, and keeps text that only looks similar', () => {
    expect(replyText(lines('', 'On Tue, Acme wrote:', '> hi'))).toBe('');
    expect(replyText('On Monday I will come by the shop.\nThanks')).toBe('On Monday I will come by the shop.\nThanks');
  });

  it('caps the text without splitting a surrogate pair', () => {
    expect(replyText('x'.repeat(50), 10)).toHaveLength(10);
    expect(capText(`abc${'😀'}`, 4)).toBe('abc');
    expect(capText('short', 10)).toBe('short');
  });
});
