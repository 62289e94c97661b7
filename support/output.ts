/**
 * Human-facing output helpers: colour only when the stream is a terminal,
 * so logs, pipes and tests read plain text.
 */
type Paint = (text: string) => string;

function painter(code: number, stream: NodeJS.WriteStream): Paint {
    const enabled = stream.isTTY === true && !process.env.NO_COLOR;
    return enabled ? (text) => `\u001b[${code}m${text}\u001b[0m` : (text) => text;
}

export const colours = (stream: NodeJS.WriteStream = process.stdout) => ({
    bold: painter(1, stream),
    dim: painter(2, stream),
    green: painter(32, stream),
    red: painter(31, stream),
    yellow: painter(33, stream),
    cyan: painter(36, stream)
});
