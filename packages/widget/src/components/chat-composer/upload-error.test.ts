import { describe, expect, it } from 'vitest';

import { CONVERSATION_STRINGS } from '../../i18n/conversation/index.js';
import { i18n, registerStrings } from '../../i18n/index.js';
import { uploadError } from './upload-error.js';

// As conversation-elements.ts does before any composer shows.
registerStrings(CONVERSATION_STRINGS);

const tooLarge = { code: 'payload_too_large', message: 'Files are limited to 25 MB', details: { maxBytes: 26_214_400 } };

describe('uploadError', () => {
  it('names the file and the limit in human units, in each language', () => {
    expect(uploadError(i18n('en'), 'invoice.pdf', tooLarge)).toBe('invoice.pdf is larger than 25 MB');
    expect(uploadError(i18n('pt-BR'), 'invoice.pdf', tooLarge)).toBe('invoice.pdf é maior que 25 MB');
    expect(uploadError(i18n('es'), 'invoice.pdf', tooLarge)).toBe('invoice.pdf ocupa más de 25 MB');
    const odd = { ...tooLarge, details: { maxBytes: 1_572_864 } };
    expect(uploadError(i18n('pt-BR'), 'a.zip', odd)).toBe('a.zip é maior que 1,5 MB');
  });

  it('says a file is too large without a number when the limit is not known', () => {
    expect(uploadError(i18n('en'), 'big.zip', { code: 'payload_too_large', message: 'Too large' })).toBe('big.zip is too large to send');
  });

  it('tells a full storage quota and an image past the pixel limit from a file past the size limit', () => {
    const used = { usedBytes: 9_800_000, limitBytes: 10_485_760, fileBytes: 900_000 };
    const mine = { code: 'payload_too_large', details: { scope: 'user', ...used } };
    expect(uploadError(i18n('en'), 'a.pdf', mine)).toBe('a.pdf was not sent: your files already take 9.3 MB of your 10 MB');
    expect(uploadError(i18n('pt-BR'), 'a.pdf', mine)).toBe('a.pdf não foi enviado: seus arquivos já ocupam 9,3 MB dos seus 10 MB');
    const app = { code: 'payload_too_large', details: { scope: 'app', usedBytes: 5, limitBytes: 5, fileBytes: 1 } };
    expect(uploadError(i18n('es'), 'a.pdf', app)).toBe('a.pdf no se envió: el espacio para archivos de este chat está lleno');
    const bomb = { code: 'payload_too_large', details: { maxPixels: 50_000_000 } };
    expect(uploadError(i18n('en'), 'huge.png', bomb)).toBe('huge.png is too large an image to send (over 50 megapixels)');
  });

  it('says which types are refused, and to retry after a network or server failure', () => {
    expect(uploadError(i18n('en'), 'setup.exe', { code: 'unsupported_media_type', message: 'x' })).toBe(
      "setup.exe can't be sent: this type of file is not accepted",
    );
    expect(uploadError(i18n('es'), 'a.pdf', { code: 'unavailable', message: 'Service unavailable' })).toBe(
      'No se pudo subir a.pdf: inténtalo de nuevo en un momento',
    );
    expect(uploadError(i18n('en'), 'a.pdf', new TypeError('Failed to fetch'))).toBe('Could not upload a.pdf: try again in a moment');
  });

  it('passes any other reason on', () => {
    expect(uploadError(i18n('en'), 'a.pdf', { code: 'forbidden', message: 'Not allowed here' })).toBe(
      'Could not upload a.pdf: Not allowed here',
    );
  });
});
