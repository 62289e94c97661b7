/**
 * Unit tests for the client's body bounds (demo-client/bounded-fetch.ts): a
 * document is cut off after MAX_DOCUMENT_BYTES; an event stream may run on
 * for as long as its events stay small (a blank line ends one, whichever line
 * ending the server uses) but one event past MAX_MCP_MESSAGE_BYTES is cut
 * off. The e2e file client-body-bounds.test.ts counts from the server's side.
 */
import { describe, expect, it } from 'vitest';
import { boundedFetch, BodyTooLargeError, MAX_DOCUMENT_BYTES, MAX_MCP_MESSAGE_BYTES } from '../../demo-client/bounded-fetch.ts';

const encoder = new TextEncoder();

/** A fetch whose response streams `chunks` with `type`. */
const serving = (type: string, chunks: string[]) =>
    boundedFetch(async () => new Response(new ReadableStream({ start: (c) => (chunks.forEach((chunk) => c.enqueue(encoder.encode(chunk))), c.close()) }), { headers: { 'content-type': type } }));

describe('a document', () => {
    it('passes whole up to the bound', async () => {
        const body = `{"x":"${'a'.repeat(MAX_DOCUMENT_BYTES - 8)}"}`;
        expect(await (await serving('application/json', [body])('https://as.example/token')).text()).toBe(body);
    });

    it('is cut off past the bound, naming the URL without its query', async () => {
        const response = await serving('application/json', ['{"x":"', 'a'.repeat(MAX_DOCUMENT_BYTES)])('https://as.example/token?secret=1');
        const read = response.text();
        await expect(read).rejects.toBeInstanceOf(BodyTooLargeError);
        await expect(read).rejects.toThrow('https://as.example/token sent a body of more than 64 KiB; refused');
    });
});

describe('an event stream', () => {
    const event = (size: number, ending: string) => `data: ${'a'.repeat(size)}${ending}${ending}`;

    it.each([
        ['LF', '\n'],
        ['CRLF', '\r\n'],
        ['CR', '\r']
    ])('runs on past the bound in small events (%s line endings)', async (_name, ending) => {
        const events = Array.from({ length: 6 }, () => event(MAX_MCP_MESSAGE_BYTES - 100, ending));
        const text = await (await serving('text/event-stream', events)('https://rs.example/mcp')).text();
        expect(text.length).toBeGreaterThan(5 * MAX_MCP_MESSAGE_BYTES);
    });

    it('cuts off one event past the bound, even sent in small chunks', async () => {
        const chunks = ['data: ', ...Array.from({ length: 5 }, () => 'a'.repeat(MAX_MCP_MESSAGE_BYTES / 4))];
        await expect((await serving('text/event-stream', chunks)('https://rs.example/mcp')).text()).rejects.toThrow('https://rs.example/mcp sent an event of more than 4 MiB; refused');
    });
});
