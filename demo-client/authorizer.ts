/**
 * Completing one authorization the SDK started: register the pending `state`
 * with the callback listener, put the consent page in front of the user (a
 * browser, or the headless user agent acting as the user), and wait for the
 * callback — bounded by --auth-timeout.
 */
import { showInBrowser } from './browser.ts';
import type { CallbackListener } from './callback-listener.ts';
import { hasDisplay } from './display.ts';
import { HeadlessUserAgent } from './headless-user-agent.ts';
import type { AuthorizationRequest } from './oauth-provider.ts';
import type { ConsentEvent } from './session-events.ts';
import { asUserAgent } from './trace/actor.ts';

export interface AuthorizerOptions {
    headless: boolean;
    openBrowser: boolean;
    authTimeoutMs: number;
    onEvent(event: ConsentEvent): void;
    print(line: string): void;
    warn(line: string): void;
}

export class Authorizer {
    constructor(
        private readonly listener: CallbackListener,
        private readonly options: AuthorizerOptions
    ) {}

    /** Resolves with the callback's whole query once the listener accepted it. */
    async complete(request: AuthorizationRequest): Promise<URLSearchParams> {
        const callback = this.listener.expect(request.state, this.options.authTimeoutMs);
        if (this.options.headless) {
            const agent = new HeadlessUserAgent(this.listener.redirectUrl, AbortSignal.timeout(this.options.authTimeoutMs));
            // Marked as the user agent's, so a trace tells its requests from the SDK's.
            asUserAgent(() => agent.approve(request.url, (approved) => this.options.onEvent({ kind: approved ? 'headless-approved' : 'headless-redirected' })))
                // A timed-out agent is reported by the listener's own --auth-timeout message.
                .catch((error: Error) => error.name === 'TimeoutError' || this.listener.fail(error));
        } else {
            await showInBrowser(request.url, {
                launch: this.options.openBrowser,
                display: hasDisplay(process.env, process.platform),
                callbackUrl: new URL(this.listener.redirectUrl),
                waitSeconds: Math.round(this.options.authTimeoutMs / 1000),
                print: this.options.print,
                warn: this.options.warn
            });
        }
        return callback;
    }
}
