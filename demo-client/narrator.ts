/**
 * Turning what the session saw into lines a newcomer can follow: numbered
 * steps for the story, bullets for single commands. Values that decide
 * things — status, scope, issuer — are shown; tokens and codes never are, and
 * server-chosen text goes through plain-text.ts first.
 */
import { compareGrantedScope } from './granted-scope.ts';
import { describeAuthMethod, showClientId } from './pre-registered-client.ts';
import { plainText, showIssuer, showList, showScope, showUrl } from './plain-text.ts';
import type { SessionEvent } from './session-events.ts';

export interface Output {
    out(line: string): void;
    warn(line: string): void;
}

export class Narrator {
    private step = 0;
    private lastChallengedScope?: string;
    private stepUpPending = false;
    private requestedScope?: string;
    private afterInsufficientScope = false;
    /** The run uses the administrator's client (--client-id): it is never registered again. */
    private preRegistered = false;

    constructor(
        private readonly output: Output,
        private readonly numbered: boolean
    ) {}

    /** A plain line outside the steps. */
    say(text: string): void {
        this.output.out(text);
    }

    /** A new step. */
    title(text: string): void {
        this.output.out(this.numbered ? `${String(++this.step).padStart(2)}. ${text}` : `· ${text}`);
    }

    /** A line under the current step. */
    detail(text: string): void {
        this.output.out(`    ${text}`);
    }

    /** The outcome of a command step (a tool call, a listing); what came before it is settled. */
    outcome(text: string, ...details: string[]): void {
        this.afterInsufficientScope = false;
        this.stepUpPending = false;
        this.title(text);
        details.forEach((line) => this.detail(line));
    }

    event(event: SessionEvent): void {
        switch (event.kind) {
            case 'challenge':
                return this.challenge(event);
            case 'resource-metadata':
                return this.title(`Discovery: the resource's metadata names the authorization server ${showList(event.authorizationServers, showIssuer) || '(none)'}`);
            case 'server-metadata':
                return this.detail(`its metadata: issuer ${showIssuer(event.issuer)}; iss on authorization responses ${event.issParameterSupported ? 'advertised' : 'not advertised'}`);
            case 'registration':
                return event.status < 300
                    ? this.title(`Registration: client_id ${plainText(event.clientId ?? '(none)', 80)}, redirect_uri ${showUrl(event.redirectUri)}`)
                    : this.title(`Registration refused: HTTP ${event.status}`);
            case 'client-pre-registered':
                this.preRegistered = true;
                this.title(`Pre-registered client: client_id ${showClientId(event.clientId)} at ${showIssuer(event.issuer)}, no dynamic registration (RFC 7591)`);
                return this.detail(describeAuthMethod(event.method));
            case 'authorization-started':
                return this.authorizationStarted(event);
            case 'headless-approved':
                return this.detail('headless: approved the consent page as the user');
            case 'headless-redirected':
                return this.detail('headless: the authorization server redirected back without showing a consent page');
            case 'callback-accepted':
                return this.title('Callback on 127.0.0.1: state matches the pending authorization');
            case 'callback-rejected':
                // Said once per reason; a flood of them is one more line, with its count, when the listener closes.
                return event.repeated ? undefined : this.output.warn(`ignored a callback: ${event.reason}`);
            case 'callback-rejections-repeated':
                return this.output.warn(`ignored ${event.count} more ${event.count === 1 ? 'callback' : 'callbacks'} for the same reason: ${event.reason}`);
            case 'callback-port-changed':
                return this.output.warn(`the stored callback port ${event.previous} is taken; listening on ${event.now} and registering again (redirect URIs match exactly)`);
            case 'issuer-verified':
                return this.detail(
                    event.issPresent
                        ? `iss ${showIssuer(event.issuer)} is the expected issuer ✓ (RFC 9207 §2.4)`
                        : 'no iss: this authorization server does not advertise it, so there is nothing to compare'
                );
            case 'issuer-unchecked':
                // The SDK compares iss only with the issuer of discovered metadata; without one it checks nothing.
                return this.detail(
                    event.issPresent
                        ? 'iss not checked: no authorization server metadata was found, so there is no issuer to compare it with'
                        : 'no iss, and not checked: no authorization server metadata was found, so there is no issuer to compare with'
                );
            case 'token':
                return this.token(event);
        }
    }

    private challenge(event: Extract<SessionEvent, { kind: 'challenge' }>): void {
        const subject = event.tool ?? 'The resource';
        if (event.status === 403 && event.error === 'insufficient_scope') {
            this.lastChallengedScope = event.scope;
            this.afterInsufficientScope = true;
            this.title(`${subject} → 403 insufficient_scope`);
            return this.detail(`the challenge asks for ${showScope(event.scope)}`);
        }
        if (event.status === 403) return this.title(`${subject} → 403 Forbidden`);
        if (event.error) return this.title(`${subject} → 401: the token was not accepted (${plainText(event.error, 40)})`);
        this.title(`${event.tool ? `${event.tool} without a token` : 'Connecting without a token'} → 401 Unauthorized`);
        this.detail(`the challenge: scope ${showScope(event.scope)}, resource_metadata ${showUrl(event.resourceMetadata)}`);
    }

    private authorizationStarted(event: Extract<SessionEvent, { kind: 'authorization-started' }>): void {
        this.stepUpPending = event.stepUp;
        this.requestedScope = event.scope;
        if (!event.stepUp) return this.title(`Consent: asking for ${showScope(event.scope)}`);
        this.title(`Step-up: asking for the union ${showScope(event.scope)}`);
        this.detail(`held ${showScope(event.heldScope)} ∪ challenged ${showScope(this.lastChallengedScope)}; a refresh cannot widen scope (RFC 6749 §6), so this is a fresh authorization`);
    }

    private token(event: Extract<SessionEvent, { kind: 'token' }>): void {
        if (event.status !== 200) {
            this.title(`Token request (${plainText(event.grantType, 40)}) → HTTP ${event.status}${event.error ? ` ${plainText(event.error, 40)}` : ''}`);
            // The SDK answers this by dropping the registration and tokens and authorizing afresh (RFC 6749 §5.2).
            if (event.grantType === 'refresh_token' && event.error === 'invalid_client') {
                this.detail(
                    this.preRegistered
                        ? 'the authorization server did not accept the pre-registered client: authorizing again, without registering'
                        : 'the authorization server no longer knows this client (it may have restarted and forgotten it): registering again'
                );
            }
            return;
        }
        if (event.grantType === 'refresh_token') {
            this.title(`Token refreshed: scope ${showScope(event.scope)}`);
            if (this.afterInsufficientScope) this.detail('the held token already covers what the challenge asks for, so the SDK used the refresh grant — no consent needed');
        } else {
            this.title(this.stepUpPending ? `Token now holds ${showScope(event.scope)}` : `Token: scope ${showScope(event.scope)}`);
            const { refused, added, offlineAccessAsRefreshToken } = compareGrantedScope(this.requestedScope, event.scope, event.refreshToken);
            if (offlineAccessAsRefreshToken) this.detail('offline_access was answered with a refresh token (it is not a scope of the resource, so the access token does not list it)');
            if (added.length > 0) this.detail(`added by the authorization server: ${showScope(added.join(' '))}`);
            if (refused.length > 0) this.detail(`not granted: ${showScope(refused.join(' '))}`);
        }
        if (event.tokenType?.toLowerCase() === 'dpop') this.detail("token_type DPoP: bound to this client's key (RFC 9449)");
        this.stepUpPending = false;
        this.afterInsufficientScope = false;
        this.requestedScope = undefined;
    }
}
